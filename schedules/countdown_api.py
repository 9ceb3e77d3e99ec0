"""Countdowns through the JSON API, the same as `/countdown` in chat (Bearer auth)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy import select

from bot.web.dashboard_auth import Authorized, DashboardRoute
from bot.web.pages import Paged, finish
from schedules.api import TopicId, group_tz, invalid, named_group, reach_warning, topic_json
from schedules.countdown import countdown_from_fields, has_options
from schedules.countdowns import cancel_countdown, create_countdown, running_countdowns
from schedules.errors import ScheduleError
from schedules.models import ScheduledJob

router = APIRouter(prefix="/api", route_class=DashboardRoute)


class NewCountdown(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The chat's forms: "2026-12-01 20:00", "明天 20:00", "in 3h".
    deadline: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=2000)
    marks: str | None = Field(default=None, max_length=100)  # "3d,1d,3h,1h,10m"
    end: str | None = Field(default=None, max_length=16)  # announce | close | dissolve
    pin: StrictBool = False
    update: StrictBool = False
    thread_id: TopicId = None


def _countdown_json(end: ScheduledJob) -> dict[str, Any]:
    return {
        "id": int(end.countdown_id or end.id),  # the number /countdown list shows
        "deadline": end.next_run_at.isoformat() if end.next_run_at else None,
        "text": end.payload.get("text", ""),
        "end": end.payload.get("end", "announce"),
        "thread_id": topic_json(end),
    }


@router.get("/groups/{group_id}/countdowns")
async def list_countdowns(
    group_id: str, runtime: Authorized, page: Paged, request: Request, response: Response
) -> list[dict[str, Any]]:
    async with runtime.sessions() as session:
        group = await named_group(session, group_id)
        ends = await running_countdowns(session, group.id, page)
        return [_countdown_json(end) for end in finish(ends, page, request, response)]


@router.post("/groups/{group_id}/countdowns", status_code=201)
async def add_countdown(group_id: str, body: NewCountdown, runtime: Authorized) -> dict[str, Any]:
    now = runtime.scheduler.now()
    # In chat `marks=` / `end=` may stand anywhere; a text carrying them was most likely meant
    # to set them, so it is refused rather than posted word for word.
    if has_options(body.text):
        raise HTTPException(
            422,
            {
                "code": "option_in_text",
                "zh": "marks= 和 end= 请用单独的字段传，不要写在 text 里",
                "en": "pass marks= and end= as their own fields, not inside text",
            },
        )
    async with runtime.sessions.begin() as session:
        group = await named_group(session, group_id)
        try:
            request = countdown_from_fields(
                body.deadline,
                body.text,
                group_tz(runtime, group),
                now=now,
                marks=body.marks or None,
                end=body.end or None,
            )
            end, count = await create_countdown(
                session,
                group,
                request,
                pin=body.pin,
                update=body.update,
                now=now,
                created_by="api",
                thread_id=None if body.thread_id is None else str(body.thread_id),
            )
        except ScheduleError as exc:
            raise invalid(exc) from None
        jobs = list(
            await session.scalars(
                select(ScheduledJob).where(
                    ScheduledJob.group_id == group.id,
                    ScheduledJob.countdown_id == end.countdown_id,
                )
            )
        )
        shown = {**_countdown_json(end), "reminders": count, **await reach_warning(session, end)}
    for job in jobs:
        runtime.scheduler.refresh(job)
    return shown


@router.delete("/groups/{group_id}/countdowns/{countdown_id}", status_code=204)
async def delete_countdown(group_id: str, countdown_id: int, runtime: Authorized) -> Response:
    async with runtime.sessions.begin() as session:
        group = await named_group(session, group_id)
        ids = await cancel_countdown(session, group.id, str(countdown_id), runtime.scheduler.now())
        if not ids:
            raise HTTPException(404, "no such countdown")
    for job_id in ids:
        runtime.scheduler.forget(job_id)
    return Response(status_code=204)
