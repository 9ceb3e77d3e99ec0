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


def named(lang: str, kind: str, value: str) -> str:
    """A stored value (a mode, a ladder step, an end action...) as readers of `lang` say it:
    the text `<kind>.<value>`, e.g. `value.screening.review` "人工审核"; a value without one
    (of a newer or older version) is shown as stored."""
    try:
        return translate(lang, f"{kind}.{value}")
    except KeyError:
        return value


def named_to_type(lang: str, kind: str, value: str) -> str:
    """`named`, with the word a command takes after it where the two differ, so an operator
    reading "人工审核（review）" knows what to type; English names are the words themselves."""
    name = named(lang, kind, value)
    if name.casefold() == value.casefold():
        return name
    return translate(lang, "value.to_type", name=name, word=value)


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

# Values of settings as readers say them (see `named`). English names are the words commands
# take, so English groups read what they type.
define(
    {
        "value.to_type": {"zh": "{name}（{word}）", "en": "{name} ({word})"},
        "value.switch.on": {"zh": "开启", "en": "on"},
        "value.switch.off": {"zh": "关闭", "en": "off"},
        "value.verify.button": {"zh": "按钮", "en": "button"},
        "value.verify.question": {"zh": "题目", "en": "question"},
        "value.screening.open": {"zh": "开放", "en": "open"},
        "value.screening.code": {"zh": "邀请码", "en": "code"},
        "value.screening.review": {"zh": "人工审核", "en": "review"},
        "value.screening.allowlist": {"zh": "白名单", "en": "allowlist"},
        "value.step.delete": {"zh": "删除", "en": "delete"},
        "value.step.mute": {"zh": "禁言", "en": "mute"},
        "value.step.ban": {"zh": "封禁", "en": "ban"},
        "value.kind.general": {"zh": "普通群", "en": "general"},
        "value.kind.flash": {"zh": "快闪群", "en": "flash"},
        "value.kind.newcomer": {"zh": "新人群", "en": "newcomer"},
        "value.kind.super": {"zh": "超级用户群", "en": "super"},
        "value.kind.delivery": {"zh": "交付群", "en": "delivery"},
        "value.kind.fan": {"zh": "粉丝群", "en": "fan"},
        "value.day.daily": {"zh": "每天", "en": "daily"},
        "value.day.mon": {"zh": "周一", "en": "mon"},
        "value.day.tue": {"zh": "周二", "en": "tue"},
        "value.day.wed": {"zh": "周三", "en": "wed"},
        "value.day.thu": {"zh": "周四", "en": "thu"},
        "value.day.fri": {"zh": "周五", "en": "fri"},
        "value.day.sat": {"zh": "周六", "en": "sat"},
        "value.day.sun": {"zh": "周日", "en": "sun"},
    }
)
