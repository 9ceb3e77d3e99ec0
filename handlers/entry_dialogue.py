"""The private conversation with a join requester: ask, check, decide (see entry_applications).

- code groups: the requester replies with an invite code; a valid one approves the request,
  `code_tries` wrong ones decline it with the reason said privately;
- review groups: the requester answers each question in turn (if the group has any), then the
  card goes to the operators with approve/decline buttons; the first press decides, and the
  decision is told privately once the platform has carried it out;
- the replies themselves are read in `entry_replies`;
- no reply within `reply_minutes`: the request is declined and the requester told why.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.actions import (
    Action,
    AnswerCallback,
    ApproveJoinRequest,
    DeclineJoinRequest,
    DeleteMessage,
    SendMessage,
)
from bot.core.context import Context
from bot.core.events import Event
from bot.core.i18n import translate
from bot.db.models import Group
from bot.groups.settings import group_lang
from bot.outbox.store import enqueue
from handlers import entry_texts  # noqa: F401  (registers the texts)
from handlers.entry_applications import (
    OPEN_STATUSES,
    EntryApplication,
    close,
    settlement_ref,
)
from handlers.entry_config import ScreeningConfig, load
from handlers.screening_review import card_heading, review_buttons, review_chat


def requester_chat(event: Event) -> str:
    """The private chat Telegram opened for this join request (the user id on old servers)."""
    return event.requester_chat_id or (event.user.id if event.user else "")


async def start_application(
    ctx: Context, event: Event, config: ScreeningConfig, mode: str
) -> list[Action]:
    """Open an application and write to the requester privately; the reply comes later."""
    assert ctx.group is not None and event.user is not None
    application = await _open(ctx, event, config, mode, "asking")
    group = ctx.group.title or event.chat.id
    if mode == "code":
        text = ctx.t(
            "screening.ask_code",
            name=event.user.name,
            group=group,
            minutes=config.reply_minutes,
            tries=config.code_tries,
        )
    else:
        intro = ctx.t(
            "screening.ask_questions",
            name=event.user.name,
            group=group,
            total=len(config.questions),
            minutes=config.reply_minutes,
        )
        text = f"{intro}\n\n{question_text(ctx.lang, config, 0, group)}"
    return [SendMessage(chat_id=application.user_chat_id, text=text)]


async def send_for_review(ctx: Context, event: Event, config: ScreeningConfig) -> list[Action]:
    """A review group with no questions: the card goes to the operators at once, stored like
    an answered one so that only the first press on it decides, and the requester hears that
    their request waits for an operator."""
    assert ctx.group is not None and event.user is not None
    application = await _open(ctx, event, config, "review", "review")
    text = ctx.t("screening.waiting_review", group=ctx.group.title or event.chat.id)
    return [
        SendMessage(chat_id=application.user_chat_id, text=text),
        review_message(application, ctx.group, config),
    ]


async def _open(
    ctx: Context, event: Event, config: ScreeningConfig, mode: str, status: str
) -> EntryApplication:
    assert ctx.group is not None and event.user is not None
    # A repeated request replaces the earlier conversation: Telegram keeps one request per
    # person and chat, so the old one's deadline must not decline the new request.
    await ctx.session.execute(
        update(EntryApplication)
        .where(
            EntryApplication.group_id == ctx.group.id,
            EntryApplication.user_id == event.user.id,
            EntryApplication.status.in_(OPEN_STATUSES),
        )
        .values(status="expired", reason="replaced", resolved_at=ctx.now)
        .execution_options(synchronize_session=False)
    )
    application = EntryApplication(
        group_id=ctx.group.id,
        platform=ctx.platform,
        chat_id=event.chat.id,
        user_id=event.user.id,
        user_chat_id=requester_chat(event),
        user_name=event.user.name,
        bio=event.text,
        lang=ctx.lang,
        mode=mode,
        status=status,
        tries=0,
        answers=[],
        created_at=ctx.now,
        deadline=ctx.now + timedelta(minutes=config.reply_minutes),
    )
    ctx.session.add(application)
    await ctx.session.flush()
    return application


def question_text(lang: str, config: ScreeningConfig, index: int, group: str) -> str:
    """Question `index` of the group titled `group`, numbered and named for the requester."""
    total = len(config.questions)
    return translate(
        lang,
        "screening.question",
        index=index + 1,
        total=total,
        question=config.questions[index],
        group=group,
    )


def review_message(
    application: EntryApplication, group: Group, config: ScreeningConfig
) -> SendMessage:
    """The operators' card: who asked, their bio, each question with its answer, two buttons."""
    lang = group_lang(group)
    lines = [
        card_heading(lang, config, group)
        + translate(
            lang,
            "screening.review",
            name=escape(application.user_name),
            user_id=application.user_id,
            bio=escape(application.bio or "-"),
        )
    ]
    for question, answer in zip(config.questions, application.answers, strict=False):
        lines.append(f"<b>{escape(question)}</b>\n{escape(answer)}")
    buttons = review_buttons(lang, application.user_id, application.chat_id)
    return SendMessage(
        chat_id=review_chat(config, application.chat_id),
        text="\n\n".join(lines),
        html=True,
        buttons=buttons,
    )


async def operator_decision(
    ctx: Context, group: Group, user_id: str, approve: bool, answer: AnswerCallback,
    card: str | None,
) -> list[Action]:
    """An operator's press on the review card (message `card`) of a request to join `group`.

    The requester's latest application is decided once: a second press on its card (another
    operator's, or the card's other button) is told what decided it and changes nothing. The
    operator's confirmation, the card's removal and the requester's message wait for the
    platform: a request withdrawn, or decided by an admin in the app, cannot be decided, and
    the operator hears that instead. Cards from before applications were stored for every card
    have none to go by and are simply decided.
    """
    application = await ctx.session.scalar(
        select(EntryApplication)
        .where(EntryApplication.group_id == group.id, EntryApplication.user_id == user_id)
        .order_by(EntryApplication.id.desc())
        .limit(1)
    )
    status = "approved" if approve else "declined"
    if application is not None and not await close(
        ctx.session, application, status, "operator", ctx.now
    ):
        await ctx.session.refresh(application)
        text = ctx.t(_decided_before(application), name=user_id)
        return [answer.model_copy(update={"text": text, "show_alert": True})]
    cleanup = (DeleteMessage(chat_id=answer.chat_id, message_id=card),) if card else ()
    then: tuple = (answer.model_copy(update={"text": ctx.t(f"screening.{status}", name=user_id)}),
                   *cleanup)
    if application is not None:
        title = group.title or application.chat_id
        told = translate(application.lang, f"screening.{status}_dm", group=title)
        then += (SendMessage(chat_id=application.user_chat_id, text=told),)

    def refusal(key: str) -> tuple:
        text = ctx.t(key, name=user_id)
        return (answer.model_copy(update={"text": text, "show_alert": True}), *cleanup)

    decide = ApproveJoinRequest if approve else DeclineJoinRequest
    return [decide(
        chat_id=group.chat_id, user_id=user_id, then=then,
        otherwise=refusal("screening.request_refused"),
        refused={"request_gone": refusal("screening.request_gone"),
                 "already_member": refusal("screening.already_member")},
        ref=settlement_ref(application) if application is not None else None,
    )]


def _decided_before(application: EntryApplication) -> str:
    """The text key telling a late press what decided the application."""
    if application.reason == "operator":
        return f"screening.{application.status}_before"
    if application.reason == "joined":
        return "screening.joined_before"
    return "screening.closed_before"


async def expire_applications(
    session: AsyncSession, due_by: datetime, now: datetime, batch: int = 100
) -> int:
    """Decline applications whose requester did not answer in time, telling them why."""
    rows = list(
        await session.scalars(
            select(EntryApplication)
            .where(EntryApplication.status == "asking", EntryApplication.deadline <= due_by)
            .order_by(EntryApplication.deadline)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
    )
    for application in rows:
        application.status, application.reason = "expired", "timeout"
        application.resolved_at = due_by
        group = await session.get(Group, application.group_id)
        minutes = load(group, ScreeningConfig).reply_minutes
        title = (group.title if group else None) or application.chat_id
        text = translate(
            application.lang, "screening.declined_timeout", group=title, minutes=minutes
        )
        actions: list[Action] = [
            SendMessage(chat_id=application.user_chat_id, text=text),
            DeclineJoinRequest(chat_id=application.chat_id, user_id=application.user_id),
        ]
        await enqueue(
            session, application.platform, actions, key=f"entry-timeout:{application.id}", now=now
        )
    return len(rows)
