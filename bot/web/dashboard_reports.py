"""Members' ad reports on the dashboard: who reported whose message, whether the report
counted (and why not), and what came of the message: acted on, passed to the operators, or
still waiting for more reports."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bot.core.context import Context
from bot.web.dashboard_data import local
from bot.web.pages import Page
from handlers.moderation import adfilter_settings
from handlers.moderation_actions import told_action
from handlers.moderation_reasons import tell_source
from handlers.moderation_report_store import ModerationReport
from handlers.moderation_store import ModerationDecision


@dataclass(frozen=True)
class ReportRow:
    id: int
    at: str
    reporter: str
    reporter_id: str
    member: str
    member_id: str
    excerpt: str
    counted: bool
    why_not: str
    outcome: str
    decision_id: int | None


async def report_rows(ctx: Context, page: Page) -> tuple[list[ReportRow], bool]:
    """A page of the group's reports, newest first, and whether an older page exists."""
    assert ctx.group is not None
    statement = (
        select(ModerationReport)
        .where(ModerationReport.group_id == ctx.group.id)
        .order_by(ModerationReport.id.desc())
    )
    found = list(await ctx.session.scalars(page.of(statement)))
    shown = found[: page.limit]
    outcomes = await _outcomes(ctx, {report.message_id for report in shown})
    rows = [_row(ctx, report, outcomes[report.message_id]) for report in shown]
    return rows, len(found) > page.limit


def _row(ctx: Context, report: ModerationReport, outcome: tuple[str, int | None]) -> ReportRow:
    if report.counted:
        why_not = ""
    elif report.not_counted:
        why_not = ctx.t(f"dash.report.not.{report.not_counted}")
    else:  # kept before the reason was
        why_not = ctx.t("dash.report.not.unknown")
    return ReportRow(
        id=report.id,
        at=local(report.at, ctx.tz),
        reporter=report.reporter_name or report.reporter_id,
        reporter_id=report.reporter_id,
        member=report.target_name or report.target_user_id,
        member_id=report.target_user_id,
        excerpt=report.excerpt,
        counted=report.counted,
        why_not=why_not,
        outcome=outcome[0],
        decision_id=outcome[1],
    )


async def _outcomes(ctx: Context, messages: set[str]) -> dict[str, tuple[str, int | None]]:
    """What came of each reported message, and the decision on it if there is one."""
    assert ctx.group is not None
    if not messages:
        return {}
    group = ctx.group.id
    decided: dict[str, ModerationDecision] = {}
    decisions = await ctx.session.scalars(
        select(ModerationDecision)
        .where(ModerationDecision.group_id == group,
               ModerationDecision.message_id.in_(messages))
        .order_by(ModerationDecision.id)
    )
    for decision in decisions:  # the latest wins, as `decision_for_message` picks it
        decided[decision.message_id] = decision
    referred = dict((await ctx.session.execute(
        select(ModerationReport.message_id, ModerationReport.referred)
        .where(ModerationReport.group_id == group, ModerationReport.message_id.in_(messages),
               ModerationReport.referred.is_not(None))
    )).all())
    counts = dict((await ctx.session.execute(
        select(ModerationReport.message_id,
               func.count(func.distinct(ModerationReport.reporter_id)))
        .where(ModerationReport.group_id == group, ModerationReport.message_id.in_(messages),
               ModerationReport.counted.is_(True))
        .group_by(ModerationReport.message_id)
    )).all())
    threshold = adfilter_settings(ctx.group).report_threshold
    outcomes: dict[str, tuple[str, int | None]] = {}
    for message in messages:
        if (decision := decided.get(message)) is not None:
            text = ctx.t("dash.report.acted", action=told_action(ctx, decision),
                         id=decision.id, source=tell_source(ctx.lang, decision.source))
            outcomes[message] = (text, decision.id)
        elif (why := referred.get(message)) is not None:
            outcomes[message] = (ctx.t(f"dash.report.referred.{why}"), None)
        else:
            outcomes[message] = (ctx.t("dash.report.pending", count=counts.get(message, 0),
                                       threshold=threshold), None)
    return outcomes
