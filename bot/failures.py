"""Failures of work retried in a loop, logged one line each.

A database that is down fails every round of every loop: a traceback each time buried the log
in identical pages. The first failure of a run keeps its traceback (where it failed); the rest
say what failed with the error's class and message only, until the work succeeds again.
"""

from __future__ import annotations

import structlog

MESSAGE_CHARS = 300


def describe(exc: BaseException) -> str:
    """The first line of the error's message: the rest of a database error is the statement."""
    text = str(exc).strip()
    return text.splitlines()[0][:MESSAGE_CHARS] if text else ""


class FailureRun:
    """Counts consecutive failures of one piece of work and logs each as one line."""

    def __init__(self, logger: structlog.stdlib.BoundLogger, event: str, **context: object):
        self._log = logger
        self._event = event
        self._context = context
        self.failures = 0

    def failed(self, exc: BaseException) -> int:
        """Log `exc` (its traceback only if it starts a run); the run's length so far."""
        self.failures += 1
        self._log.error(
            self._event,
            **self._context,
            error=type(exc).__name__,
            message=describe(exc),
            failures=self.failures,
            exc_info=exc if self.failures == 1 else None,
        )
        return self.failures

    def succeeded(self) -> None:
        if self.failures:
            self._log.info(f"{self._event.rsplit('.', 1)[0]}.recovered", **self._context,
                           after_failures=self.failures)
        self.failures = 0
