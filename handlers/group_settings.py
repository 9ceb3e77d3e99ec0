"""`/settings`: operators read and change a group's language, timezone and group type."""

from __future__ import annotations

from pydantic import ValidationError

from bot.core.actions import SendMessage
from bot.core.context import Context
from bot.core.events import Event
from bot.core.i18n import define
from bot.core.router import Router
from bot.groups.settings import GroupKind, GroupSettings, Language

router = Router("settings")

EDITABLE = ("language", "timezone", "kind")

define(
    {
        "settings.show": {
            "zh": "本群设置：\n类型：{kind}\n语言：{language}\n时区：{timezone}",
            "en": "Group settings:\nType: {kind}\nLanguage: {language}\nTimezone: {timezone}",
        },
        "settings.usage": {
            "zh": "用法：/settings [language zh|en|auto] [timezone 地区/城市] [kind {kinds}]\n"
            "例如：/settings timezone Europe/Berlin",
            "en": "Usage: /settings [language zh|en|auto] [timezone Area/City] [kind {kinds}]\n"
            "Example: /settings timezone Europe/Berlin",
        },
        "settings.invalid": {
            "zh": "无法设置 {key}={value}：{reason}",
            "en": "Cannot set {key}={value}: {reason}",
        },
        "settings.saved": {"zh": "已保存：{key} = {value}", "en": "Saved: {key} = {value}"},
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
        return reply(
            ctx.t(
                "settings.show",
                kind=current.kind.value,
                language=current.language.value,
                timezone=current.timezone or str(ctx.tz),
            )
        )
    kinds = "|".join(kind.value for kind in GroupKind)
    if len(parts) != 2 or parts[0] not in EDITABLE:
        return reply(ctx.t("settings.usage", kinds=kinds))
    key, value = parts
    try:
        updated = GroupSettings.model_validate({**current.model_dump(mode="json"), key: value})
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        return reply(ctx.t("settings.invalid", key=key, value=value, reason=reason))
    assert ctx.group is not None  # group_only route
    ctx.group.settings = updated.model_dump(mode="json")
    if key == "language" and updated.language is not Language.AUTO:
        ctx.lang = updated.language.value
    return reply(ctx.t("settings.saved", key=key, value=value))
