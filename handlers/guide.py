"""`/help` and `/start`: what the bot can do here, in the group's language."""

from __future__ import annotations

from bot.core.actions import SendMessage
from bot.core.context import Context
from bot.core.events import Event
from bot.core.i18n import define
from bot.core.router import CommandInfo, Router

router = Router("guide")

define(
    {
        "guide.header": {"zh": "可用命令：", "en": "Commands:"},
        "guide.operator_header": {"zh": "管理员命令：", "en": "Operator commands:"},
    }
)


@router.command(
    "help",
    aliases=("start",),
    words=("帮助",),
    description={"zh": "查看可用命令", "en": "Show the commands"},
)
async def show_help(event: Event, ctx: Context) -> list[SendMessage]:
    def line(info: CommandInfo) -> str:
        said = f" ({', '.join(info.words)})" if info.words else ""
        return f"/{info.name}{said} — {info.description.get(ctx.lang, info.description['en'])}"

    # In a private chat every command is listed: it says what the bot can do in groups.
    shown = [info for info in ctx.commands
             if ctx.group is None or info.listed is None or info.listed(ctx)]
    lines = [ctx.t("guide.header")]
    lines += [line(info) for info in shown if not info.operator_only]
    if ctx.is_operator:
        lines += ["", ctx.t("guide.operator_header")]
        lines += [line(info) for info in shown if info.operator_only]
    return [SendMessage(chat_id=event.chat.id, text="\n".join(lines), reply_to=event.message_id)]
