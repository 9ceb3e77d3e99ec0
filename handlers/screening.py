"""Entry screening: join requests decided by the group's rule, and the published rules.

Rules (`/screening ...`): open (approve all), code (the request's invite link name must be one
of the codes), review (operators decide with buttons `scr:a|d:<user id>`), allowlist (user ids
imported with `/allowlist`). `/rules` shows the published rules; `/rules set` changes them.
"""

from __future__ import annotations

import re

from bot.core.actions import (
    Action,
    AnswerCallback,
    ApproveJoinRequest,
    Button,
    DeclineJoinRequest,
    DeleteMessage,
    SendMessage,
)
from bot.core.context import Context
from bot.core.events import Event, EventKind
from bot.core.router import Router
from handlers import entry_texts  # noqa: F401  (registers the texts)
from handlers.entry_config import ScreeningConfig, load, save
from handlers.welcome_batch import rules_text

router = Router("screening")

USER_ID = re.compile(r"(?<!\d)\d{3,20}(?!\d)")


def decide(config: ScreeningConfig, user_id: str, link_name: str | None) -> bool | None:
    """True approve, False decline, None: ask the operators."""
    if config.mode == "open":
        return True
    if config.mode == "code":
        return link_name is not None and link_name in config.codes
    if config.mode == "allowlist":
        return user_id in config.allowlist
    return None


@router.on(EventKind.JOIN_REQUEST, group_only=True)
async def on_join_request(event: Event, ctx: Context) -> list[Action]:
    """Approve, decline, or post the request for the operators to review."""
    if event.user is None:
        return []
    config = load(ctx.group, ScreeningConfig)
    verdict = decide(config, event.user.id, event.invite_link_name)
    chat, uid = event.chat.id, event.user.id
    if verdict is True:
        return [ApproveJoinRequest(chat_id=chat, user_id=uid)]
    if verdict is False:
        return [DeclineJoinRequest(chat_id=chat, user_id=uid)]
    text = ctx.t("screening.review", name=event.user.name, user_id=uid, bio=event.text or "-")
    buttons = (
        (
            Button(text=ctx.t("screening.approve"), data=f"scr:a:{uid}"),
            Button(text=ctx.t("screening.decline"), data=f"scr:d:{uid}"),
        ),
    )
    return [SendMessage(chat_id=chat, text=text, buttons=buttons)]


def _is_review_button(event: Event) -> bool:
    return (event.callback_data or "").startswith("scr:")


@router.on(EventKind.CALLBACK, when=_is_review_button, group_only=True)
async def on_review(event: Event, ctx: Context) -> list[Action]:
    """An operator's decision on a request; anyone else is politely refused."""
    answer = AnswerCallback(chat_id=event.chat.id, callback_id=event.callback_id or "")
    if not ctx.is_operator:
        return [
            answer.model_copy(update={"text": ctx.t("common.not_operator"), "show_alert": True})
        ]
    _, verdict, uid = (event.callback_data or "").split(":", 2)
    approve = verdict == "a"
    decision = (ApproveJoinRequest if approve else DeclineJoinRequest)(
        chat_id=event.chat.id, user_id=uid
    )
    done = ctx.t("screening.approved" if approve else "screening.declined", name=uid)
    actions: list[Action] = [decision, answer.model_copy(update={"text": done})]
    if event.message_id:
        actions.append(DeleteMessage(chat_id=event.chat.id, message_id=event.message_id))
    return actions


def _reply(event: Event, text: str) -> list[Action]:
    return [SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)]


@router.command(
    "screening",
    description={"zh": "设置入群审核方式", "en": "Set how join requests are screened"},
    operator_only=True,
    group_only=True,
)
async def screening_command(event: Event, ctx: Context) -> list[Action]:
    """`/screening open|code <codes...>|review|allowlist`."""
    config = load(ctx.group, ScreeningConfig)
    parts = event.args.split()
    if not parts or parts[0] not in ("open", "code", "review", "allowlist"):
        return _reply(event, ctx.t("screening.usage"))
    config.mode = parts[0]
    if parts[0] == "code" and parts[1:]:
        config.codes = parts[1:]
    save(ctx.group, config)
    mode = config.mode + (f" ({', '.join(config.codes)})" if config.mode == "code" else "")
    return _reply(event, ctx.t("screening.saved", mode=mode))


@router.command(
    "allowlist",
    description={"zh": "导入入群白名单", "en": "Import the entry allow-list"},
    operator_only=True,
    group_only=True,
)
async def allowlist_command(event: Event, ctx: Context) -> list[Action]:
    """`/allowlist add <ids...>`, or `/allowlist import` in reply to a message listing ids."""
    verb, _, rest = event.args.partition(" ")
    if verb == "add":
        source = rest
    elif verb == "import":
        replied = (event.raw.get("message") or {}).get("reply_to_message") or {}
        source = replied.get("text") or replied.get("caption") or ""
    else:
        return _reply(event, ctx.t("screening.allowlist_usage"))
    ids = USER_ID.findall(source)
    if not ids:
        return _reply(event, ctx.t("screening.allowlist_usage"))
    config = load(ctx.group, ScreeningConfig)
    before = set(config.allowlist)
    config.allowlist = [*config.allowlist, *(i for i in dict.fromkeys(ids) if i not in before)]
    save(ctx.group, config)
    added = len(config.allowlist) - len(before)
    return _reply(
        event, ctx.t("screening.allowlist_added", added=added, total=len(config.allowlist))
    )


@router.command(
    "rules",
    description={"zh": "查看群规与入群规则", "en": "Show the group's rules"},
    group_only=True,
)
async def rules_command(event: Event, ctx: Context) -> list[Action]:
    """Members read the rules; operators publish them with `/rules set <text>`."""
    verb, _, rest = event.args.partition(" ")
    if verb == "set":
        if not ctx.is_operator:
            return _reply(event, ctx.t("common.not_operator"))
        config = load(ctx.group, ScreeningConfig)
        config.rules = rest.strip() or None
        save(ctx.group, config)
        return _reply(event, ctx.t("rules.saved"))
    config = load(ctx.group, ScreeningConfig)
    if not config.rules:
        return _reply(event, ctx.t("rules.none"))
    return _reply(event, ctx.t("rules.show", rules=rules_text(ctx)))
