"""Message catalogue: every user-facing text in Chinese and English, looked up by key.

Each capability declares its texts with `define(...)` beside its handlers, so texts stay out of
handler logic and a missing translation is caught by one test over the whole catalogue.

A count that English inflects names its forms in the text: `{n} {n:day|days}` reads "1 day",
"3 days" (the first form for exactly 1); Chinese texts need none.
"""

from __future__ import annotations

import string

LANGUAGES = ("zh", "en")

_CATALOGUE: dict[str, dict[str, str]] = {}


def define(texts: dict[str, dict[str, str]]) -> None:
    """Add texts; redefining a key with different wording is a programming error."""
    for key, variants in texts.items():
        missing = [lang for lang in LANGUAGES if lang not in variants]
        if missing:
            raise ValueError(f"text {key!r} lacks {missing}")
        if key in _CATALOGUE and _CATALOGUE[key] != variants:
            raise ValueError(f"text {key!r} defined twice")
        _CATALOGUE[key] = dict(variants)


class _Forms(string.Formatter):
    """str.format, plus `{n:one|many}`: the form for the count `n`."""

    def format_field(self, value: object, format_spec: str) -> str:
        if "|" in format_spec:
            one, _, many = format_spec.partition("|")
            return one if value == 1 else many
        return super().format_field(value, format_spec)


_FORMS = _Forms()


def format_text(text: str, /, **params: object) -> str:
    """`text` with `params` filled in, `{n:one|many}` choosing the form for the count `n`."""
    return _FORMS.format(text, **params)


def translate(lang: str, key: str, /, **params: object) -> str:
    variants = _CATALOGUE[key]
    return format_text(variants.get(lang, variants["zh"]), **params)


def catalogue() -> dict[str, dict[str, str]]:
    return {key: dict(value) for key, value in _CATALOGUE.items()}


def pick_language(group_language: str, user_language: str | None) -> str:
    """A group's fixed language wins; `auto` follows the speaker, Chinese when unknown."""
    if group_language in LANGUAGES:
        return group_language
    if user_language and not user_language.lower().startswith("zh"):
        return "en"
    return "zh"


define(
    {
        "common.not_operator": {
            "zh": "抱歉，这个命令只有群管理员可以使用。",
            "en": "Sorry, only the group's operators can use this command.",
        },
        "common.group_only": {
            "zh": "这个命令只能在群里使用。",
            "en": "This command only works in a group.",
        },
    }
)
