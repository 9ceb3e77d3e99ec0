"""Where operators review join requests: the group itself, or the operators' own chat.

Applicants' answers can be personal, so a group may send its review cards to a separate chat
(`/screening review_chat <chat id>`). A card's buttons then carry the group's chat id, and a
press counts only from that review chat and only from an operator of the group the request is
for (an admin of the review chat alone is not enough).
"""

from __future__ import annotations

from bot.core.actions import Button
from bot.core.context import Context
from bot.core.events import Event
from bot.core.i18n import translate
from bot.db.models import Group
from bot.groups.repository import find_current_group
from handlers.entry_config import ScreeningConfig, load, save
from handlers.moderation_rights import operated_chat, operates


def review_chat(config: ScreeningConfig, group_chat: str) -> str:
    """The chat a group's review cards go to."""
    return config.review_chat_id or group_chat


def review_buttons(lang: str, user_id: str, group_chat: str) -> tuple[tuple[Button, ...], ...]:
    """Approve / decline for one requester of one group."""
    return (
        (
            Button(text=translate(lang, "screening.approve"), data=f"scr:a:{user_id}:{group_chat}"),
            Button(text=translate(lang, "screening.decline"), data=f"scr:d:{user_id}:{group_chat}"),
        ),
    )


def card_heading(lang: str, config: ScreeningConfig, group: Group) -> str:
    """Names the group on a card shown outside it (empty inside the group)."""
    if not config.review_chat_id or config.review_chat_id == group.chat_id:
        return ""
    return translate(lang, "screening.review_for", group=group.title or group.chat_id) + "\n"


def parse_press(data: str) -> tuple[bool, str, str | None]:
    """(approve, requester id, group chat id or None for cards made before review chats)."""
    _, verdict, rest = data.split(":", 2)
    user_id, _, group_chat = rest.partition(":")
    return verdict == "a", user_id, group_chat or None


async def deciding_group(ctx: Context, event: Event, group_chat: str | None) -> Group | None:
    """The group a press decides for, when the presser may decide for it; None otherwise."""
    if group_chat is None or group_chat == event.chat.id:
        return ctx.group if ctx.is_operator else None
    # A card made before its group became a supergroup names the group by its old id, and
    # one posted in the group itself is then pressed in the supergroup.
    group = await find_current_group(ctx.session, event.platform, group_chat)
    if group is not None and ctx.group is not None and group.id == ctx.group.id:
        return ctx.group if ctx.is_operator else None
    if group is None or load(group, ScreeningConfig).review_chat_id != event.chat.id:
        return None
    return group if event.user and await operates(ctx, event.user.id, group) else None


async def set_review_chat(ctx: Context, event: Event, value: str) -> str:
    """`/screening review_chat <chat id>|off`: the reply text."""
    config = load(ctx.group, ScreeningConfig)
    if value in ("off", "here", "关闭"):
        config.review_chat_id = None
        save(ctx.group, config)
        return ctx.t("screening.review_chat_off")
    # The bot must know the chat, and the operator must run it too: cards carry applicants'
    # answers, so they may not be sent to just any chat.
    target = await operated_chat(ctx, event, value)
    if target is None:
        return ctx.t("screening.review_chat_bad", chat=value[:40])
    config.review_chat_id = target.chat_id
    save(ctx.group, config)
    return ctx.t("screening.review_chat_saved", title=target.title or target.chat_id)

