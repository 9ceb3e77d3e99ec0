"""`/schedule` and `/countdown`: operators plan fixed-time posts and countdowns in chat.

Jobs made in a group post to that group. Bad phrases get the accepted forms back, in the
group's language; the scheduler service (leader only) does the posting.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.core.actions import MAX_TEXT, SendMessage, over_limit, text_length
from bot.core.context import Context
from bot.core.events import Event
from bot.core.i18n import named
from bot.core.router import Router
from schedules import models as _models  # noqa: F401  (registers the tables on Base.metadata)
from schedules import texts as _texts  # noqa: F401  (registers the texts)
from schedules.countdown import marks_text, parse_countdown_args
from schedules.countdowns import (
    cancel_countdown,
    create_countdown,
    running_countdowns,
    split_flags,
)
from schedules.describe import describe, format_duration
from schedules.errors import ScheduleError
from schedules.firing import FireConfig, fire_now
from schedules.models import (
    CHECKIN_REMINDER,
    COUNTDOWN_KINDS,
    DIGEST,
    ICEBREAKER_ROUND,
    INACTIVITY_CHECK,
    POLL,
    POST,
    SERIES,
    ContentSeries,
    ScheduledJob,
)
from schedules.options import resolve_target, split_options
from schedules.posts import is_onboarding, poll_payload
from schedules.reach import reach_lines
from schedules.series import (
    add_item,
    all_series,
    check_series_rights,
    create_series,
    item_count,
    need_series,
)
from schedules.store import (
    create_job,
    find_group_job,
    group_jobs,
    pause,
    remove_job,
    resume,
    spec_of,
)
from schedules.syntax import parse_schedule

router = Router("schedules")



def first_word(text: str, *, lower: bool = True) -> tuple[str, str]:
    """(the first word, lowercased unless told not to; the rest as typed). A word ends at any
    whitespace: a series item or a post is often typed on the line after its name."""
    word, *rest = re.split(r"\s+", text.strip(), maxsplit=1)
    return (word.lower() if lower else word), (rest[0].strip() if rest else "")


def _reply(event: Event, text: str) -> list[SendMessage]:
    return [SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)]


def _local(ctx: Context, at: datetime | None) -> str:
    return at.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M") if at else ctx.t("schedule.never")


def _next(ctx: Context, job: ScheduledJob) -> str:
    """When the job posts next, as the replies and the list say it."""
    if job.enabled and is_onboarding(job):
        # Shown as a time, its next_run_at (the next minute's look for members now due) read as
        # a post going out in a minute.
        delay = format_duration(spec_of(job).delay, ctx.lang)  # type: ignore[union-attr]
        return ctx.t("schedule.next_after_join", delay=delay)
    return ctx.t("schedule.next_at", time=_local(ctx, job.next_run_at if job.enabled else None))


@router.command(
    "schedule",
    description={"zh": "定时发送：添加、查看、暂停、删除", "en": "Plan fixed-time posts"},
    operator_only=True,
    group_only=True,
)
async def schedule_command(event: Event, ctx: Context) -> list[SendMessage]:
    """`/schedule add|list|pause|resume|remove|run-now ...`."""
    assert ctx.group is not None  # group_only route
    sub, rest = first_word(event.args)
    if sub == "add":
        return await _add(event, ctx, rest)
    if sub in ("list", "ls", ""):
        return await _list(event, ctx, await group_jobs(ctx.session, ctx.group.id))
    if sub in ("pause", "resume", "remove", "delete", "rm", "run-now", "run"):
        # "#3" as the list and the replies write it; isdecimal, not isdigit ("²" is a digit).
        number = rest.removeprefix("#")
        if not number.isdecimal():
            # No id to look for: "no job numbered ?" would send them looking for a job.
            return _reply(event, ctx.t("schedule.id_usage", sub=sub))
        job = await find_group_job(ctx.session, ctx.group.id, int(number))
        if job is None:
            return _reply(event, ctx.t("schedule.not_found", id=rest))
        if job.kind in COUNTDOWN_KINDS:
            # Hidden from /schedule list: run-now would fire a countdown's end (a dissolve
            # removes everyone) early, and pausing or removing one step breaks the countdown.
            return _reply(
                event, ctx.t("schedule.is_countdown", id=job.id, countdown=job.countdown_id)
            )
        return await _change(event, ctx, sub, job)
    return _reply(event, ctx.t("schedule.usage"))


async def _add(event: Event, ctx: Context, rest: str) -> list[SendMessage]:
    assert ctx.group is not None
    try:
        parsed = parse_schedule(rest, ctx.tz, now=ctx.now)
        text, options = split_options(parsed.text)
        if over_limit(text) > 0:
            # Refused now, not at every run (the API refuses it the same way).
            raise ScheduleError("text_too_long", limit=MAX_TEXT, length=text_length(text))
        if options.target and not _platform_operator(event, ctx):
            raise ScheduleError("target_not_allowed")
        target = await resolve_target(ctx.session, ctx.group.platform, options.target)
        series = _SERIES.fullmatch(text)
        quiet = _INACTIVITY.fullmatch(text)
        kind, payload, count = POST, {"text": text}, 0
        if (poll := _POLL.fullmatch(text)) is not None:
            kind, payload = POLL, poll_payload(poll["body"])
        elif _DIGEST.fullmatch(text):
            kind, payload = DIGEST, {"hours": 24, "text": ""}
        elif _ICEBREAKER.fullmatch(text):
            if target:
                raise ScheduleError("icebreaker_here_only")
            kind, payload = ICEBREAKER_ROUND, {"text": ""}
        elif (reminder := _CHECKIN_REMINDER.fullmatch(text)) is not None:
            kind, payload = CHECKIN_REMINDER, {"text": (reminder["text"] or "").strip()}
        if quiet is not None:
            days, threshold = int(quiet["days"] or 7), int(quiet["threshold"] or 10)
            if days < 1 or threshold < 1:
                # No message fits in 0 days (a warning every time); none is under 0 (never one).
                raise ScheduleError("bad_inactivity")
            kind, payload = INACTIVITY_CHECK, {"days": days, "threshold": threshold, "text": ""}
        if series is not None:
            found = await need_series(ctx.session, series["name"])
            check_series_rights(found, ctx.group.id, _platform_operator(event, ctx), using=True)
            count = await item_count(ctx.session, found.id)
            if not count:
                raise ScheduleError("empty_series", name=found.name)
            loop = bool(series["loop"])
            kind, payload = SERIES, {"series_id": found.id, "loop": loop, "text": ""}
    except ScheduleError as exc:
        return _reply(event, exc.message(ctx.lang))
    if not text:
        return _reply(event, ctx.t("schedule.no_text"))
    phrase = rest[: len(rest) - len(parsed.text)].strip()
    try:
        job = await create_job(
            ctx.session,
            spec=parsed.spec,
            now=ctx.now,
            group=ctx.group,
            kind=kind,
            payload=payload,
            target=target,
            phrase=phrase,
            grace=options.grace,
            created_by=event.user.id if event.user else None,
            thread_id=event.thread_id,
        )
    except ScheduleError as exc:
        return _reply(event, exc.message(ctx.lang))
    when = describe(parsed.spec, ctx.lang, ctx.tz.key)
    next_run = _next(ctx, job)
    if series is not None:
        end = ctx.t("schedule.series_end_loop" if payload["loop"] else "schedule.series_end_stop")
        added = ctx.t(
            "schedule.series_added",
            id=job.id,
            when=when,
            name=found.name,
            count=count,
            end=end,
            next=next_run,
        )
    else:
        added = ctx.t("schedule.added", id=job.id, when=when, next=next_run)
    # A targeted job posts elsewhere, maybe nowhere yet: the reply says where.
    where = await reach_lines(ctx.session, job, ctx.lang, warn=True)
    if target and event.thread_id is not None:
        where.append(ctx.t("schedule.topic_ignored"))
    return _reply(event, "\n".join([added, *where]))


# `inactivity [7d] [10]` (or 活跃检查 7天 10条): tell the operators when the group had fewer
# than 10 messages in the last 7 days.
# `poll: question | option | option` (or 投票：...), `digest` (日报), `checkin reminder [text]`.
_POLL = re.compile(r"(?:poll|投票)\s*[:：]\s*(?P<body>.+)", re.I | re.S)
_DIGEST = re.compile(r"digest|日报|群日报", re.I)
_ICEBREAKER = re.compile(r"icebreaker|破冰(?:问答)?", re.I)
_CHECKIN_REMINDER = re.compile(
    r"(?:checkin[- ]reminder|签到提醒)(?:\s+(?P<text>.+))?", re.I | re.S
)
_INACTIVITY = re.compile(
    r"(?:inactivity|活跃检查|活跃度检查)(?:\s+(?P<days>\d{1,3})\s*(?:d|days?|天))?"
    r"(?:\s+(?:<|少于|低于)?\s*(?P<threshold>\d{1,6})\s*(?:条|msgs?|messages?)?)?",
    re.I,
)

# `series:<name>` (or 系列:<name>) instead of a text, optionally followed by `loop` (or 循环).
_SERIES = re.compile(r"(?:series|系列)\s*[:：]\s*(?P<name>\S+)(?:\s+(?P<loop>loop|循环))?", re.I)


def _platform_operator(event: Event, ctx: Context) -> bool:
    """Posting to other groups is for the bot's global operators, not one group's admins."""
    return event.user is not None and event.user.id in ctx.platform_operators


@router.command(
    "series",
    description={"zh": "内容系列：新建、添加、查看", "en": "Content series: create, add, list"},
    operator_only=True,
    group_only=True,
)
async def series_command(event: Event, ctx: Context) -> list[SendMessage]:
    """`/series add <name>`, `/series item <name> <text>` (or as a reply), `/series list`."""
    sub, rest = first_word(event.args)
    try:
        if sub in ("add", "new", "新建"):
            owner = None if _platform_operator(event, ctx) else ctx.group.id
            series = await create_series(
                ctx.session, rest, ctx.now, owner_group_id=owner, reserved_ok=owner is None
            )
            return _reply(event, ctx.t("series.created", name=series.name))
        if sub in ("item", "添加") and rest:
            name, text = first_word(rest, lower=False)
            series = await need_series(ctx.session, name)
            check_series_rights(series, ctx.group.id, _platform_operator(event, ctx))
            # Replying to a message adds that message (long lessons are easier to write apart).
            text = text.strip() or (event.reply_to_text or "")
            number = await add_item(ctx.session, series, text)
            return _reply(event, ctx.t("series.item_added", name=series.name, number=number))
        if sub in ("list", "ls", "列表"):
            listed = await all_series(ctx.session, ctx.group.id)
            if not listed:
                return _reply(event, ctx.t("series.empty"))
            lines = [ctx.t("series.list_title")] + [
                ctx.t("series.list_item", name=series.name, count=count) for series, count in listed
            ]
            return _reply(event, "\n".join(lines))
    except ScheduleError as exc:
        return _reply(event, exc.message(ctx.lang))
    return _reply(event, ctx.t("series.usage"))


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


async def _what(ctx: Context, job: ScheduledJob) -> str:
    """What a job posts, in the group's language (its text, or what its kind does)."""
    payload = job.payload
    if job.kind == POLL:
        return ctx.t("schedule.what_poll", question=_short(payload.get("question", "")))
    if job.kind == SERIES:
        if payload.get("series_by_lang"):
            return ctx.t("schedule.what_topics")
        series = await ctx.session.get(ContentSeries, int(payload["series_id"]))
        return ctx.t("schedule.what_series", name=_short(series.name) if series else "?")
    if job.kind == INACTIVITY_CHECK:
        return ctx.t(
            "schedule.what_inactivity",
            days=payload.get("days", 7),
            threshold=payload.get("threshold", 10),
        )
    if job.kind == CHECKIN_REMINDER:
        if payload.get("text"):
            return ctx.t("schedule.what_reminder_text", text=_short(payload["text"]))
        return ctx.t("schedule.what_reminder")
    if job.kind == DIGEST:
        return ctx.t("schedule.what_digest")
    if job.kind == ICEBREAKER_ROUND:
        return ctx.t("schedule.what_icebreaker")
    return _short(payload.get("text") or job.kind)


async def _list(event: Event, ctx: Context, jobs: list[ScheduledJob]) -> list[SendMessage]:
    shown = [job for job in jobs if job.kind not in COUNTDOWN_KINDS]
    if not shown:
        return _reply(event, ctx.t("schedule.empty"))
    lines = [ctx.t("schedule.list_title")]
    for job in shown:
        state = ctx.t("schedule.state_on" if job.enabled else "schedule.state_paused")
        text = await _what(ctx, job)
        lines.append(
            ctx.t(
                "schedule.list_item",
                id=job.id,
                state=state,
                when=describe(spec_of(job), ctx.lang, ctx.tz.key),
                text=text,
                next=_next(ctx, job),
            )
        )
        lines.extend(f"    {line}" for line in await reach_lines(ctx.session, job, ctx.lang))
    return _reply(event, "\n".join(lines))


async def _change(event: Event, ctx: Context, sub: str, job: ScheduledJob) -> list[SendMessage]:
    if sub == "pause":
        pause(ctx.session, job, ctx.now)
        return _reply(event, ctx.t("schedule.paused", id=job.id))
    if sub == "resume":
        resume(ctx.session, job, ctx.now)
        return _reply(event, ctx.t("schedule.resumed", id=job.id, next=_next(ctx, job)))
    if sub in ("remove", "delete", "rm"):
        await remove_job(ctx.session, job, ctx.now)
        return _reply(event, ctx.t("schedule.removed", id=job.id))
    # run-now: the firing goes to the outbox in this event's transaction, under its own key.
    config = FireConfig(operators=ctx.platform_operators, default_tz=ctx.tz.key)
    await fire_now(ctx.session, job, ctx.now, ctx.now, config)
    return _reply(event, ctx.t("schedule.ran", id=job.id))


@router.command(
    "countdown",
    description={"zh": "倒计时提醒与结束动作", "en": "Countdown reminders and an end action"},
    operator_only=True,
    group_only=True,
)
async def countdown_command(event: Event, ctx: Context) -> list[SendMessage]:
    """`/countdown <deadline> <text> [marks=..] [end=..] [pin]`, `list`, `cancel <id>`."""
    assert ctx.group is not None
    args = event.args.strip()
    sub, rest = first_word(args)
    if not args:
        return _reply(event, ctx.t("countdown.usage"))
    if sub == "list":
        running = await running_countdowns(ctx.session, ctx.group.id)
        if not running:
            return _reply(event, ctx.t("countdown.empty"))
        lines = [
            ctx.t(
                "countdown.list_item",
                id=job.countdown_id,
                deadline=_local(ctx, job.next_run_at),
                end=named(ctx.lang, "value.end", job.payload.get("end", "announce")),
                text=job.payload.get("text", ""),
            )
            + (f" {ctx.t('schedule.in_topic', topic=job.thread_id)}" if job.thread_id else "")
            for job in running
        ]
        return _reply(event, "\n".join(lines))
    if sub == "cancel":
        key = rest.strip().removeprefix("#")
        if not key.isdecimal():
            return _reply(event, ctx.t("countdown.cancel_usage"))
        if not await cancel_countdown(ctx.session, ctx.group.id, key, ctx.now):
            return _reply(event, ctx.t("countdown.not_found", id=key))
        return _reply(event, ctx.t("countdown.cancelled", id=key))
    args, pin, update = split_flags(args)
    try:
        request = parse_countdown_args(args, ctx.tz, now=ctx.now)
        end, count = await create_countdown(
            ctx.session,
            ctx.group,
            request,
            pin=pin,
            update=update,
            now=ctx.now,
            created_by=event.user.id if event.user else None,
            thread_id=event.thread_id,
        )
    except ScheduleError as exc:
        return _reply(event, exc.message(ctx.lang))
    deadline = _local(ctx, request.deadline)
    lines = [
        ctx.t(
            "countdown.created",
            id=end.countdown_id,
            deadline=deadline,
            count=count,
            end=named(ctx.lang, "value.end", request.end),
        )
    ]
    dropped = request.dropped(ctx.now) if request.marks_given else ()
    if dropped:
        lines.append(
            ctx.t(
                "countdown.marks_dropped",
                marks=marks_text(dropped, ctx.lang),
                count=len(dropped),
                left=format_duration(request.deadline - ctx.now, ctx.lang),
            )
        )
    if request.whole_day:
        lines.append(ctx.t("countdown.whole_day", date=deadline.split()[0]))
    return _reply(event, "\n".join(lines))
