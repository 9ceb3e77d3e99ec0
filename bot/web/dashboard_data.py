"""What the dashboard's pages show, read from the same stores the commands and the JSON API
use; every text comes from the code that says it in chat (/settings, /filter, /why)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.context import Context, operator_context
from bot.core.i18n import named
from bot.db.models import Group
from bot.groups.repository import find_current_group
from bot.web.pages import Page
from bot.web.state import Runtime
from handlers.adfilter_commands import describe_filter, mode_of
from handlers.entry_config import ScreeningConfig, WelcomeConfig, load
from handlers.group_settings import describe_settings
from handlers.moderation import adfilter_settings
from handlers.moderation_actions import ruling_of, told_action
from handlers.moderation_reasons import tell_decision, tell_source
from handlers.moderation_store import ModerationDecision
from handlers.settings_sections import SECTION_MODELS, show
from schedules.describe import describe
from schedules.models import COUNTDOWN_KINDS, ScheduledJob
from schedules.series import all_series
from schedules.store import group_jobs, spec_of

RECENT = timedelta(days=7)
SHOWN_ON_GROUP = 10  # the latest decisions on a group's page; the rest are a click away


def local(moment: datetime | None, tz: ZoneInfo) -> str:
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M}" if moment else ""


def view_context(runtime: Runtime, session: AsyncSession, group: Group, lang: str) -> Context:
    """The group as its operator sees it, in the dashboard reader's language."""
    return operator_context(
        session, group, runtime.scheduler.now(), default_tz=runtime.settings.timezone,
        operators=tuple(runtime.settings.operators), lang=lang,
    )


@dataclass(frozen=True)
class GroupRow:
    group: Group
    kind: str
    language: str
    mode: str
    recent_decisions: int
    next_job: str


async def group_rows(runtime: Runtime, session: AsyncSession, lang: str) -> list[GroupRow]:
    """Every group the bot knows, by title, with the figures an operator scans for."""
    now = runtime.scheduler.now()
    groups = list(await session.scalars(select(Group).order_by(Group.title, Group.id)))
    counts = dict(
        (await session.execute(
            select(ModerationDecision.group_id, func.count())
            .where(ModerationDecision.at >= now - RECENT)
            .group_by(ModerationDecision.group_id)
        )).all()
    )
    upcoming: dict[int, ScheduledJob] = {}
    jobs = await session.scalars(
        select(ScheduledJob)
        .where(ScheduledJob.enabled.is_(True), ScheduledJob.next_run_at.is_not(None),
               ScheduledJob.group_id.is_not(None))
        .order_by(ScheduledJob.next_run_at, ScheduledJob.id)
    )
    for job in jobs:
        upcoming.setdefault(job.group_id, job)
    rows = []
    for group in groups:
        ctx = view_context(runtime, session, group, lang)
        job = upcoming.get(group.id)
        rows.append(GroupRow(
            group=group,
            kind=named(lang, "value.kind", ctx.group_settings.kind.value),
            language=named(lang, "dash.lang", ctx.group_settings.language.value),
            mode=mode_of(adfilter_settings(group)),
            recent_decisions=counts.get(group.id, 0),
            next_job=f"{local(job.next_run_at, ctx.tz)} · {job.kind}" if job else "",
        ))
    return rows


async def find_group(session: AsyncSession, chat_id: str) -> Group | None:
    """A group by the chat id operators see (or the one it had before an upgrade)."""
    return await find_current_group(session, None, chat_id)


async def settings_texts(ctx: Context) -> list[tuple[str, str]]:
    """The group's settings as the commands that change them show them."""
    assert ctx.group is not None
    texts = [("/settings", describe_settings(ctx)),
             ("/filter", await describe_filter(ctx, adfilter_settings(ctx.group)))]
    texts += [(f"/settings {section}", show(ctx.group, section)) for section in SECTION_MODELS]
    return texts


def steering_values(group: Group) -> dict[str, str]:
    """What the group page's forms change, as they stand: the filter's mode, the welcome text
    ("" for the built-in one) and the rules."""
    return {
        "mode": mode_of(adfilter_settings(group)),
        "template": load(group, WelcomeConfig).template or "",
        "rules": load(group, ScreeningConfig).rules or "",
    }


@dataclass(frozen=True)
class JobRow:
    id: int
    kind: str
    when: str
    text: str
    enabled: bool
    next_run: str
    last_result: str


async def job_rows(ctx: Context) -> tuple[list[JobRow], list[JobRow]]:
    """The group's schedules and its countdowns' steps, as the JSON API lists them."""
    assert ctx.group is not None
    schedules, countdowns = [], []
    for job in await group_jobs(ctx.session, ctx.group.id):
        row = JobRow(
            id=job.id, kind=job.kind, when=describe(spec_of(job), ctx.lang, str(ctx.tz)),
            text=str(job.payload.get("text", "")), enabled=job.enabled,
            next_run=local(job.next_run_at, ctx.tz), last_result=job.last_result or "",
        )
        (countdowns if job.kind in COUNTDOWN_KINDS else schedules).append(row)
    return schedules, countdowns


async def series_rows(ctx: Context) -> list[tuple[str, int]]:
    assert ctx.group is not None
    return [(series.name, count) for series, count in await all_series(ctx.session, ctx.group.id)]


@dataclass(frozen=True)
class DecisionRow:
    id: int
    at: str
    member: str
    member_id: str
    action: str
    source: str
    shadow: bool
    detectors: list[str]
    explanation: str
    text: str
    undone: bool
    undone_by: str
    undone_at: str


def decision_row(ctx: Context, decision: ModerationDecision) -> DecisionRow:
    ruling = ruling_of(decision)
    return DecisionRow(
        id=decision.id,
        at=local(decision.at, ctx.tz),
        member=decision.user_name or decision.user_id,
        member_id=decision.user_id,
        action=told_action(ctx, decision),
        source=tell_source(ctx.lang, decision.source),
        shadow=decision.shadow,
        detectors=[named(ctx.lang, "reason.check", v.name) for v in ruling.reasons],
        explanation=tell_decision(ctx.lang, ruling),
        text=decision.text,
        undone=decision.undone,
        undone_by=decision.undone_by or "",
        undone_at=local(decision.undone_at, ctx.tz),
    )


async def decision_rows(ctx: Context, page: Page) -> tuple[list[DecisionRow], bool]:
    """A page of the group's decisions, newest first, and whether an older page exists."""
    assert ctx.group is not None
    statement = (
        select(ModerationDecision)
        .where(ModerationDecision.group_id == ctx.group.id)
        .order_by(ModerationDecision.id.desc())
    )
    found = list(await ctx.session.scalars(page.of(statement)))
    return [decision_row(ctx, d) for d in found[: page.limit]], len(found) > page.limit
