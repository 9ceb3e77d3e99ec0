"""Entry screening: join requests decided by the group's rule, and the published rules.

Rules (`/screening ...`): open (approve all); code (an invite link named after a code approves
at once, anyone else is asked for a code privately, see `handlers.entry_dialogue`); review
(operators decide with buttons `scr:a|d:<user id>`, after the requester answered the group's
questions privately when there are any; an invite link named after a counted code skips both);
allowlist (user ids and @usernames imported with `/allowlist`, see `handlers.allowlist`).
`/code` manages counted, expiring codes; `/rules` shows the published rules, `/rules set`
changes them.
"""

from __future__ import annotations

import structlog

from bot.core.actions import (
    Action,
    AnswerCallback,
    ApproveJoinRequest,
    DeclineJoinRequest,
    SendMessage,
    over_limit,
    text_length,
)
from bot.core.context import Context
from bot.core.events import ChatType, Event, EventKind
from bot.core.i18n import named_to_type
from bot.core.router import Router, split_bars
from bot.groups.repository import is_join
from bot.groups.settings import CLEAR_WORDS
from handlers import (
    entry_texts,  # noqa: F401  (registers the texts)
    invite_codes,
)
from handlers.allowlist_import import listed
from handlers.entry_applications import close_joined, has_usable_code, normalise_code, take_code
from handlers.entry_config import ScreeningConfig, load, save
from handlers.entry_dialogue import operator_decision, send_for_review, start_application
from handlers.entry_replies import on_private_reply
from handlers.screening_review import (
    deciding_group,
    parse_press,
    set_review_chat,
)
from handlers.welcome_batch import rules_text

log = structlog.get_logger(__name__)

router = Router("screening")

def split_verb(args: str) -> tuple[str, str]:
    """The first word and the rest; long texts often start on the line after the word."""
    verb, *rest = args.split(maxsplit=1) or [""]
    return verb, rest[0] if rest else ""


def decide(
    config: ScreeningConfig, user_id: str, username: str | None, link_name: str | None
) -> bool | None:
    """True approve, False decline, None: ask (the requester privately, or the operators)."""
    if config.mode == "open":
        return True
    if config.mode == "code":
        codes = {normalise_code(code) for code in config.codes}
        return True if link_name and normalise_code(link_name) in codes else None
    if config.mode == "allowlist":
        return listed(config.allowlist, user_id, username)
    return None


@router.on(EventKind.JOIN_REQUEST, group_only=True)
async def on_join_request(event: Event, ctx: Context) -> list[Action]:
    """Approve, decline, or start the private conversation / post for the operators."""
    if event.user is None:
        return []
    config = load(ctx.group, ScreeningConfig)
    verdict = decide(config, event.user.id, event.user.username, event.invite_link_name)
    chat, uid = event.chat.id, event.user.id
    # A link named after a counted code: one of its uses admits the requester. In review
    # groups too (the super-user playbook): an invitation is the screening, so the invited
    # skip the questions and the operators' review that everyone else goes through.
    link = event.invite_link_name
    if (
        verdict is None
        and config.mode in ("code", "review")
        and link
        and await take_code(ctx.session, ctx.group.id, link, ctx.now)
    ):
        verdict = True
    if verdict is True:
        return [ApproveJoinRequest(chat_id=chat, user_id=uid)]
    if verdict is False:
        return [DeclineJoinRequest(chat_id=chat, user_id=uid)]
    if config.mode == "code":
        return await start_application(ctx, event, config, "code")
    if config.questions:
        return await start_application(ctx, event, config, "questions")
    return await send_for_review(ctx, event, config)


@router.on(EventKind.MEMBER_JOINED, EventKind.MEMBER_UPDATED, when=is_join, group_only=True)
async def on_arrival(event: Event, ctx: Context) -> list[Action]:
    """A requester let in while the bot was still asking them is no longer asked."""
    for user in event.members:
        await close_joined(ctx.session, ctx.group.id, user.id, ctx.now)
    return []


def _private_text(event: Event) -> bool:
    return event.chat.type is ChatType.PRIVATE and event.command is None and bool(event.text)


@router.on(EventKind.MESSAGE, when=_private_text)
async def on_private_message(event: Event, ctx: Context) -> list[Action]:
    """A join requester's private reply: their invite code or an answer."""
    return await on_private_reply(event, ctx)


def _is_review_button(event: Event) -> bool:
    return (event.callback_data or "").startswith("scr:")


@router.on(EventKind.CALLBACK, when=_is_review_button, group_only=True)
async def on_review(event: Event, ctx: Context) -> list[Action]:
    """An operator's decision on a request; anyone else is politely refused."""
    answer = AnswerCallback(chat_id=event.chat.id, callback_id=event.callback_id or "")
    approve, uid, group_chat = parse_press(event.callback_data or "")
    group = await deciding_group(ctx, event, group_chat)
    if group is None:
        return [
            answer.model_copy(update={"text": ctx.t("common.not_operator"), "show_alert": True})
        ]
    return await operator_decision(ctx, group, uid, approve, answer, event.message_id)


def _reply(event: Event, text: str) -> list[Action]:
    return [SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)]


MAX_QUESTIONS = 10  # asked one by one in a private chat: more loses applicants
MAX_QUESTION_CHARS = 300


@router.command(
    "screening",
    description={"zh": "设置入群审核方式", "en": "Set how join requests are screened"},
    operator_only=True,
    group_only=True,
)
async def screening_command(event: Event, ctx: Context) -> list[Action]:
    """`/screening open|code <codes...>|review|allowlist`, `/screening questions Q1 | Q2`."""
    config = load(ctx.group, ScreeningConfig)
    verb, rest = split_verb(event.args)
    if verb == "review_chat" and rest.strip():
        return _reply(event, await set_review_chat(ctx, event, rest.strip()))
    if verb == "questions":
        if not rest.strip():
            # A bare "/screening questions" (a menu tap) must not wipe them: "none" does.
            current = " | ".join(config.questions) or ctx.t("screening.no_questions")
            return _reply(event, ctx.t("screening.questions_usage", current=current))
        if rest.strip().lower() in CLEAR_WORDS:
            rest = ""
        # Questions are separated by bars so each may contain spaces and punctuation.
        questions = [q for q in split_bars(rest) if q]
        # Refused rather than cut: a dropped 11th question or a cut one would be asked wrong.
        if len(questions) > MAX_QUESTIONS:
            return _reply(event, ctx.t("screening.too_many_questions", count=len(questions),
                                       limit=MAX_QUESTIONS))
        if long := next((q for q in questions if len(q) > MAX_QUESTION_CHARS), None):
            return _reply(event, ctx.t("screening.question_too_long", limit=MAX_QUESTION_CHARS,
                                       start=long[:20]))
        config.questions = questions
        save(ctx.group, config)
        if not questions:
            return _reply(event, ctx.t("screening.questions_cleared"))
        return _reply(event, ctx.t("screening.questions_saved", count=len(config.questions)))
    parts = event.args.split()
    if not parts or parts[0] not in ("open", "code", "review", "allowlist"):
        text = ctx.t("screening.usage")
        if not parts:  # alone, it says how entry stands, as /verify, /welcome and /filter do
            text = f"{_standing(ctx, config, full=True)}\n{text}"
        return _reply(event, text)
    mode = parts[0]
    listed = parts[1:] if mode == "code" else []
    # A rule with nothing that can admit anyone would decline every requester (asked for a
    # code none can have, or missing from an empty list): refused, the old rule kept.
    if mode == "code" and not await has_usable_code(
        ctx.session, ctx.group.id, ctx.now, listed or config.codes
    ):
        return _reply(event, ctx.t("screening.code_needs_codes", mode=_describe(ctx, config)))
    if mode == "allowlist" and not config.allowlist:
        return _reply(event, ctx.t("screening.allowlist_needs_ids", mode=_describe(ctx, config)))
    config.mode = mode
    if listed:
        config.codes = listed
    save(ctx.group, config)
    return _reply(event, _standing(ctx, config))


def _standing(ctx: Context, config: ScreeningConfig, *, full: bool = False) -> str:
    """The rule and, for one that decides join requests, where those come from; `full` adds the
    questions asked and where review cards go."""
    lines = [ctx.t("screening.saved", mode=_describe(ctx, config))]
    if config.mode != "open":
        lines.append(ctx.t("screening.needs_requests"))
    if full:
        questions = " | ".join(config.questions) or ctx.t("screening.no_questions")
        lines.append(ctx.t("screening.questions_now", questions=questions))
        if config.review_chat_id:
            lines.append(ctx.t("screening.review_chat_now", chat=config.review_chat_id))
    return "\n".join(lines)


def _describe(ctx: Context, config: ScreeningConfig) -> str:
    mode = named_to_type(ctx.lang, "value.screening", config.mode)
    if config.mode != "code":
        return mode
    codes = ", ".join(config.codes) if config.codes else ctx.t("screening.counted_codes")
    return ctx.t("screening.mode_codes", mode=mode, codes=codes)


@router.command(
    "rules",
    description={"zh": "查看群规与入群规则", "en": "Show the group's rules"},
    group_only=True,
)
async def rules_command(event: Event, ctx: Context) -> list[Action]:
    """Members read the rules; operators publish them with `/rules set <text>`."""
    verb, rest = split_verb(event.args)
    if verb == "set":
        if not ctx.is_operator:
            return _reply(event, ctx.t("common.not_operator"))
        _saved, text = set_rules(ctx, rest, event.user.id if event.user else None)
        return _reply(event, text)
    config = load(ctx.group, ScreeningConfig)
    if not config.rules:
        return _reply(event, ctx.t("rules.none"))
    return _reply(event, ctx.t("rules.show", rules=rules_text(ctx)))


def set_rules(ctx: Context, rules: str, actor: str | None) -> tuple[bool, str]:
    """Publish `rules`, as `/rules set` does (the dashboard too): whether they were saved, and
    the answer (saved, or why not)."""
    rules = rules.strip()
    if not rules:
        # A bare "/rules set" (a menu tap, a send too soon) must not wipe published rules.
        return False, ctx.t("rules.usage")
    # Typed in chat they fit in a message; pasted into the dashboard they may not, and /rules
    # would then fail to show them every time a member asks.
    over = over_limit(ctx.t("rules.show", rules=rules))
    if over > 0:
        given = text_length(rules)
        return False, ctx.t("rules.too_long", limit=max(given - over, 0), length=given)
    config = load(ctx.group, ScreeningConfig)
    config.rules = rules
    save(ctx.group, config)
    log.info("rules.set", group=ctx.group.chat_id, by=actor, length=len(rules))
    return True, ctx.t("rules.saved")


@router.command(
    "code",
    description={"zh": "管理入群邀请码", "en": "Manage invite codes"},
    operator_only=True,
    group_only=True,
)
async def code_command(event: Event, ctx: Context) -> list[Action]:
    """`/code add <code> [uses=N] [days=N|hours=N]`, `/code new ...`, `/code list|revoke`."""
    return _reply(event, await invite_codes.command(ctx, event.user.id, event.args))
