"""Marks a countdown cannot keep, through the webhook: named in the reply, or the countdown
refused when none is left."""

from __future__ import annotations

from schedules.models import COUNTDOWN_END, COUNTDOWN_MARK
from tests.schedules.conftest import jobs
from tests.schedules.test_schedule_commands import command


async def test_marks_before_now_are_named_in_the_reply(sbot, fake_telegram):
    # marks=30d on a deadline 2 hours away was dropped without a word.
    reply = await command(sbot, fake_telegram, "/countdown in 2h 秒杀 marks=30d,1d,1h")
    assert "1 次提醒" in reply
    assert "注意：提醒点 30 天、1 天 早于现在（离截止只剩 2 小时），对应的提醒不会发。" in reply
    assert sorted(job.kind for job in await jobs(sbot)) == [COUNTDOWN_END, COUNTDOWN_MARK]
    await command(sbot, fake_telegram, "/settings language en")
    reply = await command(sbot, fake_telegram, "/countdown in 3h Sale marks=1d,1h")
    assert "Note: the 1 day mark falls before now (the deadline is 3 hours away)" in reply
    assert "that reminder will not be posted" in reply


async def test_default_marks_out_of_reach_are_not_reported(sbot, fake_telegram):
    # The operator chose none of them: "3 days left" was never asked for.
    reply = await command(sbot, fake_telegram, "/countdown in 2h 秒杀")
    assert "2 次提醒" in reply and "注意" not in reply


async def test_a_countdown_with_no_mark_left_is_refused(sbot, fake_telegram):
    reply = await command(sbot, fake_telegram, "/countdown in 2h 秒杀 marks=30d")
    assert reply == (
        "截止时间只剩 2 小时，每个提醒点（30 天）都早于现在，这个倒计时一条提醒也不会发，"
        "所以没有创建。请用更短的提醒点，例如 marks=60m，或把截止时间往后放。"
    )
    assert await jobs(sbot) == []
    reply = await command(sbot, fake_telegram, "/countdown in 5m 测试")
    assert "每个提醒点（3 天、1 天、3 小时、1 小时、10 分钟）都早于现在" in reply
    assert "marks=2m" in reply
    await command(sbot, fake_telegram, "/settings language en")
    reply = await command(sbot, fake_telegram, "/countdown in 30m Sale marks=1h,2h")
    assert reply.startswith("The deadline is only 30 minutes away, closer than every mark")
    assert "(2 hours, 1 hour)" in reply and "so it was not set" in reply
    assert await jobs(sbot) == []
