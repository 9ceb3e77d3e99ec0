"""JSON API for schedules (the dashboard's backend): list, create, change, delete, run now.

Same phrase syntax as `/schedule add`; bad input is a 422 carrying the zh and en explanations.
Protected by `Authorization: Bearer <QUNBOT_DASHBOARD_PASSWORD>`, compared in constant time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.actions import MAX_TEXT, over_limit
from bot.core.i18n import LANGUAGES, translate
from bot.db.models import Group
from bot.groups.repository import find_current_group
from bot.groups.settings import load_group_settings
from bot.web.dashboard_auth import Authorized, DashboardRoute
from bot.web.pages import Paged, finish
from bot.web.state import Runtime
from schedules.describe import describe
from schedules.errors import ScheduleError
from schedules.models import (
    CHECKIN_REMINDER,
    COUNTDOWN_KINDS,
    DIGEST,
    INACTIVITY_CHECK,
    POLL,
    POST,
    SERIES,
    ScheduledJob,
)
from schedules.options import parse_target, resolve_target
from schedules.posts import make_poll_payload
from schedules.reach import unreached_warning
from schedules.series import (
    add_item,
    all_series,
    create_series,
    find_series,
    item_count,
    need_series,
)
from schedules.spec import spec_to_json
from schedules.store import (
    MAX_JOB_ID,
    check_pairing,
    create_job,
    first_run,
    group_jobs,
    pause,
    reached_groups,
    record_change,
    remove_job,
    resume,
    spec_of,
)
from schedules.syntax import parse_schedule

# A year at most (null means no limit): beyond it timedelta overflows and the column's 32 bits.
MAX_GRACE_MINUTES = 366 * 24 * 60
# The token is checked first; bodies over QUNBOT_MAX_BODY_BYTES are refused (413) before they
# are read whole.
router = APIRouter(prefix="/api", route_class=DashboardRoute)


def _one_message(text: str) -> str:
    # Counted as Telegram counts (UTF-16 units): by code points, emoji-rich texts passed here
    # and failed at every run.
    if (over := over_limit(text)) > 0:
        raise ValueError(
            f"longer than one message: {MAX_TEXT} characters at most as Telegram counts them "
            f"(an emoji may count as two), {over} over"
        )
    return text


# The text of one message: Telegram refuses a longer one whenever it is sent.
MessageText = Annotated[str, AfterValidator(_one_message)]


# A forum topic of the group to post in: the `message_thread_id` Telegram gives the topic's
# messages (a message id, so positive and 32-bit). Strict: "77" or true is no topic's number.
TopicId = Annotated[
    int | None,
    Field(
        default=None,
        strict=True,
        gt=0,
        le=2**31 - 1,
    ),
]


def topic_json(job: ScheduledJob) -> int | None:
    """The job's forum topic as the API shows it (None: the General topic)."""
    return int(job.thread_id) if job.thread_id else None


class JobPayload(BaseModel):
    """What a kind reads besides `text`: a poll's question, options and anonymity, an inactivity
    check's days and threshold; other keys are kept as given."""

    model_config = ConfigDict(extra="allow")

    # Checked by make_poll_payload as the platform will check them.
    question: Any = None
    options: Any = None
    # Strict: bool("no") is True, and a poll asked to name its voters would not.
    anonymous: StrictBool = True
    # An inactivity check's window and bar, in chat's bounds: stored as given, a word for days
    # failed at every run, 0 days warned at every run and a bar of 0 messages never did.
    days: StrictInt = Field(default=7, ge=1, le=999)
    threshold: StrictInt = Field(default=10, ge=1, le=999_999)


class NewSchedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    when: str = Field(min_length=1, max_length=255)
    text: MessageText = ""
    kind: str = POST
    grace_minutes: int | None = Field(default=10, ge=0, le=MAX_GRACE_MINUTES)
    # Where it posts, in the forms chat takes: "type:flash", "tag:vip", "groups:-1001,-1002",
    # parsed and resolved the same way; no target document is taken as given, since one naming
    # no real group fails at every run. The dashboard password is the bot owner's, so its
    # holder may aim jobs at other groups as a global operator does in chat.
    to: str | None = Field(default=None, max_length=500)
    # Ignored with `to` (said in the answer's `note`): a topic belongs to one group.
    thread_id: TopicId = None
    # Post the next item of this series instead of `text` (kind becomes "series").
    series: str | None = Field(default=None, max_length=128)
    loop: StrictBool = False
    payload: JobPayload = JobPayload()


class NewSeries(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    items: list[Annotated[MessageText, Field(min_length=1)]] = []


class NewSeriesItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[MessageText, Field(min_length=1)]


class ScheduleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: StrictBool | None = None
    when: str | None = Field(default=None, min_length=1, max_length=255)
    text: MessageText | None = None
    grace_minutes: int | None = Field(default=None, ge=0, le=MAX_GRACE_MINUTES)
    # Given as null: the General topic (unlike the other fields, where null changes nothing).
    thread_id: TopicId = None


# The kinds whose posts are their `text`; a poll posts its question, a series its items, a
# digest and an inactivity check their figures.
TEXT_KINDS = (POST, CHECKIN_REMINDER)


def invalid(exc: ScheduleError) -> HTTPException:
    return HTTPException(422, {"code": exc.code, "zh": exc.zh, "en": exc.en})


def no_text() -> HTTPException:
    # Telegram refuses an empty or blank message: the post would fail at every run.
    return HTTPException(
        422, {"code": "no_text", "zh": "缺少要发送的内容", "en": "text is required"}
    )


def text_unused(kind: str, job_id: int | None = None) -> HTTPException:
    """A `text` given to a kind that posts none (not in TEXT_KINDS): taken, it would be shown
    and never posted."""
    zh = f"#{job_id} 是 {kind} 任务，" if job_id else f"{kind} 任务"
    en = f"#{job_id} is a {kind} job, which" if job_id else f"A {kind} job"
    return HTTPException(422, {
        "code": "text_unused",
        "field": "text",
        "zh": f"{zh}不发送 text：请去掉 text 字段（它改变不了任务发送的内容）",
        "en": f"{en} posts no text: leave out the `text` field (it would change nothing "
              "the job posts)",
    })


def text_in_when() -> HTTPException:
    # Words after the time are the text only when no `text` is given (chat's one-line form):
    # beside one, or in a change, they were kept in `when` and never posted.
    return HTTPException(422, {
        "code": "text_in_when",
        "zh": "when 里时间后面还有文字：要发送的内容请写在 text 里",
        "en": "`when` has words after the time: put what to post in `text`",
    })


def job_json(job: ScheduledJob, group_tz: str) -> dict[str, Any]:
    """A job as the dashboard shows it."""
    spec = spec_of(job)
    return {
        "id": job.id,
        "group_id": job.group_id,
        "kind": job.kind,
        "when": job.phrase,
        "describe": {"zh": describe(spec, "zh", group_tz), "en": describe(spec, "en", group_tz)},
        "spec": job.spec,
        "text": job.payload.get("text", ""),
        "target": job.target,
        "thread_id": topic_json(job),
        "enabled": job.enabled,
        "grace_seconds": job.grace_seconds,
        "next_run_at": job.next_run_at.isoformat() if job.next_run_at else None,
        "last_run_at": job.last_run_at.isoformat() if job.last_run_at else None,
        "last_result": job.last_result,
    }


async def named_group(session: AsyncSession, group_id: str) -> Group:
    """A group by platform chat id (what operators see) or by our row id."""
    # Also by the id a group had before its upgrade to a supergroup: saved links keep working.
    group = await find_current_group(session, None, group_id)
    # A number no row can have is looked up nowhere: the database would refuse it (a 500).
    if group is None and group_id.isdigit() and 0 < int(group_id) <= MAX_JOB_ID:
        group = await session.get(Group, int(group_id))
    if group is None:
        raise HTTPException(404, "no such group")
    return group


def group_tz(runtime: Runtime, group: Group | None) -> str:
    settings = load_group_settings(group.settings if group else None)
    return settings.timezone or runtime.settings.timezone


@router.get("/groups/{group_id}/schedules")
async def list_schedules(
    group_id: str, runtime: Authorized, page: Paged, request: Request, response: Response
) -> list[dict[str, Any]]:
    async with runtime.sessions() as session:
        group = await named_group(session, group_id)
        tz = group_tz(runtime, group)
        jobs = await group_jobs(session, group.id, without=COUNTDOWN_KINDS, page=page)
        return [job_json(job, tz) for job in finish(jobs, page, request, response)]


@router.post("/groups/{group_id}/schedules", status_code=201)
async def add_schedule(group_id: str, body: NewSchedule, runtime: Authorized) -> dict[str, Any]:
    if body.kind not in (POST, SERIES, CHECKIN_REMINDER, INACTIVITY_CHECK, POLL, DIGEST):
        raise HTTPException(422, {"code": "bad_kind", "zh": "不支持的任务类型", "en": "bad kind"})
    if body.kind == SERIES and body.series is None:
        # Stored, it would have no series to post from: every run would fail.
        raise HTTPException(422, {
            "code": "no_series_name",
            "zh": "kind 为 series 时要用 series 写上系列名",
            "en": "kind series needs the series' name in `series`",
        })
    now = runtime.scheduler.now()
    async with runtime.sessions.begin() as session:
        group = await named_group(session, group_id)
        tz = group_tz(runtime, group)
        try:
            parsed = parse_schedule(body.when, tz, now=now)
        except ScheduleError as exc:
            raise invalid(exc) from None
        if body.text and parsed.text.strip():
            raise text_in_when()
        text = body.text or parsed.text
        given = body.payload.model_dump(exclude_unset=True)
        kind, payload, target = body.kind, {**given, "text": text}, {}
        try:
            if body.to is not None:
                target = await resolve_target(session, group.platform, parse_target(body.to))
            if kind == POLL:
                payload = make_poll_payload(
                    body.payload.question, body.payload.options, body.payload.anonymous
                )
            elif kind == DIGEST:
                payload = {"hours": 24, "text": ""}
            elif kind == INACTIVITY_CHECK:
                days, threshold = body.payload.days, body.payload.threshold
                payload = {"days": days, "threshold": threshold, "text": ""}
            if body.series is not None:
                series = await need_series(session, body.series)
                if not await item_count(session, series.id):
                    raise ScheduleError("empty_series", name=series.name)
                kind = SERIES
                payload = {"series_id": series.id, "loop": body.loop, "text": ""}
        except ScheduleError as exc:
            raise invalid(exc) from None
        if kind not in TEXT_KINDS and text.strip():
            raise text_unused(kind)
        if kind == POST and not text.strip():
            raise no_text()
        grace = None if body.grace_minutes is None else timedelta(minutes=body.grace_minutes)
        try:
            job = await create_job(
                session,
                spec=parsed.spec,
                now=now,
                group=group,
                kind=kind,
                payload=payload,
                target=target,
                phrase=body.when,
                grace=grace,
                created_by="api",
                thread_id=None if body.thread_id is None else str(body.thread_id),
            )
        except ScheduleError as exc:
            raise invalid(exc) from None
        shown = {**job_json(job, tz), **await reach_warning(session, job)}
        if job.target and body.thread_id is not None:
            shown["note"] = topic_note()
    runtime.scheduler.refresh(job)
    return shown


def topic_note() -> dict[str, str]:
    """The answer's `note` when a topic is given to a job posting to other groups."""
    return {lang: translate(lang, "schedule.topic_ignored") for lang in LANGUAGES}


async def reach_warning(session: AsyncSession, job: ScheduledJob) -> dict[str, Any]:
    """`{"warning": {"zh", "en"}}` when `job` posts nowhere now (a target fitting no group, a
    group the bot has left), else nothing: it is kept, as in chat, but said at once."""
    groups = await reached_groups(session, job)
    if unreached_warning(job, groups, "en") is None:
        return {}
    return {"warning": {lang: unreached_warning(job, groups, lang) for lang in LANGUAGES}}


async def _job(session: AsyncSession, job_id: int, *, lock: bool = False) -> ScheduledJob:
    """The schedule `job_id`; a countdown's steps are refused (409): run now, a countdown's end
    would fire early (a dissolve removes everyone), and changing one step breaks the countdown.
    `lock`: locked for a change (PostgreSQL; SQLite has one writer), so a firing settling it at
    the same moment (which locks it too, `SchedulerService.fire_due`) finishes first and the
    change is made to the row it left, or waits and sees the change: neither overwrites the
    other's `next_run_at`."""
    found = 0 < job_id <= MAX_JOB_ID
    job = await session.get(ScheduledJob, job_id, with_for_update=lock) if found else None
    if job is None:
        raise HTTPException(404, "no such schedule")
    if job.kind in COUNTDOWN_KINDS:
        raise HTTPException(409, {
            "code": "countdown_step",
            "zh": f"#{job.id} 是倒计时 {job.countdown_id} 的一部分："
                  f"请在 /api/groups/<群>/countdowns/{job.countdown_id} 管理",
            "en": f"#{job.id} is part of countdown {job.countdown_id}: manage it at "
                  f"/api/groups/<group>/countdowns/{job.countdown_id}",
        })
    return job


@router.patch("/schedules/{job_id}")
async def change_schedule(job_id: int, body: ScheduleChange, runtime: Authorized) -> dict:
    now = runtime.scheduler.now()
    async with runtime.sessions.begin() as session:
        job = await _job(session, job_id, lock=True)
        group = await session.get(Group, job.group_id) if job.group_id else None
        tz = group_tz(runtime, group)
        if body.when is not None:
            try:
                parsed = parse_schedule(body.when, tz, now=now)
                check_pairing(parsed.spec, job.kind)
            except ScheduleError as exc:
                raise invalid(exc) from None
            if parsed.text.strip():
                raise text_in_when()
            job.spec, job.phrase = spec_to_json(parsed.spec), body.when
            job.next_run_at = first_run(parsed.spec, now)
        if body.text is not None:
            if job.kind not in TEXT_KINDS:
                raise text_unused(job.kind, job.id)
            if job.kind == POST and not body.text.strip():
                raise no_text()
            job.payload = {**job.payload, "text": body.text}
        if body.grace_minutes is not None:
            job.grace_seconds = body.grace_minutes * 60
        # A job posting to other groups keeps posting in each one's General topic.
        topic_ignored = "thread_id" in body.model_fields_set and bool(job.target)
        if "thread_id" in body.model_fields_set and not job.target:
            job.thread_id = None if body.thread_id is None else str(body.thread_id)
        if body.enabled is False:
            pause(session, job, now)
        elif body.enabled is True and not job.enabled:
            resume(session, job, now)
        else:
            record_change(session, job.id, now)
        await session.flush()
        shown = job_json(job, tz)
        if topic_ignored and body.thread_id is not None:
            shown["note"] = topic_note()
    runtime.scheduler.refresh(job)
    return shown


@router.delete("/schedules/{job_id}", status_code=204)
async def delete_schedule(job_id: int, runtime: Authorized) -> Response:
    async with runtime.sessions.begin() as session:
        await remove_job(session, await _job(session, job_id, lock=True), runtime.scheduler.now())
    runtime.scheduler.forget(job_id)
    return Response(status_code=204)


@router.get("/series")
async def list_series(
    runtime: Authorized, page: Paged, request: Request, response: Response
) -> list[dict[str, Any]]:
    async with runtime.sessions() as session:
        listed = await all_series(session, page=page)
        return [
            {"id": series.id, "name": series.name, "items": count}
            for series, count in finish(listed, page, request, response)
        ]


@router.post("/series", status_code=201)
async def add_series(body: NewSeries, runtime: Authorized) -> dict[str, Any]:
    async with runtime.sessions.begin() as session:
        try:
            series = await create_series(
                session, body.name, runtime.scheduler.now(), reserved_ok=True
            )
            for text in body.items:
                await add_item(session, series, text)
        except ScheduleError as exc:
            raise invalid(exc) from None
        return {"id": series.id, "name": series.name, "items": len(body.items)}


@router.post("/series/{name}/items", status_code=201)
async def add_series_item(name: str, body: NewSeriesItem, runtime: Authorized) -> dict:
    async with runtime.sessions.begin() as session:
        series = await find_series(session, name)
        if series is None:
            raise HTTPException(404, "no such series")
        try:
            number = await add_item(session, series, body.text)
        except ScheduleError as exc:
            raise invalid(exc) from None
        return {"name": series.name, "number": number}


@router.post("/schedules/{job_id}/run-now")
async def run_now(job_id: int, runtime: Authorized) -> dict[str, Any]:
    async with runtime.sessions() as session:
        await _job(session, job_id)
    try:
        count = await runtime.scheduler.fire(job_id)
    except LookupError:
        raise HTTPException(404, "no such schedule") from None
    return {"id": job_id, "actions": count or 0}
