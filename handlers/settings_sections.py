"""Editing the check-in, points, red packet, raid and icebreaker sections with
`/settings <section>.<field> <value>`.

Each editable field names its section, its key in the stored section and a parser from what an
operator types to the stored value; the whole section is then validated by its typed model, so
a bad value is refused with a reason and nothing half-valid is stored.

Value syntax:
- numbers: `/settings checkin.base_points 15`
- on/off: `/settings points.activity off`
- seconds or off: `/settings checkin.cleanup 300`
- word lists, comma separated (`-` clears): `/settings checkin.keywords 报到, 到`
- titles `points=zh/en`: `/settings points.titles 0=新人/Newcomer, 100=骨干/Core`
- tiers `name=points[:privilege+privilege]`:
  `/settings points.tiers basic=0, trusted=100:adfilter_exempt`
  Both are also read as a Chinese keyboard types them: `＝`, `：`, `＋`, `／`, and `、` for
  the `/` of a title (the "/" key types "、" in Chinese punctuation mode).
- a text (`default` or `-` for the built-in one, `off` for none): `/settings
  icebreaker.intro_template 欢迎 {name}，说说你的城市和行业吧`
- a chat, by id (`off` or `-` for none): `/settings raid.alert_chat -1001234567890`; the bot must
  know that chat and the operator must run it too (`group_settings` checks before storing).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.core.i18n import define
from bot.db.models import Group
from bot.groups.settings import with_changes
from handlers.entry_config import IcebreakerConfig, RaidConfig
from handlers.points_config import (
    DEFAULT_TIERS,
    PRIVILEGES,
    CheckinConfig,
    PointsConfig,
    RedPacketConfig,
)
from handlers.setting_numbers import check_range, read_whole

define(
    {
        "settings.bad_decimal": {"zh": "不是数字：{value}", "en": "not a number: {value}"},
        "settings.bad_switch": {
            "zh": "只能是 on 或 off：{value}",
            "en": "use on or off: {value}",
        },
        "settings.bad_title": {
            "zh": "头衔格式是 积分=中文/English，例如 50=活跃成员/Regular：{value}",
            "en": "a title is points=中文/English, e.g. 50=活跃成员/Regular: {value}",
        },
        "settings.ambiguous_title": {
            "zh": "分不清 {value} 的中文和英文从哪里分开：每个头衔写成 积分=中文/English，"
            "中间只有一个 /（或 ／、、），头衔本身不能含这些符号，例如 50=活跃成员/Regular",
            "en": "cannot tell where the Chinese title ends in {value}: write each title as "
            "points=中文/English with only one / (or ／ or 、) between them and none inside the "
            "titles, e.g. 50=活跃成员/Regular",
        },
        "settings.bad_tier": {
            "zh": "等级格式是 名称=积分[:特权+特权]，例如 vip=500:adfilter_exempt：{value}",
            "en": "a tier is name=points[:privilege+privilege], e.g. vip=500:adfilter_exempt: "
            "{value}",
        },
        "settings.tier_twice": {
            "zh": "等级名称重复：{value}",
            "en": "tier named twice: {value}",
        },
        "settings.tier_threshold_twice": {
            "zh": "两个等级的积分门槛都是 {value}，每个等级要有自己的门槛",
            "en": "two tiers start at {value} points; give each tier its own threshold",
        },
        "settings.title_threshold_twice": {
            "zh": "两个头衔的积分门槛都是 {value}，每个头衔要有自己的门槛",
            "en": "two titles start at {value} points; give each title its own threshold",
        },
        "settings.unknown_privilege": {
            "zh": "没有这个特权：{value}。可用的特权：adfilter_exempt（不受新成员窗口的严格过滤，"
            "广告照样删除）",
            "en": "no such privilege: {value}. Privileges: adfilter_exempt (skips the ad "
            "filter's strict new-member window; ads are still removed)",
        },
        "settings.bad_chat": {
            "zh": "不能使用 {value}：机器人需要在那个群里，而且你也得是那个群的管理员"
            "（关闭用 off）",
            "en": "cannot use {value}: the bot must be in that chat and you must run it too "
            "(off for none)",
        },
        "settings.bad_placeholder": {
            "zh": "不认识 {value}：自我介绍提示只能用占位符 {{name}}（新成员的名字）",
            "en": "{value} is no placeholder: the introduction prompt takes only {{name}} (the "
            "newcomer's name)",
        },
        "settings.empty_list": {
            "zh": "至少需要一项",
            "en": "at least one entry is needed",
        },
        "settings.section": {
            "zh": "{section} 设置：\n{lines}",
            "en": "{section} settings:\n{lines}",
        },
        "settings.unknown_field": {
            "zh": "没有这个设置项：{key}。可用：{fields}",
            "en": "No such setting: {key}. Available: {fields}",
        },
        "settings.own_command": {
            "zh": "{section} 用 {command} 设置，例如：{example}",
            "en": "{section} is set with {command}, e.g. {example}",
        },
    }
)

SECTION_MODELS: dict[str, type[BaseModel]] = {
    "checkin": CheckinConfig,
    "points": PointsConfig,
    "redpacket": RedPacketConfig,
    "raid": RaidConfig,
    "icebreaker": IcebreakerConfig,
}
NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class BadValue(ValueError):
    """What the operator typed cannot be read; `key` is the text that says why."""

    def __init__(self, key: str, value: str) -> None:
        super().__init__(key)
        self.key, self.value = key, value


def _decimal(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise BadValue("settings.bad_decimal", text) from None


def _switch(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("on", "off", "开", "关"):
        raise BadValue("settings.bad_switch", text)
    return lowered in ("on", "开")


def _items(text: str) -> list[str]:
    if text.strip() == "-":
        return []
    return [item.strip() for item in re.split(r"[,，、]", text) if item.strip()]


def _words(text: str) -> list[str]:
    return [word[:32] for word in _items(text)][:20]


def _text(text: str) -> str | None:
    """A text of the operator's own; None (the built-in text) for "default" or "-"; "" (no text
    at all) for "off"."""
    value = text.strip()
    if value.lower() in ("-", "默认", "default"):
        return None
    return "" if value.lower() in ("off", "关闭", "关") else value


# A word in braces, as operators write placeholders: "{name}", but also "{nmae}" or "{Name}".
_BRACED = re.compile(r"\{[^{}\s]{1,32}\}")


def _intro(text: str) -> str | None:
    """An introduction prompt (see `_text`); a braced word other than {name} is refused, as
    newcomers would otherwise read "{nmae}" as it stands (or nothing, for "{group}")."""
    value = _text(text)
    unknown = [word for word in _BRACED.findall(value or "") if word != "{name}"]
    if unknown:
        raise BadValue("settings.bad_placeholder", " ".join(unknown))
    return value


def _chat(text: str) -> str | None:
    """A chat id ("-1001234567890"), or None for "off"; who may use it is checked by the caller."""
    value = text.strip()
    if value.lower() in ("off", "-", "关闭", "none"):
        return None
    if not re.fullmatch(r"-?\d{1,20}", value):
        raise BadValue("settings.bad_chat", value)
    return value


def _seconds_or_off(text: str) -> int | None:
    """Seconds within the range of the check-in section's cleanup, or None (keep) for "off"."""
    if text.strip().lower() in ("off", "-", "关闭", "关"):
        return None
    return check_range(read_whole(text), CheckinConfig, "cleanup_seconds")


# A Chinese keyboard types the format's marks full-width; "、" is left alone, as it means
# "/" inside a title and "," between titles.
_FULL_WIDTH = str.maketrans({"＝": "=", "／": "/", "：": ":", "＋": "+"})
# Titles are told apart by where the next one starts ("100=" after a separator), not by the
# separator alone: "、" between titles is also what the "/" key types in Chinese punctuation
# mode, between a title's Chinese and English.
_NEXT_TITLE = re.compile(r"[,，、;；\s]+(?=-?\d{1,9}\s*=)")
# Between a title's Chinese and English.
_TITLE_SLASH = re.compile(r"\s*[/、]\s*")


def _titles(text: str) -> list[dict[str, Any]]:
    if text.strip() == "-":
        raise BadValue("settings.empty_list", text)
    titles = []
    for item in _NEXT_TITLE.split(text.translate(_FULL_WIDTH).strip()):
        item = item.strip(",，、;； ")
        match = re.fullmatch(r"(-?\d{1,9})\s*=\s*(.+)", item)
        if match is None:
            raise BadValue("settings.bad_title", item)
        names = _TITLE_SLASH.split(match[2])
        if len(names) > 2:
            raise BadValue("settings.ambiguous_title", item)
        if len(names) != 2 or not all(names):
            raise BadValue("settings.bad_title", item)
        titles.append({"min_points": int(match[1]), "zh": names[0], "en": names[1]})
    if not titles:
        raise BadValue("settings.empty_list", text)
    _once([title["min_points"] for title in titles], "settings.title_threshold_twice")
    return titles


def _tiers(text: str) -> list[dict[str, Any]]:
    tiers = []
    for item in _items(text.translate(_FULL_WIDTH)):
        match = re.fullmatch(r"([A-Za-z][\w]{0,31})\s*=\s*(-?\d{1,9})\s*(?::\s*(.+))?", item)
        if match is None:
            raise BadValue("settings.bad_tier", item)
        privileges = [p.strip().lower() for p in (match[3] or "").split("+") if p.strip()]
        if any(not NAME.match(p) for p in privileges):
            raise BadValue("settings.bad_tier", item)
        if unknown := [p for p in privileges if p not in PRIVILEGES]:
            raise BadValue("settings.unknown_privilege", unknown[0])
        tiers.append(
            {"name": match[1].lower(), "min_points": int(match[2]), "privileges": privileges}
        )
    if not tiers:
        raise BadValue("settings.empty_list", text)
    _once([tier["name"] for tier in tiers], "settings.tier_twice")
    _once([tier["min_points"] for tier in tiers], "settings.tier_threshold_twice")
    return tiers


def _once(values: list[Any], key: str) -> None:
    """Refuse a list holding a value twice: of two tiers or titles at the same points, the one
    members get would depend on the order they were typed in, and a tier name is how other
    settings and the labels find it."""
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise BadValue(key, str(value))
        seen.add(value)


@dataclass(frozen=True)
class Field:
    section: str
    key: str
    # None: a whole number within the range the section's model gives the key.
    parse: Callable[[str], Any] | None = None
    # A chat the bot will post to: the caller must check the operator runs it before storing.
    is_chat: bool = False
    # How an unset value (None) reads: "off" for most; "default" where None is a built-in text.
    unset: str = "off"


FIELDS: dict[str, Field] = {
    "checkin.keywords": Field("checkin", "extra_keywords", _words),
    "checkin.base_points": Field("checkin", "base_points"),
    "checkin.streak_bonus": Field("checkin", "streak_bonus"),
    "checkin.streak_bonus_cap": Field("checkin", "streak_bonus_cap"),
    "checkin.homework_points": Field("checkin", "homework_points"),
    "checkin.homework_tags": Field("checkin", "homework_tags", _words),
    "checkin.cleanup": Field("checkin", "cleanup_seconds", _seconds_or_off),
    "points.activity": Field("points", "activity_enabled", _switch),
    "points.activity_min_chars": Field("points", "activity_min_chars"),
    "points.activity_min_distinct": Field("points", "activity_min_distinct"),
    "points.answer_min_distinct": Field("points", "answer_min_distinct"),
    "points.activity_points": Field("points", "activity_points"),
    "points.answer_points": Field("points", "answer_points"),
    "points.referral_points": Field("points", "referral_points"),
    "points.referral_daily_cap": Field("points", "referral_daily_cap"),
    "points.activity_daily_cap": Field("points", "activity_daily_cap"),
    "points.topic_words": Field("points", "topic_words", _words),
    "points.titles": Field("points", "titles", _titles),
    "points.tiers": Field("points", "tiers", _tiers),
    "redpacket.rounds": Field("redpacket", "rounds"),
    "redpacket.escalation": Field("redpacket", "escalation", _decimal),
    "raid.threshold": Field("raid", "threshold"),
    "raid.window_seconds": Field("raid", "window_seconds"),
    "raid.alert_chat": Field("raid", "alert_chat_id", _chat, is_chat=True),
    "icebreaker.intro_template": Field("icebreaker", "intro_template", _intro, unset="default"),
    "icebreaker.intro_min_chars": Field("icebreaker", "intro_min_chars"),
    "icebreaker.intro_within_hours": Field("icebreaker", "intro_within_hours"),
    "icebreaker.round_minutes": Field("icebreaker", "round_minutes"),
    "icebreaker.round_result": Field("icebreaker", "round_result", _switch),
    "icebreaker.round_points": Field("icebreaker", "round_points"),
}


def fields_of(section: str) -> list[str]:
    return [name for name in FIELDS if name.startswith(section + ".")]


def parse(name: str, raw: str) -> Any:
    """What the operator typed for field `name`, read; raises BadValue (or NumberRefused for a
    whole number field) when it cannot be."""
    field = FIELDS[name]
    if field.parse is None:
        return check_range(read_whole(raw), SECTION_MODELS[field.section], field.key)
    return field.parse(raw)


def apply(group: Group, name: str, value: Any) -> str:
    """Validate and store one parsed field; returns the stored value as shown to the operator.

    Raises ValidationError for a value the section refuses.
    """
    field = FIELDS[name]
    stored = (group.settings or {}).get(field.section)
    current = stored if isinstance(stored, dict) else {}
    model = SECTION_MODELS[field.section]
    if name == "points.tiers":
        value = _with_labels(value, current)
    updated = model.model_validate({**current, field.key: value})
    group.settings = {**(group.settings or {}), field.section: with_changes(stored, updated)}
    return show_value(getattr(updated, field.key), field.unset)


def _with_labels(tiers: list[dict[str, Any]], current: dict) -> list[dict[str, Any]]:
    """Typed tiers with the Chinese and English labels a tier of the same name had (the
    defaults' when none): the syntax has no room for them, and members of a Chinese group would
    otherwise read "trusted" where they read "信任成员"."""
    known = list(DEFAULT_TIERS)
    # A broken stored section leaves the defaults' labels only.
    with contextlib.suppress(ValidationError):
        known += PointsConfig.model_validate(current).tiers
    labels = {tier.name: (tier.zh, tier.en) for tier in known if tier.zh or tier.en}
    labelled = []
    for tier in tiers:
        zh, en = labels.get(tier["name"], ("", ""))
        labelled.append({**tier, "zh": zh, "en": en})
    return labelled


def show(group: Group, section: str) -> str:
    """One line per editable field of a section, with its current value."""
    stored = (group.settings or {}).get(section)
    try:
        model = SECTION_MODELS[section].model_validate(stored if isinstance(stored, dict) else {})
    except ValidationError:
        model = SECTION_MODELS[section]()
    return "\n".join(
        f"{name} = {show_value(getattr(model, FIELDS[name].key), FIELDS[name].unset)}"
        for name in fields_of(section)
    )


def show_value(value: Any, unset: str = "off") -> str:
    """The value in the syntax `/settings` accepts, so it can be copied back and edited."""
    if value is None:
        return unset
    if value == "":
        return "off"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple | list):
        parts = [_show_item(item) for item in value]
        return ", ".join(parts) if parts else "-"
    return str(value)


def _show_item(item: Any) -> str:
    if isinstance(item, BaseModel) and hasattr(item, "privileges"):
        extra = "+".join(sorted(item.privileges))
        return f"{item.name}={item.min_points}" + (f":{extra}" if extra else "")
    if isinstance(item, BaseModel):
        return f"{item.min_points}={item.zh}/{item.en}"
    return str(item)
