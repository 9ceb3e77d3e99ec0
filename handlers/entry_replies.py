"""A join requester's private replies: invite codes and answers (see entry_dialogue).

One person may be asking to join several screened groups of the same bot at once, and all of
their conversations share one private chat; this module decides which application a reply is for.
"""

from __future__ import annotations

from bot.core.actions import Action, ApproveJoinRequest, DeclineJoinRequest, SendMessage
from bot.core.context import Context
from bot.core.events import Event
from bot.core.i18n import translate
from bot.db.models import Group
from handlers import entry_texts  # noqa: F401  (registers the texts)
from handlers.entry_applications import (
    EntryApplication,
    close,
    normalise_code,
    open_applications,
    settlement_ref,
    take_code,
)
from handlers.entry_config import ScreeningConfig, load
from handlers.entry_dialogue import question_text, review_message


async def on_private_reply(event: Event, ctx: Context) -> list[Action]:
    """A requester's private message: an invite code, or the answer to the last question.

    One person may be asking to join several groups at once. A code approves each of their
    code applications it is valid for; anything else belongs to the newest application, whose
    prompt is the last one the bot sent. When that one is done, the bot asks again for what
    the next newest is waiting for, naming its group, so the last prompt is always the one the
    next reply answers.
    """
    if event.user is None:
        return []
    pending = [
        (application, group)
        for application in await open_applications(ctx.session, ctx.platform, event.user.id)
        if (group := await ctx.session.get(Group, application.group_id)) is not None
    ]
    if not pending:
        return []
    code = normalise_code(event.text or "")
    actions: list[Action] = []
    done: set[int] = set()
    fitted = False
    for application, group in pending:
        if application.mode != "code" or not await _code_fits(ctx, code, group):
            continue
        fitted = True
        # False when the timeout loop decided it first: nothing more to say then.
        if await close(ctx.session, application, "approved", "code", ctx.now):
            application.code = code[:64]
            done.add(application.id)
            actions += _approved_by_code(application, group)
    newest, group = pending[0]
    if not fitted:
        config = load(group, ScreeningConfig)
        if newest.mode == "code":
            actions += await _wrong_code(ctx, newest, group, config)
        else:
            actions += _take_answer(event, newest, group, config)
        if newest.status != "asking":
            done.add(newest.id)
    if newest.id in done:
        actions += _ask_again([(a, g) for a, g in pending[1:] if a.id not in done])
    return actions


def _title(application: EntryApplication, group: Group) -> str:
    return group.title or application.chat_id


async def _code_fits(ctx: Context, code: str, group: Group) -> bool:
    """A code listed in the group's rule, or one of its counted codes (which uses it)."""
    listed = {normalise_code(c) for c in load(group, ScreeningConfig).codes}
    return code in listed or await take_code(ctx.session, group.id, code, ctx.now)


def _approved_by_code(application: EntryApplication, group: Group) -> list[Action]:
    text = translate(application.lang, "screening.code_ok", group=_title(application, group))
    # Told only once the platform let them in: a request withdrawn meanwhile is not.
    welcome = SendMessage(chat_id=application.user_chat_id, text=text)
    return [
        ApproveJoinRequest(chat_id=application.chat_id, user_id=application.user_id,
                           then=(welcome,), ref=settlement_ref(application)),
    ]


async def _wrong_code(
    ctx: Context, application: EntryApplication, group: Group, config: ScreeningConfig
) -> list[Action]:
    lang, title, private = application.lang, _title(application, group), application.user_chat_id
    application.tries += 1
    left = config.code_tries - application.tries
    if left > 0:
        text = translate(lang, "screening.code_wrong", left=left, group=title)
        return [SendMessage(chat_id=private, text=text)]
    if not await close(ctx.session, application, "declined", "wrong_code", ctx.now):
        return []
    # Not asking any more: the caller then prompts the application next in line.
    application.status = "declined"
    text = translate(lang, "screening.declined_tries", group=title)
    return [
        SendMessage(chat_id=private, text=text),
        DeclineJoinRequest(chat_id=application.chat_id, user_id=application.user_id),
    ]


def _ask_again(pending: list[tuple[EntryApplication, Group]]) -> list[Action]:
    """What the newest application still open waits for: its invite code or next answer."""
    if not pending:
        return []
    application, group = pending[0]
    title, lang = _title(application, group), application.lang
    if application.mode == "code":
        text = translate(lang, "screening.code_again", group=title)
    else:
        config = load(group, ScreeningConfig)
        text = question_text(lang, config, len(application.answers), title)
    return [SendMessage(chat_id=application.user_chat_id, text=text)]


def _take_answer(
    event: Event, application: EntryApplication, group: Group, config: ScreeningConfig
) -> list[Action]:
    answers = [*application.answers, (event.text or "").strip()[:1000]]
    application.answers = answers
    private, lang = application.user_chat_id, application.lang
    if len(answers) < len(config.questions):
        text = question_text(lang, config, len(answers), _title(application, group))
        return [SendMessage(chat_id=private, text=text)]
    application.status = "review"
    return [
        SendMessage(chat_id=private, text=translate(lang, "screening.answers_sent")),
        review_message(application, group, config),
    ]
