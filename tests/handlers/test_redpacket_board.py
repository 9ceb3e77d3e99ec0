"""A red packet round's message as its board, through the webhook: claims are shown on it by
coalesced edits instead of a message each (`handlers.redpacket_board`)."""

from __future__ import annotations

from handlers.redpacket import RedPacketClaim
from tests.factories import OPERATOR_ID, make_message_update, user
from tests.handlers.checkin_points_support import quiet, round_shows, rows
from tests.harness import eventually

OPERATOR = user(OPERATOR_ID, "Op")


async def test_a_round_grabbed_by_many_posts_no_message_per_claim(bot, fake_telegram):
    # Regression: every "抢" was answered with a message, so a 100-share round posted ~100 at
    # the group's 20 a minute, and the next round waited minutes behind them.
    await bot.post_update(make_message_update("/redpacket 60 30", sender=OPERATOR))
    await fake_telegram.wait_for("sendMessage")
    await quiet(bot)
    grabbers = [user(5000 + n, f"M{n}") for n in range(32)]
    for member in grabbers:
        await bot.post_update(make_message_update("抢", sender=member))
    await eventually(lambda: _claimed(bot, 30))
    final = await round_shows(bot, fake_telegram, 0, "已抢 30/30 份：")
    await quiet(bot)
    sent = [body["text"] for body in fake_telegram.called("sendMessage")]
    assert len(sent) == 2 and sent[1].startswith("🧧 红包已抢完！手气最佳：")
    # A few edits, each showing the claims of its few seconds, not one per claim.
    edits = fake_telegram.called("editMessageText")
    assert 1 <= len(edits) <= 4, [edit["text"] for edit in edits]
    assert "……前面还有 20 人" in final
    lines = final.split("\n")[-10:]
    assert [line.split(" +")[0] for line in lines] == [f"· M{n}" for n in range(20, 30)]
    # Its button goes once every share is gone; the late two got no answer either.
    assert "reply_markup" not in edits[-1] or not edits[-1]["reply_markup"]["inline_keyboard"]


async def _claimed(bot, count: int) -> bool:
    return len(await rows(bot, RedPacketClaim)) == count
