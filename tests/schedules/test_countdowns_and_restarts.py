"""Countdowns and missed runs end to end: commands in, Bot API calls out, clock under control."""

from __future__ import annotations

from datetime import timedelta

from schedules.models import COUNTDOWN_END, COUNTDOWN_MARK
from tests.factories import GROUP_ID, OPERATOR_ID, make_message_update, user
from tests.harness import BotHarness, eventually
from tests.schedules.conftest import jobs, release_outbox
from tests.schedules.test_schedule_commands import command


async def fire(bot, clock, at) -> None:
    """Jump the scheduler's clock and let it settle everything due, as its sweep would."""
    clock.set(at)
    await bot.runtime.scheduler.fire_due()
    await release_outbox(bot)
    await eventually(bot.settled)


async def test_countdown_posts_marks_pins_and_closes_the_group(sbot, fake_telegram, clocked_app):
    clock = clocked_app
    reply = await command(
        sbot, fake_telegram, "/countdown 2026-12-01 20:00 双十二秒杀 marks=1d,1h end=close pin"
    )
    rows = await jobs(sbot)
    end = next(job for job in rows if job.kind == COUNTDOWN_END)
    marks = sorted((job for job in rows if job.kind == COUNTDOWN_MARK), key=lambda j: j.next_run_at)
    assert f"#{end.countdown_id}" in reply and len(marks) == 2
    deadline = end.next_run_at
    assert [m.next_run_at for m in marks] == [
        deadline - timedelta(days=1),
        deadline - timedelta(hours=1),
    ]

    await fire(sbot, clock, deadline - timedelta(days=1))
    texts = [m["text"] for m in fake_telegram.called("sendMessage")]
    assert "双十二秒杀：距离结束还有 1 天" in texts
    assert len(fake_telegram.called("pinChatMessage")) == 1

    await fire(sbot, clock, deadline - timedelta(hours=1, seconds=-30))
    await fire(sbot, clock, deadline + timedelta(seconds=5))
    texts = [m["text"] for m in fake_telegram.called("sendMessage")]
    assert "双十二秒杀：距离结束还有 1 小时" in texts and "双十二秒杀：已结束" in texts
    (closed,) = fake_telegram.called("setChatPermissions")
    assert closed["chat_id"] == GROUP_ID
    assert closed["permissions"]["can_send_messages"] is False
    listing = await command(sbot, fake_telegram, "/countdown list")
    assert "没有进行中的倒计时" in listing


async def test_dissolve_removes_members_but_not_operators_then_leaves(
    sbot, fake_telegram, clocked_app
):
    clock = clocked_app
    for uid in (222, 333):
        await sbot.post_update(make_message_update("hi", sender=user(uid, f"U{uid}")))
    await command(sbot, fake_telegram, "/countdown in 2h 快闪结束 marks=1h end=dissolve")
    end = next(job for job in await jobs(sbot) if job.kind == COUNTDOWN_END)
    await fire(sbot, clock, end.next_run_at)
    banned = sorted(body["user_id"] for body in fake_telegram.called("banChatMember"))
    unbanned = sorted(body["user_id"] for body in fake_telegram.called("unbanChatMember"))
    assert banned == unbanned == [222, 333]
    assert OPERATOR_ID not in banned
    assert fake_telegram.called("leaveChat") == [{"chat_id": GROUP_ID}]
    methods = [call.method for call in fake_telegram.calls if call.method != "getMe"]
    assert methods.index("leaveChat") > max(
        i for i, m in enumerate(methods) if m == "unbanChatMember"
    )


async def test_countdown_cancel_and_past_deadline(sbot, fake_telegram):
    reply = await command(sbot, fake_telegram, "/countdown 2020-01-01 10:00 over")
    assert "截止时间已经过去" in reply
    assert await jobs(sbot) == []
    await command(sbot, fake_telegram, "/countdown in 3h Sale")
    end = next(job for job in await jobs(sbot) if job.kind == COUNTDOWN_END)
    assert "已取消" in await command(sbot, fake_telegram, f"/countdown cancel {end.countdown_id}")
    assert await jobs(sbot) == []


async def test_missed_run_across_a_restart_fires_once_within_grace(
    clocked_app, make_settings, fake_telegram
):
    clock = clocked_app
    bot = await BotHarness(make_settings()).start()
    try:
        await command(bot, fake_telegram, "/schedule add 每天 9:00 早安")
        (job,) = await jobs(bot)
        await bot.stop()
        # Down across three 9:00s; back 4 minutes after the last one (grace is 10 minutes).
        clock.set(job.next_run_at + timedelta(days=2, minutes=4))
        await bot.start()
        await eventually(lambda: _fired(bot))
        await release_outbox(bot)
        await eventually(bot.settled)
        assert _texts(fake_telegram).count("早安") == 1
        (stored,) = await jobs(bot)
        assert stored.last_run_at == job.next_run_at + timedelta(days=2)
        assert stored.next_run_at == job.next_run_at + timedelta(days=3)
    finally:
        await bot.close()


async def test_missed_run_beyond_grace_is_skipped_and_recorded(
    clocked_app, make_settings, fake_telegram
):
    clock = clocked_app
    bot = await BotHarness(make_settings()).start()
    try:
        await command(bot, fake_telegram, "/schedule add 每天 9:00 早安")
        (job,) = await jobs(bot)
        await bot.stop()
        clock.set(job.next_run_at + timedelta(hours=2))
        await bot.start()
        stored = await eventually(lambda: _moved(bot, job))
        assert stored.last_run_at is None and "skipped" in stored.last_result
        assert stored.next_run_at == job.next_run_at + timedelta(days=1)
        await eventually(bot.settled)
        assert "早安" not in _texts(fake_telegram)
    finally:
        await bot.close()


def _texts(fake) -> list[str]:
    return [m["text"] for m in fake.called("sendMessage")]


async def _fired(bot):
    (stored,) = await jobs(bot)
    return stored.last_run_at is not None


async def _moved(bot, job):
    (stored,) = await jobs(bot)
    return stored if stored.next_run_at != job.next_run_at else None


async def test_an_updating_countdown_edits_one_pinned_message(sbot, fake_telegram, clocked_app):
    clock = clocked_app
    await command(sbot, fake_telegram, "/countdown 2026-12-01 20:00 秒杀 marks=1d,3h,1h pin 单条")
    rows = await jobs(sbot)
    end = next(job for job in rows if job.kind == COUNTDOWN_END)
    deadline = end.next_run_at
    before = len(fake_telegram.called("sendMessage"))
    await fire(sbot, clock, deadline - timedelta(days=1))
    (pinned,) = fake_telegram.called("pinChatMessage")
    await fire(sbot, clock, deadline - timedelta(hours=3))
    await fire(sbot, clock, deadline - timedelta(hours=1))
    posted = [m["text"] for m in fake_telegram.called("sendMessage")[before:]]
    assert posted == ["秒杀：距离结束还有 1 天"]  # one message, not three
    edits = fake_telegram.called("editMessageText")
    assert [e["text"] for e in edits] == ["秒杀：距离结束还有 3 小时", "秒杀：距离结束还有 1 小时"]
    assert {e["message_id"] for e in edits} == {pinned["message_id"]}
    assert len(fake_telegram.called("pinChatMessage")) == 1


async def test_flag_words_inside_a_countdowns_text_stay_in_it_with_its_lines(
    sbot, fake_telegram, clocked_app
):
    # "pin" and "update" were taken as flags wherever they stood, and the text was joined
    # into one line: "Big update night" lost its word and turned the countdown into one
    # edited message, and a notice written on two lines was posted on one.
    clock = clocked_app
    await command(
        sbot,
        fake_telegram,
        "/countdown 2026-12-01 20:00 Big update night\nPin your calendars! marks=1d,1h pin",
    )
    end = next(job for job in await jobs(sbot) if job.kind == COUNTDOWN_END)
    assert end.payload["text"] == "Big update night\nPin your calendars!"
    deadline = end.next_run_at
    before = len(fake_telegram.called("sendMessage"))
    await fire(sbot, clock, deadline - timedelta(days=1))
    await fire(sbot, clock, deadline - timedelta(hours=1))
    posted = [m["text"] for m in fake_telegram.called("sendMessage")[before:]]
    assert posted == [
        "Big update night\nPin your calendars!：距离结束还有 1 天",
        "Big update night\nPin your calendars!：距离结束还有 1 小时",
    ]
    assert fake_telegram.called("editMessageText") == []
    assert len(fake_telegram.called("pinChatMessage")) == 2  # the trailing pin is a flag


async def test_schedule_commands_refuse_a_countdowns_hidden_jobs(sbot, fake_telegram):
    # /schedule list hides a countdown's steps, yet run-now by id fired its end at once: a
    # dissolve removed every member and the bot left the group.
    await sbot.post_update(make_message_update("hi", sender=user(222, "Alice")))
    await command(sbot, fake_telegram, "/countdown in 3h 快闪结束 marks=1h end=dissolve")
    assert await command(sbot, fake_telegram, "/schedule list") == "本群还没有定时任务。"
    mark, end = await jobs(sbot)
    reply = await command(sbot, fake_telegram, f"/schedule run-now {end.id}")
    assert reply == (
        f"#{end.id} 是倒计时 #{end.countdown_id} 的一部分，/schedule 不管理它。"
        f"用 /countdown list 查看，/countdown cancel {end.countdown_id} 取消。"
    )
    await command(sbot, fake_telegram, "/settings language en")
    reply = await command(sbot, fake_telegram, f"/schedule remove {mark.id}")
    assert reply.startswith(f"#{mark.id} is part of countdown #{end.countdown_id}")
    await command(sbot, fake_telegram, f"/schedule pause {end.id}")
    assert [
        call.method for call in fake_telegram.calls if call.method in ("banChatMember", "leaveChat")
    ] == []
    assert [(job.id, job.enabled) for job in await jobs(sbot)] == [(mark.id, True), (end.id, True)]


async def test_the_end_action_is_said_in_the_groups_language(sbot, fake_telegram):
    # Both replies named it by its option value: "结束动作：dissolve", "（close）".
    reply = await command(sbot, fake_telegram, "/countdown in 3h 快闪结束 end=dissolve")
    assert reply.endswith("结束动作：移出全部成员并解散。")
    await command(sbot, fake_telegram, "/countdown in 5h 秒杀 end=close")
    listing = await command(sbot, fake_telegram, "/countdown list")
    assert "（移出全部成员并解散）：快闪结束" in listing and "（全员禁言）：秒杀" in listing
    await command(sbot, fake_telegram, "/settings language en")
    reply = await command(sbot, fake_telegram, "/countdown in 2h Sale")
    assert reply.endswith("then: announce the end.")
    listing = await command(sbot, fake_telegram, "/countdown list")
    assert "(remove every member and dissolve): 快闪结束" in listing


async def test_an_updating_countdown_whose_first_mark_was_missed_still_edits_one_message(
    sbot, fake_telegram, clocked_app
):
    # The later marks edited only the first mark's message: with that one missed (the bot down
    # past its grace), each of them posted and pinned a message of its own.
    clock = clocked_app
    await command(
        sbot, fake_telegram, "/countdown 2026-12-01 20:00 秒杀 marks=1d,3h,2h,1h pin update"
    )
    end = next(job for job in await jobs(sbot) if job.kind == COUNTDOWN_END)
    deadline = end.next_run_at
    before = len(fake_telegram.called("sendMessage"))
    await fire(sbot, clock, deadline - timedelta(hours=23))  # the 1-day mark, an hour late
    for left in (3, 2, 1):
        await fire(sbot, clock, deadline - timedelta(hours=left))
    posted = [m["text"] for m in fake_telegram.called("sendMessage")[before:]]
    assert posted == ["秒杀：距离结束还有 3 小时"]
    (pinned,) = fake_telegram.called("pinChatMessage")
    edits = fake_telegram.called("editMessageText")
    assert [e["text"] for e in edits] == ["秒杀：距离结束还有 2 小时", "秒杀：距离结束还有 1 小时"]
    assert {e["message_id"] for e in edits} == {pinned["message_id"]}
    # The end edits that same message, the one the edits were pointed at.
    await fire(sbot, clock, deadline)
    assert fake_telegram.called("editMessageText")[-1] == {
        "chat_id": GROUP_ID,
        "message_id": pinned["message_id"],
        "text": "秒杀：已结束",
    }
    assert fake_telegram.called("unpinChatMessage") == [
        {"chat_id": GROUP_ID, "message_id": pinned["message_id"]}
    ]


async def test_an_updating_pinned_countdown_says_it_ended_and_is_unpinned(
    sbot, fake_telegram, clocked_app
):
    # After the deadline its one message stayed pinned on top, saying "1 hour left".
    clock = clocked_app
    await command(sbot, fake_telegram, "/settings language en")
    await command(sbot, fake_telegram, "/countdown in 3d Flash sale marks=1d,1h pin update")
    end = next(job for job in await jobs(sbot) if job.kind == COUNTDOWN_END)
    deadline = end.next_run_at
    before = len(fake_telegram.called("sendMessage"))
    await fire(sbot, clock, deadline - timedelta(days=1))
    await fire(sbot, clock, deadline - timedelta(hours=1))
    (pinned,) = fake_telegram.called("pinChatMessage")
    assert fake_telegram.called("unpinChatMessage") == []
    await fire(sbot, clock, deadline)
    edits = fake_telegram.called("editMessageText")
    assert [e["text"] for e in edits] == ["Flash sale: 1 hour left", "Flash sale: it's over"]
    assert {e["message_id"] for e in edits} == {pinned["message_id"]}
    assert fake_telegram.called("unpinChatMessage") == [
        {"chat_id": GROUP_ID, "message_id": pinned["message_id"]}
    ]
    # The end notice still goes out, so members hear of it, but is not the next stale pin.
    posted = [m["text"] for m in fake_telegram.called("sendMessage")[before:]]
    assert posted == ["Flash sale: 1 day left", "Flash sale: it's over"]
    assert len(fake_telegram.called("pinChatMessage")) == 1


async def test_a_pinned_countdown_keeps_only_its_latest_reminder_pinned(
    sbot, fake_telegram, clocked_app
):
    # Regression: with `pin` (not `update`) every reminder and the end notice were pinned and
    # none unpinned, so the group's pinned messages filled up with "3 days left".
    clock = clocked_app
    await command(sbot, fake_telegram, "/settings language en")
    await command(sbot, fake_telegram, "/countdown in 3d Flash sale marks=2d,1d,1h pin")
    end = next(job for job in await jobs(sbot) if job.kind == COUNTDOWN_END)
    deadline = end.next_run_at

    def still_pinned() -> set[int]:
        pinned = {p["message_id"] for p in fake_telegram.called("pinChatMessage")}
        return pinned - {u["message_id"] for u in fake_telegram.called("unpinChatMessage")}

    async def pins(count: int) -> bool:
        return len(fake_telegram.called("pinChatMessage")) == count

    async def unpins(count: int) -> bool:
        return len(fake_telegram.called("unpinChatMessage")) == count

    shown = []
    for left in (timedelta(days=2), timedelta(days=1), timedelta(hours=1)):
        await fire(sbot, clock, deadline - left)
        await eventually(lambda: pins(len(shown) + 1))
        await eventually(sbot.settled)
        latest = fake_telegram.called("pinChatMessage")[-1]["message_id"]
        assert still_pinned() == {latest}
        shown.append(latest)
    await fire(sbot, clock, deadline)
    await eventually(lambda: unpins(3))
    assert [u["message_id"] for u in fake_telegram.called("unpinChatMessage")] == shown
    assert still_pinned() == set()
    assert fake_telegram.called("sendMessage")[-1]["text"] == "Flash sale: it's over"
    assert len(fake_telegram.called("pinChatMessage")) == 3  # the end notice is not pinned
