"""Raid mode through the webhook: in on a burst, stricter and batched, out after a quiet window."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db.models import Group, OutboxAction
from handlers.entry_config import EntryState, RaidConfig
from handlers.entry_store import PendingVerification, RaidEpisode, WelcomeBatch
from handlers.raid import record_joins, spend
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
    ended = [m for m in fake_telegram.called("sendMessage") if m["text"].startswith("✅")]
    assert len(ended) == 1 and "期间共 4 人加入" in ended[0]["text"]


async def test_over_the_send_budget_the_greeting_waits_and_gathers_who_passes_meanwhile(
    bot, fake_telegram
):
    # Regression: past the budget a verified newcomer's greeting was dropped, so in a busy
    # hour (six newcomers a minute, each challenged) nobody who passed was ever greeted.
    welcome = {**FAST_WELCOME, "budget_per_minute": 1}
    await configure(bot, verification=VERIFY, welcome=welcome)
    for uid, name in ((806, "Ann"), (807, "Ben")):
        await bot.post_update(make_join_update(user(uid, name)))
        challenge = (await fake_telegram.wait_for("sendMessage", uid - 805))[-1]
        data = challenge["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        await bot.post_update(make_callback_update(data, sender=user(uid, name)))
        await fake_telegram.wait_for("answerCallbackQuery", uid - 805)
    await quiet(bot)
    assert len(fake_telegram.called("sendMessage")) == 2  # the challenges: the budget is spent
    assert [p.status for p in await rows(bot, PendingVerification)] == ["passed", "passed"]
    (greeting,) = [row for row in await rows(bot, OutboxAction)
                   if row.idempotency_key.startswith("welcome:")]
    assert greeting.status == "pending"
    assert "Ann" in greeting.payload["text"] and "Ben" in greeting.payload["text"]
    # Once the first challenge has left the minute's budget, not a minute per newcomer.
    wait = greeting.next_attempt_at - datetime.now(UTC)
    assert timedelta(seconds=40) < wait <= timedelta(seconds=60), wait


def test_raid_ends_only_after_a_whole_quiet_window():
    config, state = RaidConfig(threshold=2, window_seconds=60), EntryState()
    start = datetime.fromisoformat("2026-11-23T10:00:00+00:00")
    assert record_joins(state, start, 2, config).entered
    assert record_joins(state, start + timedelta(seconds=50), 1, config).active
    change = record_joins(state, start + timedelta(seconds=200), 1, config)
    assert change.ended and not change.active


def test_over_the_send_budget_a_message_waits_until_it_has_refilled():
    state, now = EntryState(), datetime.fromisoformat("2026-11-23T10:00:00+00:00")
    assert spend(state, now, 2) == now and spend(state, now, 2) == now
    assert spend(state, now + timedelta(seconds=30), 2) == now + timedelta(seconds=60)
    assert spend(state, now + timedelta(seconds=61), 2) == now + timedelta(seconds=61)
    assert spend(state, now + timedelta(seconds=62), 2) == now + timedelta(seconds=120)
    assert spend(state, now + timedelta(seconds=200), 2) == now + timedelta(seconds=200)


async def test_operators_hear_when_raid_mode_starts_and_ends_with_the_figures(bot, fake_telegram):
    ops_chat = -1009999
    raid = {**RAID, "alert_chat_id": str(ops_chat)}
    await configure(bot, raid=raid, welcome={**FAST_WELCOME, "enabled": False})
    for uid in (811, 812, 813, 814):
        await bot.post_update(make_join_update(user(uid, f"U{uid}")))
    (alert,) = await fake_telegram.wait_for("sendMessage", 1)
    assert alert["chat_id"] == ops_chat
    assert alert["text"].startswith("【Qunbot Test Group】\n⚠️ 检测到大量成员涌入（3 人 / 60 秒）")
    await quiet(bot)
    (episode,) = await rows(bot, RaidEpisode)
    assert (episode.status, episode.joins) == ("active", 4)
    # Nobody joins any more: the leader's loop ends it once a whole quiet window has passed.
    later = datetime.now(UTC) + timedelta(seconds=61)
    bot.runtime.verification_timeouts.clock = lambda: later
    bot.runtime.verification_timeouts.notify()
    ended = (await fake_telegram.wait_for("sendMessage", 2))[1]
    assert ended["chat_id"] == ops_chat
    assert ended["text"] == (
        "【Qunbot Test Group】\n"
        "✅ 防护模式已解除：持续约 1 分钟，期间共 4 人加入。入群验证未开启，可用 /verify on 开启。"
    )
    await quiet(bot)
    (episode,) = await rows(bot, RaidEpisode)
    assert episode.status == "ended"
    # The next calm join after the window is not a second end notice.
    await age_joins(bot, 120)
    await bot.post_update(make_join_update(user(815, "Calm")))
    await quiet(bot)
    assert len(fake_telegram.called("sendMessage")) == 2
    assert (await group_settings(bot))["entry_state"]["raid"] is False


async def test_a_join_after_the_quiet_window_ends_the_raid_when_the_loop_has_not(
    bot, fake_telegram
):
    await configure(bot, raid=RAID, welcome={**FAST_WELCOME, "enabled": False})
    for uid in (821, 822, 823):
        await bot.post_update(make_join_update(user(uid, f"U{uid}")))
    await fake_telegram.wait_for("sendMessage", 1)
    await quiet(bot)
    await age_joins(bot, 120)
    await bot.post_update(make_join_update(user(824, "Calm")))
    ended = (await fake_telegram.wait_for("sendMessage", 2))[1]
    assert ended["chat_id"] == GROUP_ID
    assert "期间共 3 人加入" in ended["text"]
    await quiet(bot)
    assert [e.status for e in await rows(bot, RaidEpisode)] == ["ended"]


async def test_in_raid_mode_welcomes_wait_for_the_wider_batch_window(bot, fake_telegram):
    welcome = {"batch_seconds": 0.2, "raid_batch_seconds": 1.5}
    await configure(bot, raid={"threshold": 3, "window_seconds": 60}, welcome=welcome)
    await bot.post_update(make_join_update(user(831, "Calm")))
    await fake_telegram.wait_for("sendMessage", 1)
    await quiet(bot)
    # Two more joins at once make three in the window: raid mode, and the greeting that opens
    # now gathers newcomers for the raid window instead of the ordinary one.
    await bot.post_update(make_join_update(user(832, "R1"), user(833, "R2")))
    greetings = await fake_telegram.wait_for("sendMessage", 3)
    calm, raided = (await rows(bot, WelcomeBatch))[:2]
    assert (calm.closes_at - calm.opened_at).total_seconds() == 0.2
    assert (raided.closes_at - raided.opened_at).total_seconds() == 1.5
    assert [m["text"].startswith("⚠️") for m in greetings] == [False, True, False]
    assert "tg://user?id=832" in greetings[2]["text"] and "tg://user?id=833" in greetings[2]["text"]


async def test_joins_replayed_after_downtime_count_at_their_own_times(bot, fake_telegram):
    # The bot was down for an hour; twelve joins spread over it arrive together. That was no
    # burst: no alarm, no guarded mode, and the ordinary challenge for everyone.
    await configure(bot, raid={"threshold": 10, "window_seconds": 60}, verification=VERIFY)
    hour_ago = int(time.time()) - 3600
    for n in range(12):
        joined = make_join_update(user(840 + n, f"U{n}"), date=hour_ago + n * 300)
        await bot.post_update(joined)
    await fake_telegram.wait_for("restrictChatMember", 12)
    await quiet(bot)
    assert [m for m in fake_telegram.called("sendMessage") if "⚠️" in m["text"]] == []
    assert not (await group_settings(bot))["entry_state"].get("raid")  # absent: the default
    assert {p.mode for p in await rows(bot, PendingVerification)} == {"button"}
    assert await rows(bot, RaidEpisode) == []


async def test_the_raid_alert_does_not_claim_a_gate_that_is_off(bot, fake_telegram):
    await configure(bot, raid=RAID, welcome={**FAST_WELCOME, "enabled": False})
    for uid in (851, 852, 853):
        await bot.post_update(make_join_update(user(uid, f"U{uid}")))
    (alert,) = await fake_telegram.wait_for("sendMessage", 1)
    assert alert["text"].startswith("⚠️ 检测到大量成员涌入（3 人 / 60 秒）")
    assert "答题" not in alert["text"] and "/verify on" in alert["text"]


async def test_the_end_of_raid_mode_does_not_claim_a_gate_that_is_off(bot, fake_telegram):
    # The end notice said "0 removed by verification ... verification is back to normal" in a
    # group whose verification was off all along, where the alert had said it was off.
    await configure(bot, raid=RAID, welcome={**FAST_WELCOME, "enabled": False})
    await bot.post_update(make_join_update(user(871, "U871")))
    await bot.post_update(make_join_update(user(872, "U872")))
    await bot.post_update(make_join_update(user(873, "U873")))
    await fake_telegram.wait_for("sendMessage", 1)
    await quiet(bot)
    later = datetime.now(UTC) + timedelta(seconds=61)
    bot.runtime.verification_timeouts.clock = lambda: later
    bot.runtime.verification_timeouts.notify()
    ended = (await fake_telegram.wait_for("sendMessage", 2))[1]
    assert ended["text"] == (
        "✅ 防护模式已解除：持续约 1 分钟，期间共 3 人加入。入群验证未开启，可用 /verify on 开启。"
    )


async def test_alerts_in_the_operators_chat_name_the_group_they_are_about(bot, fake_telegram):
    # One operators' chat serves many groups: an alert that does not say which group is
    # under a raid cannot be acted on.
    raid = {**RAID, "alert_chat_id": "-1009999"}
    await configure(bot, raid=raid, welcome={**FAST_WELCOME, "enabled": False})
    for uid in (861, 862, 863):
        await bot.post_update(make_join_update(user(uid, f"U{uid}")))
    (alert,) = await fake_telegram.wait_for("sendMessage", 1)
    assert alert["text"].startswith("【Qunbot Test Group】\n⚠️ 检测到大量成员涌入")
    await quiet(bot)
    later = datetime.now(UTC) + timedelta(seconds=61)
    bot.runtime.verification_timeouts.clock = lambda: later
    bot.runtime.verification_timeouts.notify()
    ended = (await fake_telegram.wait_for("sendMessage", 2))[1]
    assert ended["text"].startswith("【Qunbot Test Group】\n✅ 防护模式已解除")
