"""Errors raised for operator input, each carrying its message in both languages."""

from __future__ import annotations

from schedules.messages import ERRORS, lang_of


class ScheduleError(ValueError):
    """Bad schedule input; `code` names the problem and `zh` / `en` explain it to the operator."""

    def __init__(self, code: str, **fields: object) -> None:
        self.code = code
        self.fields = fields
        self.zh = ERRORS[code]["zh"].format(**fields)
        self.en = ERRORS[code]["en"].format(**fields)
        super().__init__(f"{self.zh}\n\n{self.en}")

    def message(self, lang: str) -> str:
        """The explanation in the group's language."""
        return self.zh if lang_of(lang) == "zh" else self.en


class ScheduleSyntaxError(ScheduleError):
    """The phrase is not a schedule we understand (the message lists the accepted forms)."""


class ScheduleInPastError(ScheduleError):
    """A one-off time or a deadline that has already passed."""


class CountdownError(ScheduleError):
    """Bad `/countdown` arguments: deadline, marks or end action."""
