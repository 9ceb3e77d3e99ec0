"""Raid mode through the webhook: in on a burst, stricter and batched, out after a quiet window."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.db.models import Group
from handlers.entry_config import EntryState, RaidConfig
from handlers.entry_store import PendingVerification
from handlers.raid import record_joins, try_spend
from tests.factories import GROUP_ID, make_callback_update, make_join_update, user
from tests.handlers.entry_support import FAST_WELCOME, configure, db, group_settings, quiet, rows

RAID = {"threshold": 3, "window_seconds": 60}
VERIFY = {"enabled": True, "mode": "button"}


async def age_joins(bot, seconds: int) -> None:
    """Pretend the recorded joins happened `seconds` earlier (a quiet window passed)."""

    def shift(session) -> None:
        group = session.scalar(select(Group).where(Group.chat_id == str(GROUP_ID)))
        state = dict(group.settings["entry_state"])
        state["joins"] = [
            (datetime.fromisoformat(at) - timedelta(seconds=seconds)).isoformat()
            for at in state["joins"]
        ]
        group.settings = {**group.settings, "entry_state": state}

    await db(bot, shift)


async def test_a_burst_enters_raid_mode_once_and_back_out_after_quiet(bot, fake_telegram):
    await configure(bot, raid=RAID, verification=VERIFY, welcome=FAST_WELCOME)
    for uid in (801, 802, 803, 804):
        await bot.post_update(make_join_update(user(uid, f"U{uid}")))
    await fake_telegram.wait_for("restrictChatMember", 4)
    await quiet(bot)
    alerts = [m for m in fake_telegram.called("sendMessage") if "⚠️" in m["text"]]
    assert len(alerts) == 1
    assert (await group_settings(bot))["entry_state"]["raid"] is True
    modes = [p.mode for p in await rows(bot, PendingVerification)]
    assert modes == ["button", "button", "question", "question"]

    await age_joins(bot, 120)
    await bot.post_update(make_join_update(user(805, "Calm")))
    await fake_telegram.wait_for("restrictChatMember", 5)
    await quiet(bot)
    assert (await group_settings(bot))["entry_state"]["raid"] is False
    assert (await rows(bot, PendingVerification))[-1].mode == "button"


async def test_over_the_send_budget_the_welcome_is_skipped_but_verification_stays(
    bot, fake_telegram
):
    welcome = {**FAST_WELCOME, "budget_per_minute": 1}
    await configure(bot, verification=VERIFY, welcome=welcome)
    await bot.post_update(make_join_update(user(806, "Ann")))
    (challenge,) = await fake_telegram.wait_for("sendMessage", 1)
    data = challenge["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await bot.post_update(make_callback_update(data, sender=user(806, "Ann")))
    await fake_telegram.wait_for("answerCallbackQuery", 1)
    await quiet(bot)
    assert len(fake_telegram.called("sendMessage")) == 1  # the challenge only: no greeting
    (pending,) = await rows(bot, PendingVerification)
    assert pending.status == "passed"


def test_raid_ends_only_after_a_whole_quiet_window():
    config, state = RaidConfig(threshold=2, window_seconds=60), EntryState()
    start = datetime.fromisoformat("2026-11-23T10:00:00+00:00")
    assert record_joins(state, start, 2, config).entered
    assert record_joins(state, start + timedelta(seconds=50), 1, config).active
    change = record_joins(state, start + timedelta(seconds=200), 1, config)
    assert change.ended and not change.active


def test_send_budget_refills_after_a_minute():
    state, now = EntryState(), datetime.fromisoformat("2026-11-23T10:00:00+00:00")
    assert try_spend(state, now, 2) and try_spend(state, now, 2)
    assert not try_spend(state, now + timedelta(seconds=30), 2)
    assert try_spend(state, now + timedelta(seconds=61), 2)
