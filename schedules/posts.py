"""What a firing posts: the actions one job produces for its target groups at one fire time.

Pure decisions over the database (no HTTP): the service stores them in the outbox under the
firing's idempotency key.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import structlog
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

import schedules.texts  # noqa: F401  (registers the texts)
from bot.core.actions import (
    Action,
    Ban,
    EditMessageText,
    LeaveChat,
    SendMessage,
    SendPoll,
    SetChatPermissions,
    Unban,
    UnpinMessage,
)
from bot.core.i18n import translate
from bot.core.rights import OPERATOR_ROLES
from bot.core.router import split_bars
from bot.db.models import Group, Member, OutboxAction
from bot.groups import activity
from bot.groups.settings import group_lang, load_group_settings, unasked_language
from handlers.operator_notes import operator_note
from schedules import models as kinds
from schedules.countdown import render_countdown, render_ended
from schedules.errors import ScheduleError
from schedules.models import ContentSeries, ScheduledJob
from schedules.series import next_step
from schedules.spec import AfterEvent
from schedules.store import firing_key, reached_groups, record_change, spec_of
from schedules.topics import in_topic

log = structlog.get_logger(__name__)
_PLACEHOLDER = re.compile(r"\{(group|date|time|weekday|name)\}")
_WEEKDAYS = {"zh": "一二三四五六日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def group_zone(group: Group, default_tz: str) -> ZoneInfo:
    """The group's timezone, or the service default."""
    return ZoneInfo(load_group_settings(group.settings).timezone or default_tz)


def fill(text: str, group: Group, at: datetime, tz: ZoneInfo, lang: str, name: str = "") -> str:
    """Substitute `{group}` `{date}` `{time}` `{weekday}` `{name}`; other braces stay as typed."""
    local = at.astimezone(tz)
    values = {
        "group": group.title or "",
        "date": local.strftime("%Y-%m-%d"),
        "time": local.strftime("%H:%M"),
        "weekday": _WEEKDAYS[lang][local.weekday()],
        "name": name,
    }
    return _PLACEHOLDER.sub(lambda m: values[m[1]], text)


async def build_actions(
    session: AsyncSession,
    job: ScheduledJob,
    fire_at: datetime,
    *,
    operators: Iterable[str] = (),
    default_tz: str = "Asia/Shanghai",
    window_start: datetime | None = None,
    missed_before: datetime | None = None,
) -> list[Action]:
    """Every action of one firing, group by group (writes series positions as a side effect).

    `missed_before`: onboarding steps that came due before it are past their grace, not sent.
    """
    actions: list[Action] = []
    for group in await reached_groups(session, job):
        lang, tz = group_lang(group), group_zone(group, default_tz)
        made = await _for_group(
            session, job, group, fire_at, lang, tz, operators, (window_start, missed_before)
        )
        actions.extend(in_topic(job, group.chat_id, made))
    return actions


# Kinds whose post needs nothing but the job and the group (the scheduler batches these).
# Kinds whose post a capability outside schedules/ builds, because it keeps its own state on
# the group (an icebreaker round remembers its question to count the replies):
# kind -> builder(session, job, group, fire_at, lang, tz) -> actions, with the group's language
# and timezone (the service's default when the group has none). Posts to the job's own group
# only, so the builder's first action is the firing's action 0.
KindBuilder = Callable[
    [AsyncSession, ScheduledJob, Group, datetime, str, ZoneInfo], Awaitable[list[Action]]
]
KIND_BUILDERS: dict[str, KindBuilder] = {}


def register_kind(kind: str, builder: KindBuilder) -> None:
    """Let a capability build the posts of one job kind."""
    KIND_BUILDERS[kind] = builder


PLAIN_KINDS = (kinds.POST, kinds.CHECKIN_REMINDER, kinds.COUNTDOWN_MARK, kinds.POLL)


def is_plain(job: ScheduledJob, spec: object = None) -> bool:
    """A job posting to its own group only, computed from the row alone (no other reads);
    `spec` if the caller already has it."""
    return (
        job.kind in PLAIN_KINDS
        and not _pinned_mark(job)
        and not job.target
        and job.group_id is not None
        and not isinstance(spec or spec_of(job), AfterEvent)
    )


def group_locale(group: Group, default_tz: str) -> tuple[str, ZoneInfo]:
    """The group's language and timezone, reading its settings once."""
    settings = load_group_settings(group.settings)
    lang = unasked_language(settings)
    return lang, ZoneInfo(settings.timezone or default_tz)


def plain_actions(
    job: ScheduledJob,
    group: Group,
    fire_at: datetime,
    default_tz: str,
    locale: tuple[str, ZoneInfo] | None = None,
) -> list[Action]:
    """The post of a plain job (see `is_plain`) in `group`, in the job's topic; `locale` if
    already known."""
    if group.bot_status in ("left", "kicked"):
        return []
    return in_topic(job, group.chat_id, _plain(job, group, fire_at, default_tz, locale))


def _plain(job, group, fire_at, default_tz, locale) -> list[Action]:
    lang, tz = locale or group_locale(group, default_tz)
    chat, payload = group.chat_id, job.payload
    pin = bool(payload.get("pin"))
    text = payload.get("text", "")
    if job.kind == kinds.CHECKIN_REMINDER:
        shown = text or translate(lang, "schedule.checkin_reminder")
        return [SendMessage(chat_id=chat, text=fill(shown, group, fire_at, tz, lang))]
    if job.kind == kinds.POLL:
        return [poll_action(chat, payload)]
    if job.kind == kinds.COUNTDOWN_MARK:
        left = timedelta(seconds=int(payload["left_seconds"]))
        return [SendMessage(chat_id=chat, text=render_countdown(left, lang, text), pin=pin)]
    return [SendMessage(chat_id=chat, text=fill(text, group, fire_at, tz, lang), pin=pin)]


def _pinned_mark(job: ScheduledJob) -> bool:
    """A countdown reminder pinned in place of the one before, which it reads and unpins."""
    return job.kind == kinds.COUNTDOWN_MARK and bool(job.payload.get("pin"))


def is_onboarding(job: ScheduledJob) -> bool:
    """A post greeting each member a delay after they joined (`入群3天后 …`): its next run is
    only the next minute's look for members now due."""
    return job.kind == kinds.POST and isinstance(spec_of(job), AfterEvent)


async def _for_group(session, job, group, fire_at, lang, tz, operators, window):
    payload = job.payload
    if is_onboarding(job):
        return await _onboarding(session, job, group, fire_at, lang, tz, *window)
    if job.kind == kinds.COUNTDOWN_EDIT:
        return await _countdown_edit(session, job, group, fire_at, lang, tz)
    if _pinned_mark(job):
        return await _pin_in_place(session, job, group, fire_at, tz)
    if job.kind in PLAIN_KINDS:
        return plain_actions(job, group, fire_at, tz.key)
    if job.kind == kinds.SERIES:
        return await _series_post(session, job, group, fire_at, lang, tz)
    if job.kind == kinds.COUNTDOWN_END:
        return await _end_actions(session, job, group, lang, operators)
    if job.kind == kinds.INACTIVITY_CHECK:
        return await _inactivity(session, job, group, fire_at, lang)
    if job.kind == kinds.DIGEST:
        return await _digest(session, group, fire_at, payload, lang)
    if job.kind in KIND_BUILDERS:
        return await KIND_BUILDERS[job.kind](session, job, group, fire_at, lang, tz)
    raise ValueError(f"unknown job kind {job.kind!r}")


async def _series_post(session, job, group, fire_at, lang, tz) -> list[Action]:
    """The group's next item; after the last one, a note to its operators saying so, and a job
    posting to its own group only is switched off (a looping series starts again instead)."""
    payload = job.payload
    # A series kept in each language (the topics of the day) posts in the group's language now.
    series_id = int((payload.get("series_by_lang") or {}).get(lang) or payload["series_id"])
    loop = bool(payload.get("loop"))
    step = await next_step(session, series_id, group.id, loop=loop)
    if step is None:
        return []
    text = fill(step.text, group, fire_at, tz, lang)
    actions: list[Action] = [
        SendMessage(chat_id=group.chat_id, text=text, pin=bool(payload.get("pin")))
    ]
    if step.last and not payload.get("quiet_end"):
        series = await session.get(ContentSeries, series_id)
        name = series.name if series is not None else str(series_id)
        stop = not loop and not job.target
        key = "series.looping" if loop else "series.finished" if stop else "series.done_here"
        note = translate(lang, key, name=name, total=step.total, id=job.id)
        actions.append(operator_note(group, lang, note, creator=job.created_by))
        if stop:
            job.enabled = False
            record_change(session, job.id, fire_at)
    return actions


async def _end_actions(session, job, group, lang, operators) -> list[Action]:
    chat, payload = group.chat_id, job.payload
    text, pin, end = payload.get("text", ""), bool(payload.get("pin")), payload.get("end")
    ended = render_ended(lang, text)
    actions: list[Action] = []
    if "edit_key" in payload:
        # An `update` countdown's one message would go on saying "1 hour left", pinned on top:
        # it says the countdown is over and leaves the pinned ones.
        message_id = await _sent_message_id(session, payload["edit_key"])
        if message_id is not None:
            actions.append(EditMessageText(chat_id=chat, message_id=message_id, text=ended))
            if pin:
                actions.append(UnpinMessage(chat_id=chat, message_id=message_id))
    elif pin:
        # Each reminder unpinned the one before; the last would stay on top saying "1 hour left".
        actions += await _unpin_previous(session, job, chat)
    # The end notice goes out so members hear of it, unpinned, or it would be the next stale pin.
    actions.append(SendMessage(chat_id=chat, text=ended))
    if end == "close":
        actions.append(SetChatPermissions(chat_id=chat, can_send_messages=False))
    elif end == "dissolve":
        staff = set(operators) | set(load_group_settings(group.settings).operators)
        members = await session.scalars(
            select(Member).where(
                Member.group_id == group.id,
                Member.status.in_(("member", "restricted")),
                Member.is_bot.is_(False),
                Member.role.not_in(OPERATOR_ROLES),
            )
        )
        for member in members:
            if member.user_id in staff:
                continue
            # Ban then unban removes the member without barring them from coming back.
            actions.append(Ban(chat_id=chat, user_id=member.user_id))
            actions.append(Unban(chat_id=chat, user_id=member.user_id))
        actions.append(LeaveChat(chat_id=chat))
    return actions


async def _pin_in_place(session, job, group, fire_at, tz) -> list[Action]:
    """A pinned reminder, unpinning the one before, so the group's pinned messages do not fill
    up with "3 days left"; the next reminder, or the end, unpins this one."""
    actions = plain_actions(job, group, fire_at, tz.key)
    if not actions:
        return []
    actions += await _unpin_previous(session, job, group.chat_id)
    # The reminder is the firing's first action; an `update` countdown's end unpins its own one.
    for step in await _later_steps(session, job, fire_at, kinds.COUNTDOWN_MARK):
        if "edit_key" not in step.payload:
            step.payload = {**step.payload, "unpin_key": f"{firing_key(job.id, fire_at)}:0"}
    return actions


async def _later_steps(session, job, fire_at, kind: str) -> list[ScheduledJob]:
    """The steps of `job`'s countdown of `kind`, and its end, still to fire after `fire_at`."""
    return list(await session.scalars(
        select(ScheduledJob).where(
            ScheduledJob.countdown_id == job.countdown_id,
            ScheduledJob.group_id == job.group_id,
            ScheduledJob.kind.in_((kind, kinds.COUNTDOWN_END)),
            ScheduledJob.next_run_at > fire_at,
        )
    ))


async def _unpin_previous(session, job, chat: str) -> list[Action]:
    """Unpin the countdown's reminder pinned before `job`, if one was sent."""
    key = job.payload.get("unpin_key")
    message_id = None if key is None else await _sent_message_id(session, key)
    return [] if message_id is None else [UnpinMessage(chat_id=chat, message_id=message_id)]


async def _countdown_edit(session, job, group, fire_at, lang, tz) -> list[Action]:
    """Edit the countdown's first message to the new time left; post anew if it never went out."""
    message_id = await _sent_message_id(session, job.payload["edit_key"])
    left = timedelta(seconds=int(job.payload["left_seconds"]))
    text = render_countdown(left, lang, job.payload.get("text", ""))
    if message_id is None:
        await _edit_this_one_next(session, job, fire_at)
        return [SendMessage(chat_id=group.chat_id, text=text, pin=bool(job.payload.get("pin")))]
    return [EditMessageText(chat_id=group.chat_id, message_id=message_id, text=text)]


async def _sent_message_id(session, key: str) -> str | None:
    """The id the platform gave the message the outbox sent under `key`; None if it has not."""
    result = await session.scalar(
        select(OutboxAction.result).where(
            OutboxAction.idempotency_key == key, OutboxAction.status == "done"
        )
    )
    message_id = result.get("message_id") if isinstance(result, dict) else None
    return None if message_id is None else str(message_id)


async def _edit_this_one_next(session, job, fire_at) -> None:
    """Point the countdown's later edits, and its end, at the message this firing posts in
    place of the first one (missed, or refused), or each of them would post and pin one of
    its own."""
    key = f"{firing_key(job.id, fire_at)}:0"  # the post is the firing's only action
    for edit in await _later_steps(session, job, fire_at, kinds.COUNTDOWN_EDIT):
        edit.payload = {**edit.payload, "edit_key": key}


def poll_action(chat: str, payload: dict) -> SendPoll:
    """The poll a job's payload describes (validated when the job was made)."""
    return SendPoll(
        chat_id=chat,
        question=payload["question"],
        options=tuple(payload["options"]),
        anonymous=bool(payload.get("anonymous", True)),
    )


def poll_payload(body: str) -> dict:
    """`Question? | option 1 | option 2 ...` as a poll job's payload; bad input raises."""
    question, *options = split_bars(body)
    return make_poll_payload(question, [option for option in options if option])


def make_poll_payload(question: object, options: object, anonymous: bool = True) -> dict:
    """A poll job's payload, checked the way the platform will check it; bad input raises."""
    try:
        poll = poll_action("0", {"question": question, "options": options, "anonymous": anonymous})
    except (ValidationError, TypeError, KeyError) as exc:
        raise ScheduleError("bad_poll") from exc
    return {
        "question": poll.question,
        "options": list(poll.options),
        "anonymous": poll.anonymous,
        "text": "",
    }


async def _digest(session, group, fire_at, payload, lang) -> list[Action]:
    """The last `hours` of the group in figures: members' messages (and ads removed, apart),
    newcomers, members now."""
    hours = int(payload.get("hours", 24))
    since = fire_at - timedelta(hours=hours)
    posted = await activity.tally(session, group.id, since, fire_at)
    in_group = (Member.group_id == group.id, Member.is_bot.is_(False))
    joined = await session.scalar(
        select(func.count()).where(*in_group, Member.joined_at >= since, Member.joined_at < fire_at)
    )
    members = await session.scalar(
        select(func.count()).where(*in_group, Member.status.in_(("member", "restricted")))
    )
    text = translate(
        lang,
        "schedule.digest",
        hours=hours,
        messages=posted.messages,
        joined=joined,
        members=members,
    )
    if posted.ads_removed:
        text += translate(lang, "schedule.digest_ads", ads=posted.ads_removed)
    return [SendMessage(chat_id=group.chat_id, text=text)]


async def _inactivity(session, job, group, fire_at, lang) -> list[Action]:
    """A word to the operators when members posted fewer than `threshold` messages in the last
    `days` (notices, commands, bots and ads are no sign of life)."""
    payload = job.payload
    days = int(payload.get("days", 7))
    threshold = int(payload.get("threshold", 10))
    posted = await activity.tally(session, group.id, fire_at - timedelta(days=days), fire_at)
    if posted.messages >= threshold:
        return []
    text = translate(
        lang, "schedule.inactive", days=days, count=posted.messages, threshold=threshold
    )
    return [operator_note(group, lang, text, creator=job.created_by)]


async def _onboarding(
    session, job, group, fire_at, lang, tz, window_start, missed_before
) -> list[Action]:
    """One post per firing naming the members whose "N days after joining" fell in the window
    (each member's step falls in exactly one window: they follow each other without gaps)."""
    delay = spec_of(job).delay  # type: ignore[union-attr]
    since = window_start or job.created_at
    if missed_before is not None and missed_before > since:
        log.info(
            "schedule.onboarding_missed",
            job_id=job.id,
            group_id=group.id,
            due_from=since.isoformat(),
            due_until=missed_before.isoformat(),
            reason="missed_grace",
        )
        since = missed_before
    members = await session.scalars(
        select(Member)
        .where(
            Member.group_id == group.id,
            Member.status == "member",
            Member.is_bot.is_(False),
            Member.joined_at > since - delay,
            Member.joined_at <= fire_at - delay,
        )
        .order_by(Member.joined_at)
    )
    names = [m.display_name or m.username or m.user_id for m in members]
    if not names:
        return []
    listed = ("、" if lang == "zh" else ", ").join(names)
    text = job.payload.get("text", "")
    shown = fill(text, group, fire_at, tz, lang, name=listed)
    if "{name}" not in text:
        shown = f"{listed}: {shown}"
    return [SendMessage(chat_id=group.chat_id, text=shown)]
