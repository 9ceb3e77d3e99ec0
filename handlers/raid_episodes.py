"""Announcing raid mode to operators: when it starts, and when it ends, with the figures.

`handlers.raid` decides from the joins whether the group is guarded; this module keeps one
`RaidEpisode` row per guarded period so its end can be announced even when no join arrives to
notice it (the leader's timeout loop calls `end_due_raids`), and so the end notice can say what
happened: how many joined while it lasted and how many were removed by the verification gate.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.actions import Action
from bot.core.context import Context
from bot.core.i18n import translate
from bot.db.models import Group
from bot.groups.settings import group_lang
from bot.outbox.store import enqueue
from handlers import entry_texts  # noqa: F401  (registers the texts)
from handlers.entry_config import EntryState, RaidConfig, VerificationConfig, load
from handlers.entry_store import PendingVerification, RaidEpisode
from handlers.operator_notes import operator_note
from handlers.raid import RaidChange


async def track(
    ctx: Context, chat_id: str, change: RaidChange, state: EntryState, count: int
) -> list[Action]:
    """Open, extend or close the group's episode after `count` joins; the notices to send."""
    assert ctx.group is not None
    config = load(ctx.group, RaidConfig)
    window = timedelta(seconds=config.window_seconds)
    actions: list[Action] = []
    episode = await _active(ctx.session, ctx.group.id)
    if change.ended and episode is not None:
        # The quiet window passed before the timeout loop noticed: this join ends it.
        actions += await _end(ctx.session, episode, ctx.group, episode.ends_at)
        episode = None
    if change.entered:
        ctx.session.add(
            RaidEpisode(
                group_id=ctx.group.id,
                platform=ctx.platform,
                chat_id=chat_id,
                status="active",
                joins=len(state.joins),
                started_at=ctx.now,
                last_join_at=ctx.now,
                ends_at=ctx.now + window,
            )
        )
        await ctx.session.flush()
        # Operators must not be told newcomers are gated when the gate is off.
        gated = load(ctx.group, VerificationConfig).enabled
        key = "raid.alert" if gated else "raid.alert_no_gate"
        alert = ctx.t(key, count=len(state.joins), seconds=config.window_seconds)
        actions.append(operator_note(ctx.group, ctx.lang, alert))
    elif change.active and episode is not None:
        episode.joins += count
        episode.last_join_at = ctx.now
        episode.ends_at = ctx.now + window
    return actions


async def _active(session: AsyncSession, group_id: int) -> RaidEpisode | None:
    return await session.scalar(
        select(RaidEpisode)
        .where(RaidEpisode.group_id == group_id, RaidEpisode.status == "active")
        .order_by(RaidEpisode.id.desc())
        .limit(1)
    )


async def _end(
    session: AsyncSession, episode: RaidEpisode, group: Group, at: datetime
) -> list[Action]:
    episode.status, episode.ended_at = "ended", at
    removed = await session.scalar(
        select(func.count())
        .select_from(PendingVerification)
        .where(
            PendingVerification.group_id == group.id,
            PendingVerification.status.in_(("failed", "expired")),
            PendingVerification.created_at >= episode.started_at,
            PendingVerification.created_at <= at,
        )
    )
    lang = group_lang(group)
    minutes = max(1, round((at - episode.started_at).total_seconds() / 60))
    # As the alert: no gate is claimed (nor its removals) when verification is off.
    gated = load(group, VerificationConfig).enabled or bool(removed)
    text = translate(
        lang,
        "raid.ended" if gated else "raid.ended_no_gate",
        minutes=minutes,
        joins=episode.joins,
        removed=int(removed or 0),
    )
    return [operator_note(group, lang, text)]


async def end_due_raids(session: AsyncSession, due_by: datetime, now: datetime) -> int:
    """End every episode whose quiet window has passed, announcing each once.

    The group's own raid flag is left to the next join (`handlers.raid` treats a flag whose
    window has passed as off), so this loop never rewrites a settings document a handler may
    be changing at the same moment.
    """
    episodes = list(
        await session.scalars(
            select(RaidEpisode)
            .where(RaidEpisode.status == "active", RaidEpisode.ends_at <= due_by)
            .order_by(RaidEpisode.ends_at)
            .limit(100)
            .with_for_update(skip_locked=True)
        )
    )
    for episode in episodes:
        group = await session.get(Group, episode.group_id)
        if group is None:
            episode.status = "ended"
            continue
        actions = await _end(session, episode, group, episode.ends_at)
        await enqueue(session, episode.platform, actions, key=f"raid-end:{episode.id}", now=now)
    return len(episodes)
