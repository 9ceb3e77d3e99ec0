"""Join requests by each screening rule, operator review buttons, the allow-list and /rules."""

from __future__ import annotations

from tests.factories import (
    OPERATOR_ID,
    make_callback_update,
    make_join_request_update,
    make_message_update,
    user,
)
from tests.handlers.entry_support import configure, group_settings, quiet

OP = user(OPERATOR_ID, "Op")
APPLICANT = user(701, "Applicant")


def with_link(update: dict, name: str) -> dict:
    update["chat_join_request"]["invite_link"] = {
        "invite_link": "https://t.me/+AbCdEf",
        "creator": OP,
        "creates_join_request": True,
        "is_primary": False,
        "is_revoked": False,
        "name": name,
    }
    return update


async def test_open_groups_approve_every_request(bot, fake_telegram):
    await bot.post_update(make_join_request_update(APPLICANT))
    (approved,) = await fake_telegram.wait_for("approveChatJoinRequest", 1)
    assert approved["user_id"] == 701


async def test_invite_code_rule_checks_the_link_name(bot, fake_telegram):
    await bot.post_update(make_message_update("/screening code VIP2026 friends", sender=OP))
    await fake_telegram.wait_for("sendMessage", 1)
    assert (await group_settings(bot))["screening"]["codes"] == ["VIP2026", "friends"]
    await bot.post_update(with_link(make_join_request_update(APPLICANT), "VIP2026"))
    await bot.post_update(with_link(make_join_request_update(user(702, "X")), "leaked"))
    await bot.post_update(make_join_request_update(user(703, "Y")))
    (approved,) = await fake_telegram.wait_for("approveChatJoinRequest", 1)
    declined = await fake_telegram.wait_for("declineChatJoinRequest", 2)
    assert approved["user_id"] == 701
    assert {d["user_id"] for d in declined} == {702, 703}


async def test_review_rule_asks_operators_and_only_they_decide(bot, fake_telegram):
    await configure(bot, screening={"mode": "review"})
    await bot.post_update(make_join_request_update(APPLICANT, bio="I love the product"))
    (posted,) = await fake_telegram.wait_for("sendMessage", 1)
    assert "I love the product" in posted["text"]
    keys = [b["callback_data"] for b in posted["reply_markup"]["inline_keyboard"][0]]
    assert keys == ["scr:a:701", "scr:d:701"]
    await bot.post_update(make_callback_update("scr:a:701", sender=user(222, "Member")))
    (refused,) = await fake_telegram.wait_for("answerCallbackQuery", 1)
    assert refused["text"] == "抱歉，这个命令只有群管理员可以使用。"
    assert fake_telegram.called("approveChatJoinRequest") == []
    await bot.post_update(make_callback_update("scr:a:701", sender=OP))
    (approved,) = await fake_telegram.wait_for("approveChatJoinRequest", 1)
    assert approved["user_id"] == 701


async def test_allowlist_imported_from_a_replied_message(bot, fake_telegram):
    await configure(bot, screening={"mode": "allowlist"})
    await bot.post_update(make_message_update("/allowlist add 701", sender=OP))
    listing = {"message_id": 9, "from": OP, "chat": {"id": -1, "type": "supergroup"}, "date": 0}
    listing["text"] = "ids: 704, 705\n706"
    await bot.post_update(
        make_message_update("/allowlist import", sender=OP, reply_to_message=listing)
    )
    await fake_telegram.wait_for("sendMessage", 2)
    assert (await group_settings(bot))["screening"]["allowlist"] == ["701", "704", "705", "706"]
    await bot.post_update(make_join_request_update(user(705, "Listed")))
    await bot.post_update(make_join_request_update(user(799, "Stranger")))
    (approved,) = await fake_telegram.wait_for("approveChatJoinRequest", 1)
    (declined,) = await fake_telegram.wait_for("declineChatJoinRequest", 1)
    assert (approved["user_id"], declined["user_id"]) == (705, 799)


async def test_rules_are_published_by_operators_and_read_by_members(bot, fake_telegram):
    await bot.post_update(make_message_update("/rules set 1. 不发广告\n2. 友善交流", sender=OP))
    await bot.post_update(make_message_update("/rules set hacked", sender=user(222, "M")))
    await bot.post_update(make_message_update("/rules"))
    sent = await fake_telegram.wait_for("sendMessage", 3)
    await quiet(bot)
    assert [m["text"] for m in sent] == [
        "群规已更新。",
        "抱歉，这个命令只有群管理员可以使用。",
        "📜 群规与入群规则：\n1. 不发广告\n2. 友善交流",
    ]
