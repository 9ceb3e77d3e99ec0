"""Members' reports the bot passes to the operators instead of acting on, through the webhook:
with the ad filter off, and of a message posted inside the group's ad window."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.factories import GROUP_ID, MEMBER_ID, make_message_update, make_update, message
from tests.handlers.entry_support import configure_chat
from tests.handlers.report_support import regulars
from tests.handlers.test_moderation import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    OPERATOR,
    decisions,
    post_and_settle,
    sent_to,
)

CHAT = "Nice to meet you all, see you around"
OPS_CHAT = -1005550003333


async def report(bot, target: dict, *reporters: dict) -> None:
    for reporter in reporters:
        await post_and_settle(
            bot, make_message_update("/report", sender=reporter, reply_to_message=target)
        )


async def test_with_the_filter_off_reports_reach_operators_and_remove_nothing(bot, fake_telegram):
    # /filter off turned automatic removal off, yet three reports still deleted the message
    # and muted its sender.
    await post_and_settle(bot, make_message_update("/filter off", sender=OPERATOR))
    target = message(CHAT, sender=ALICE)
    await post_and_settle(bot, make_update("message", target))
    await regulars(bot, BOB, CAROL, DAVE, ERIN)
    await report(bot, target, BOB, CAROL, DAVE)
    assert fake_telegram.called("deleteMessage") == []
    assert fake_telegram.called("restrictChatMember") == []
    assert await decisions(bot) == []
    *acks, thanks, note = sent_to(fake_telegram, GROUP_ID)[1:]
    assert [a["text"] for a in acks] == ["感谢举报（1/3）。", "感谢举报（2/3）。"]
    assert thanks["text"] == "感谢举报（3/3），已转告管理员。"
    assert note["text"].startswith("📣 3 位成员举报了 @alice 的消息。本群的广告过滤已关闭")
    # No operators' chat: the note is in the group, answering the reported message.
    assert note["reply_parameters"]["message_id"] == target["message_id"]
    # A fourth report, or a repeated one, is thanked; the operators were told already.
    await report(bot, target, ERIN, DAVE)
    assert [b["text"] for b in sent_to(fake_telegram, GROUP_ID)][-2:] == [
        "感谢举报（4/3），已转告管理员。", "感谢举报（4/3），已转告管理员。"
    ]
    assert fake_telegram.called("deleteMessage") == []


def _span(start: datetime, end: datetime) -> str:
    return f"{start:%H:%M}-{end:%H:%M}"


async def test_reports_of_a_message_posted_in_the_ad_window_go_to_operators_not_remove_it(
    bot, fake_telegram
):
    # Inside the group's ad window promotions are allowed, but three reports still removed
    # one and muted its poster, after the window had closed too.
    await configure_chat(bot, GROUP_ID, "Qunbot Test Group", raid={"alert_chat_id": str(OPS_CHAT)})
    posted = datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(hours=3)
    if f"{posted + timedelta(minutes=30):%H:%M}" == "00:00":
        posted -= timedelta(minutes=1)  # a window ending at midnight is told as "24:00"
    window = _span(posted - timedelta(minutes=30), posted + timedelta(minutes=30))
    await post_and_settle(bot, make_message_update(f"/filter window daily {window}",
                                                   sender=OPERATOR))
    promo = message("新品到货，周末团购八折", sender=ALICE, date=int(posted.timestamp()))
    await post_and_settle(bot, make_update("message", promo))
    await regulars(bot, BOB, CAROL, DAVE)
    await report(bot, promo, BOB, CAROL, DAVE)
    assert fake_telegram.called("deleteMessage") == []
    assert fake_telegram.called("restrictChatMember") == []
    assert await decisions(bot) == []
    assert sent_to(fake_telegram, GROUP_ID)[-1]["text"] == "感谢举报（3/3），已转告管理员。"
    (note,) = sent_to(fake_telegram, OPS_CHAT)
    assert note["text"].startswith("【Qunbot Test Group】\n📣 3 位成员举报了 @alice 的消息。"
                                   f"它发在广告时段（每天 {window}）内")
    assert note["text"].endswith(f"https://t.me/c/{str(GROUP_ID)[4:]}/{promo['message_id']}")
    # A message posted now, outside the window, is acted on by reports as ever.
    later = message(CHAT, sender=ALICE, date=int(time.time()))
    await post_and_settle(bot, make_update("message", later))
    await report(bot, later, BOB, CAROL, DAVE)
    (deleted,) = fake_telegram.called("deleteMessage")
    assert deleted["message_id"] == later["message_id"]
    assert fake_telegram.called("restrictChatMember")[0]["user_id"] == MEMBER_ID
