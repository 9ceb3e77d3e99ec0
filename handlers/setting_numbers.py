"""Whole numbers operators type into settings (`/settings <section>.<field>`, `/filter`).

A number is read whatever its size and then held against the range the setting allows, so
"99999999999999999999" or "-1" is answered with that range; only what is no number at all is
"not a whole number".
"""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import BaseModel

from bot.core.i18n import define, translate
from schedules.describe import format_duration

# The ceiling of a setting that declares none (a message length, days to remember offences...):
# the nine digits the parsers always read; more means nothing to a group. Points settings declare
# a far lower one (handlers.points_config.MAX_AWARD): what they pay is added up for years.
LARGEST = 999_999_999

define(
    {
        "number.not_whole": {"zh": "不是整数：{value}", "en": "not a whole number: {value}"},
        "number.out_of_range": {
            "zh": "要在 {low} 到 {high} 之间",
            "en": "must be from {low} to {high}",
        },
        "number.duration_out_of_range": {
            "zh": "时长要在 {low}到 {high}之间",
            "en": "must last from {low} to {high}",
        },
    }
)

_WHOLE = re.compile(r"[+-]?\d+")


class NumberRefused(ValueError):
    """A typed number a setting cannot take: no whole number (`allowed` None), or outside
    `allowed`; `minutes` shows the range as durations."""

    def __init__(
        self, value: str, allowed: tuple[int, int] | None = None, *, minutes: bool = False
    ) -> None:
        super().__init__(value)
        self.value, self.allowed, self.minutes = value, allowed, minutes

    def reason(self, lang: str) -> str:
        """Why, in `lang`."""
        if self.allowed is None:
            return translate(lang, "number.not_whole", value=self.value)
        low, high = self.allowed
        if self.minutes:
            shown = [format_duration(timedelta(minutes=n), lang) for n in (low, high)]
            return translate(lang, "number.duration_out_of_range", low=shown[0], high=shown[1])
        return translate(lang, "number.out_of_range", low=low, high=high)


def whole_number(text: str) -> int | None:
    """The whole number `text` is ("15", "-1", full-width "１５", any length), or None."""
    text = text.strip()
    if not _WHOLE.fullmatch(text):
        return None
    try:
        return int(text)
    except ValueError:  # past int()'s 4,300 digits; Telegram delivers no message that long
        return None


def read_whole(text: str) -> int:
    """`text` as a whole number; raises NumberRefused when it is none."""
    value = whole_number(text)
    if value is None:
        raise NumberRefused(text)
    return value


def allowed_range(model: type[BaseModel], field: str) -> tuple[int, int]:
    """The whole numbers `field` of `model` takes: its declared bounds (ge/le, the kind settings
    declare), within ±LARGEST."""
    low, high = -LARGEST, LARGEST
    for rule in model.model_fields[field].metadata:
        if (ge := getattr(rule, "ge", None)) is not None:
            low = max(low, ge)
        if (le := getattr(rule, "le", None)) is not None:
            high = min(high, le)
    return low, high


def check_range(
    value: int, model: type[BaseModel], field: str, *, minutes: bool = False
) -> int:
    """`value` if `field` of `model` takes it; raises NumberRefused naming the range if not."""
    low, high = allowed_range(model, field)
    if not low <= value <= high:
        raise NumberRefused(str(value), (low, high), minutes=minutes)
    return value
