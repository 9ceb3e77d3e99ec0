"""Raid mode and the send budget: pure decisions over a group's recent joins and sends.

A raid is a burst of joins (threshold joins within the window). While it lasts, welcomes are
batched wider and verification is stricter; it ends when a whole window passes without a join.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.entry_config import EntryState, RaidConfig

BUDGET_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class RaidChange:
    """What a join did to the raid flag: `entered` means alert the operators (once)."""

    active: bool
    entered: bool = False
    ended: bool = False


def record_joins(state: EntryState, now: datetime, count: int, config: RaidConfig) -> RaidChange:
    """Record `count` joins at `now` and update `state.raid`."""
    window = timedelta(seconds=config.window_seconds)
    ended = False
    if state.raid and (not state.joins or now - max(state.joins) > window):
        state.raid, ended = False, True
    recent = [at for at in state.joins if now - at <= window]
    recent.extend([now] * count)
    # Only the last `threshold` joins can matter, so the stored list stays small.
    state.joins = recent[-max(config.threshold, 1) :]
    entered = False
    if not state.raid and len(recent) >= config.threshold:
        state.raid, entered = True, True
    return RaidChange(active=state.raid, entered=entered, ended=ended and not state.raid)


def raid_active(state: EntryState, now: datetime, config: RaidConfig) -> bool:
    """Whether the group is still guarded: flagged, and the last join is within the window."""
    window = timedelta(seconds=config.window_seconds)
    return state.raid and bool(state.joins) and now - max(state.joins) <= window


def spend(state: EntryState, now: datetime, per_minute: int) -> datetime:
    """Take one message from the group's per-minute budget: when it may go out, `now` or, with
    the budget used up, once it has refilled enough. A greeting waits rather than being dropped
    (whoever else passes meanwhile joins it), and the budget still holds."""
    state.sent = [at for at in state.sent if now - at < BUDGET_WINDOW]
    recent = sorted(state.sent)
    at = now if len(recent) < per_minute else max(now, recent[-per_minute] + BUDGET_WINDOW)
    state.sent.append(at)
    return at


def force_spend(state: EntryState, now: datetime) -> None:
    """Count a message that must go out anyway (a verification challenge)."""
    state.sent = [at for at in state.sent if now - at < BUDGET_WINDOW]
    state.sent.append(now)
