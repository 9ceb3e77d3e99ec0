"""Groups and members: records, per-group settings, supergroup migration."""
