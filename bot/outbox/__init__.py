"""The outbox: every action is stored before it is performed, then sent at an allowed pace."""
