"""Where a member's appeal card goes, through the webhook: the group's operators' chat when it
has one (never in front of the members), where only the group's own operators decide it; else
the group, as before."""

from __future__ import annotations

from tests.factories import GROUP_ID, MEMBER_ID, make_callback_update, user
from tests.handlers.entry_support import configure, configure_chat
from tests.handlers.test_moderation import (
    ALICE,
    OPERATOR,
    button_data,
    decisions,
    muted_for_a_second_ad,
    post_and_settle,
    sent_to,
)

OPS_CHAT = -1005550002222
GROUP_OP = user(888, "GroupOp")  # operates the group (and the operators' chat)
OPS_ADMIN = user(999, "OpsAdmin")  # runs the operators' chat only


async def with_operators_chat(bot) -> None:
    await configure(bot, raid={"alert_chat_id": str(OPS_CHAT)}, operators=["888"])
    await configure_chat(bot, OPS_CHAT, "Ops room", operators=["888", "999"])


async def appeal(bot, decision_id: int) -> None:
    await post_and_settle(
        bot, make_callback_update(f"adf:appeal:{decision_id}", sender=ALICE, chat_id=MEMBER_ID)
    )


def unmutes(fake_telegram) -> list[dict]:
    return [c for c in fake_telegram.called("restrictChatMember")
            if c["permissions"]["can_send_messages"]]


async def test_an_appeal_card_goes_to_the_operators_chat_where_only_group_operators_decide(
    bot, fake_telegram
):
    # Regression: "@alice appealed against #2" with Restore / Reject was posted in the group,
    # in front of the members, though the group had an operators' chat for such notes.
    await with_operators_chat(bot)
    mute = await muted_for_a_second_ad(bot, fake_telegram)
    in_group = len(sent_to(fake_telegram, GROUP_ID))
    await appeal(bot, mute.id)
    assert len(sent_to(fake_telegram, GROUP_ID)) == in_group
    (card,) = sent_to(fake_telegram, OPS_CHAT)
    assert card["text"].startswith(f"【Qunbot Test Group】\n🙋 @alice 对 #{mute.id} 提出申诉")
    restore, _reject = button_data(card)
    # An admin of the operators' chat who does not run the group may not decide for it.
    await post_and_settle(bot, make_callback_update(restore, sender=OPS_ADMIN, chat_id=OPS_CHAT))
    refused = fake_telegram.called("answerCallbackQuery")[-1]
    assert refused["show_alert"] is True and refused["text"] == "只有管理员可以这样做。"
    assert unmutes(fake_telegram) == [] and (await decisions(bot))[1].appeal == "pending"
    await post_and_settle(bot, make_callback_update(restore, sender=GROUP_OP, chat_id=OPS_CHAT))
    (unmute,) = unmutes(fake_telegram)
    assert (unmute["chat_id"], unmute["user_id"]) == (GROUP_ID, MEMBER_ID)
    restored = (await decisions(bot))[1]
    assert (restored.undone, restored.undone_by, restored.appeal) == (True, "888", "restored")
    told = sent_to(fake_telegram, MEMBER_ID)[-1]["text"]
    assert told == "你的申诉已通过，已在「Qunbot Test Group」恢复。"
    assert sent_to(fake_telegram, OPS_CHAT)[-1]["text"].startswith("【Qunbot Test Group】\n已撤销")
    assert len(sent_to(fake_telegram, GROUP_ID)) == in_group


async def test_the_first_press_on_an_appeal_card_decides_and_a_later_one_hears_what_did(
    bot, fake_telegram
):
    await with_operators_chat(bot)
    mute = await muted_for_a_second_ad(bot, fake_telegram)
    await appeal(bot, mute.id)
    restore, reject = button_data(sent_to(fake_telegram, OPS_CHAT)[0])
    await post_and_settle(bot, make_callback_update(reject, sender=GROUP_OP, chat_id=OPS_CHAT))
    assert sent_to(fake_telegram, OPS_CHAT)[-1]["text"] == (
        f"【Qunbot Test Group】\n#{mute.id} 的申诉已驳回。"
    )
    for late in (restore, reject):
        await post_and_settle(bot, make_callback_update(late, sender=OPERATOR, chat_id=OPS_CHAT))
        told = fake_telegram.called("answerCallbackQuery")[-1]
        assert told["show_alert"] is True
        assert told["text"].startswith(f"#{mute.id} 的申诉已被管理员驳回")
    assert unmutes(fake_telegram) == []
    assert [m["text"] for m in sent_to(fake_telegram, MEMBER_ID)].count("你的申诉未通过。") == 1
    assert (await decisions(bot))[1].appeal == "rejected"


async def test_without_an_operators_chat_the_card_stays_in_the_group_and_keeps_working(
    bot, fake_telegram
):
    mute = await muted_for_a_second_ad(bot, fake_telegram)
    await appeal(bot, mute.id)
    card = sent_to(fake_telegram, GROUP_ID)[-1]
    assert card["text"].startswith(f"🙋 @alice 对 #{mute.id} 提出申诉")
    restore, _reject = button_data(card)
    # An operators' chat set afterwards leaves the card already in the group working there.
    await with_operators_chat(bot)
    await post_and_settle(bot, make_callback_update(restore, sender=GROUP_OP))
    (unmute,) = unmutes(fake_telegram)
    assert unmute["chat_id"] == GROUP_ID
    assert sent_to(fake_telegram, GROUP_ID)[-1]["text"].startswith("已撤销")
    assert sent_to(fake_telegram, OPS_CHAT) == []
