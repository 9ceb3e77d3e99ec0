"""`/settings`: operators read and change a group's language, timezone and group type, and the
check-in, points, red packet and raid sections (`/settings checkin`, `/settings points.titles
...`, `/settings raid.alert_chat <chat id>`, see `handlers.settings_sections`)."""

from __future__ import annotations

import re

from pydantic import ValidationError

from bot.core.actions import SendMessage
from bot.core.context import Context
from bot.core.events import Event
from bot.core.i18n import define
from bot.core.router import Router
from bot.groups.settings import MAX_TAG_LENGTH, MAX_TAGS, GroupKind, GroupSettings, Language
from handlers import (
    settings_sections,
    templates,  # noqa: F401  (registers the types' names, "template.name.<kind>")
)
from handlers.moderation_rights import operated_chat
from handlers.setting_numbers import NumberRefused
from schedules.store import follow_group_zone

router = Router("settings")

EDITABLE = ("language", "timezone", "kind", "tags")

define(
    {
        "settings.show": {
            "zh": "本群设置：\n类型：{kind}\n语言：{language}\n时区：{timezone}\n标签：{tags}\n"
            "修改：/settings language|timezone|kind|tags <值>\n"
            "更多：/settings checkin|points|redpacket|raid|icebreaker",
            "en": "Group settings:\nType: {kind}\nLanguage: {language}\nTimezone: {timezone}\n"
            "Tags: {tags}\nChange: /settings language|timezone|kind|tags <value>\n"
            "More: /settings checkin|points|redpacket|raid|icebreaker",
        },
        # A value shown with what it means; the value itself stays, as /settings takes it.
        "settings.meaning": {"zh": "{value} — {meaning}", "en": "{value} — {meaning}"},
        "settings.language.auto": {
            "zh": "跟随发言人，默认中文", "en": "follows the speaker, Chinese by default"
        },
        "settings.usage": {
            "zh": "用法：/settings [language zh|en|auto] [timezone 地区/城市] [kind {kinds}] "
            "[tags 标签1,标签2|none]\n"
            "例如：/settings timezone Europe/Berlin\n"
            "签到、积分、红包、防护、破冰："
            "/settings checkin|points|redpacket|raid|icebreaker 查看，"
            "/settings <分组>.<项> <值> 修改，例如 /settings checkin.base_points 15",
            "en": "Usage: /settings [language zh|en|auto] [timezone Area/City] [kind {kinds}] "
            "[tags tag1,tag2|none]\n"
            "Example: /settings timezone Europe/Berlin\n"
            "Check-ins, points, red packets, raids, icebreakers: "
            "/settings checkin|points|redpacket|raid|icebreaker to see, "
            "/settings <section>.<field> <value> to change, e.g. /settings checkin.base_points 15",
        },
        "settings.invalid": {
            "zh": "无法设置 {key}={value}：{reason}",
            "en": "Cannot set {key}={value}: {reason}",
        },
        "settings.too_small": {"zh": "不能小于 {bound}", "en": "must be at least {bound}"},
        "settings.too_big": {"zh": "不能大于 {bound}", "en": "must be at most {bound}"},
        "settings.choices": {"zh": "可选：{choices}", "en": "choose {choices}"},
        "settings.bad_timezone": {
            "zh": "不认识这个时区，请写 地区/城市，例如 Asia/Shanghai",
            "en": "unknown timezone; use Area/City, e.g. Asia/Shanghai",
        },
        "settings.bad_tags": {
            "zh": "最多 {count} 个标签，每个是不含空格的一个词，最长 {length} 个字",
            "en": "at most {count} tags, each one word of at most {length} characters",
        },
        "settings.saved": {"zh": "已保存：{key} = {value}", "en": "Saved: {key} = {value}"},
        "settings.jobs_moved": {
            "zh": "本群 {count} 个定时任务改按 {timezone} 的时间运行（/schedule list 查看）",
            "en": "{count} scheduled job(s) of this group now run on {timezone} time "
            "(/schedule list shows them)",
        },
    }
)


@router.command(
    "settings",
    description={"zh": "查看或修改本群设置", "en": "Show or change this group's settings"},
    operator_only=True,
    group_only=True,
)
async def settings_command(event: Event, ctx: Context) -> list[SendMessage]:
    def reply(text: str) -> list[SendMessage]:
        return [SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)]

    current = ctx.group_settings
    parts = event.args.split()
    if not parts:
        return reply(describe_settings(ctx))
    kinds = "|".join(kind.value for kind in GroupKind)
    assert ctx.group is not None  # group_only route
    section_reply = await _section_command(ctx, event, event.args)
    if section_reply is not None:
        return reply(section_reply)
    # Tags are a list, typed "vip, 付费" as often as "vip,付费": the value is all that follows.
    wordy = len(parts) > 2 and parts[0] == "tags"
    if (len(parts) != 2 and not wordy) or parts[0] not in EDITABLE:
        return reply(ctx.t("settings.usage", kinds=kinds))
    key, value = parts[0], " ".join(parts[1:])
    if key in ("language", "kind"):
        value = value.lower()  # choices are words, not names: "EN" and "Flash" mean en, flash
    try:
        updated = GroupSettings.model_validate({**current.model_dump(mode="json"), key: value})
    except ValidationError:
        reason = _refused(ctx, key)
        return reply(ctx.t("settings.invalid", key=key, value=value, reason=reason))
    # That one key: the document as read would put back what others changed since.
    ctx.group.settings = {**(ctx.group.settings or {}), key: updated.model_dump(mode="json")[key]}
    if key == "language" and updated.language is not Language.AUTO:
        ctx.lang = updated.language.value
    shown = (", ".join(updated.tags) or "-") if key == "tags" else value
    saved = ctx.t("settings.saved", key=key, value=shown)
    if key == "timezone" and updated.timezone != str(ctx.tz):
        moved = await follow_group_zone(ctx.session, ctx.group.id, str(ctx.tz),
                                        updated.timezone, ctx.now)
        if moved:
            saved += "\n" + ctx.t("settings.jobs_moved", count=moved, timezone=updated.timezone)
    return reply(saved)


def describe_settings(ctx: Context) -> str:
    """The group's own settings (type, language, time zone, tags) as `/settings` shows them."""
    current = ctx.group_settings
    return ctx.t(
        "settings.show",
        kind=ctx.t("settings.meaning", value=current.kind.value,
                   meaning=ctx.t(f"template.name.{current.kind.value}")),
        language=ctx.t("settings.meaning", value="auto",
                       meaning=ctx.t("settings.language.auto"))
        if current.language is Language.AUTO else current.language.value,
        timezone=current.timezone or str(ctx.tz),
        tags=", ".join(current.tags) or "-",
    )


def _refused(ctx: Context, key: str) -> str:
    """Why a value of `key` was refused, in the group's language: pydantic's own messages are
    English only (and name Python types)."""
    if key == "timezone":
        return ctx.t("settings.bad_timezone")
    if key == "tags":
        return ctx.t("settings.bad_tags", count=MAX_TAGS, length=MAX_TAG_LENGTH)
    choices = Language if key == "language" else GroupKind
    return ctx.t("settings.choices", choices="|".join(choice.value for choice in choices))


# Settings that have commands of their own (with their checks and confirmations), which
# operators reach for through /settings too ("/settings welcome.enabled off").
OWN_COMMANDS = {
    "welcome": ("/welcome", "/welcome off"),
    "verification": ("/verify", "/verify question 90"),
    "verify": ("/verify", "/verify question 90"),
    "screening": ("/screening", "/screening review"),
    "adfilter": ("/filter", "/filter shadow on"),
    "filter": ("/filter", "/filter shadow on"),
    "rules": ("/rules set", "/rules set 1. 不发广告"),
}


async def _section_command(ctx: Context, event: Event, args: str) -> str | None:
    """Show or change a check-in/points/red packet/raid/icebreaker field; None when `args`
    names none."""
    # Split at any whitespace: a template is often typed on the line after its name.
    name, *rest = re.split(r"\s+", args.strip(), maxsplit=1)
    raw = rest[0] if rest else ""
    section = name.partition(".")[0]
    if section.lower() in OWN_COMMANDS:
        command, example = OWN_COMMANDS[section.lower()]
        return ctx.t("settings.own_command", section=section, command=command, example=example)
    if section not in settings_sections.SECTION_MODELS:
        return None
    if name == section:
        lines = settings_sections.show(ctx.group, section)
        return ctx.t("settings.section", section=section, lines=lines)
    if name not in settings_sections.FIELDS:
        fields = ", ".join(settings_sections.fields_of(section))
        return ctx.t("settings.unknown_field", key=name, fields=fields)
    value = raw.strip()
    if not value:
        return ctx.t("settings.usage", kinds="|".join(kind.value for kind in GroupKind))
    try:
        parsed = settings_sections.parse(name, value)
        # Raid alerts carry member counts: only to a chat the sender runs too.
        chat = settings_sections.FIELDS[name].is_chat and parsed is not None
        if chat and await operated_chat(ctx, event, parsed) is None:
            raise settings_sections.BadValue("settings.bad_chat", parsed)
        shown = settings_sections.apply(ctx.group, name, parsed)
    except settings_sections.BadValue as bad:
        reason = ctx.t(bad.key, value=bad.value)
        return ctx.t("settings.invalid", key=name, value=value, reason=reason)
    except NumberRefused as refused:
        reason = refused.reason(ctx.lang)
        return ctx.t("settings.invalid", key=name, value=value, reason=reason)
    except ValidationError as exc:
        reason = _reason(ctx, exc)
        return ctx.t("settings.invalid", key=name, value=value, reason=reason)
    return ctx.t("settings.saved", key=name, value=shown)


def _reason(ctx: Context, exc: ValidationError) -> str:
    """The first problem in the group's language where we have words for it."""
    error = exc.errors()[0]
    limits = error.get("ctx") or {}
    if error["type"] in ("greater_than_equal", "less_than_equal"):
        bound = limits.get("ge", limits.get("le"))
        key = "settings.too_small" if error["type"] == "greater_than_equal" else "settings.too_big"
        return ctx.t(key, bound=bound)
    return error["msg"]
