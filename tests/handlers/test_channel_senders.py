"""Members posting as a channel, through the webhook: the ad filter judges the channel as a
newcomer and bans it (not Telegram's placeholder account) past a warning; anonymous admins, the
linked channel's forwards and allowed channels pass; undo lifts the channel's ban; `/spam`,
`/report` and `/ban` in reply to the channel's message act on the channel."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Group
from handlers.moderation_store import ModerationDecision
from tests.factories import (
    ANONYMOUS_ADMIN,
    CHANNEL_BOT,
    CHANNEL_ID,
    GROUP_ID,
    MEMBER_ID,
    OPERATOR_ID,
    channel,
    chat,
    make_channel_message_update,
    make_message_update,
    make_update,
    message,
    user,
)
from tests.handlers.report_support import regulars
from tests.harness import eventually

OPERATOR = user(OPERATOR_ID, "Op")
ALICE = user(MEMBER_ID, "Alice", username="alice")
PROMO = channel(title="Promo Deals", username="promo_deals")
AD = "加我微信 abc123 领取福利，名额有限"
CHAT = "今天天气不错，大家吃饭了吗"


async def quiet(bot) -> bool:
    return await bot.settled()


async def post_and_settle(bot, update) -> None:
    await bot.post_update(update)
    await eventually(lambda: quiet(bot))


async def decisions(bot) -> list[ModerationDecision]:
    query = select(ModerationDecision).order_by(ModerationDecision.id)
    return await bot.run_sync(lambda s: list(s.scalars(query)))


async def set_adfilter(bot, **values) -> None:
    """Give the group its `adfilter` settings before any update arrives (the app is idle)."""
    group = Group(
        platform="telegram",
        chat_id=str(GROUP_ID),
        chat_type="supergroup",
        settings={"adfilter": values},
    )
    await bot.run_sync(lambda session: session.add(group))


def deleted(fake_telegram) -> list[int]:
    return [b["message_id"] for b in fake_telegram.called("deleteMessage")]


def no_member_punished(fake_telegram) -> bool:
    """Neither Telegram's placeholder account nor anyone else was muted or banned, nor told."""
    private = [b for b in fake_telegram.called("sendMessage") if b["chat_id"] > 0]
    return not (
        fake_telegram.called("restrictChatMember") or fake_telegram.called("banChatMember")
        or private
    )


async def test_a_channels_ad_is_deleted_then_the_channel_banned(bot, fake_telegram):
    first = make_channel_message_update(AD, sender_chat=PROMO)
    await bot.post_update(first)
    (removed,) = await fake_telegram.wait_for("deleteMessage")
    (warning,) = await fake_telegram.wait_for("sendMessage")
    await eventually(lambda: quiet(bot))
    assert removed["message_id"] == first["message"]["message_id"]
    assert "@promo_deals" in warning["text"] and "频道" in warning["text"]
    assert fake_telegram.called("banChatSenderChat") == []
    second = make_channel_message_update(AD.replace("abc123", "xyz789"), sender_chat=PROMO)
    await bot.post_update(second)
    (ban,) = await fake_telegram.wait_for("banChatSenderChat")
    await eventually(lambda: quiet(bot))
    assert ban == {"chat_id": GROUP_ID, "sender_chat_id": CHANNEL_ID}
    assert second["message"]["message_id"] in deleted(fake_telegram)
    assert no_member_punished(fake_telegram)
    stored = await decisions(bot)
    assert [(d.user_id, d.user_name, d.action) for d in stored] == [
        (str(CHANNEL_ID), "@promo_deals", "delete"),
        (str(CHANNEL_ID), "@promo_deals", "ban_chat"),
    ]


async def test_a_channel_is_judged_as_a_newcomer_whatever_channel_bot_posted_before(
    bot, fake_telegram
):
    # Telegram's placeholder account sends for every channel: its message count in the group
    # says nothing about this channel, which the strict newcomer rules judge.
    for n in range(4):
        other = channel(-1000000000100 - n, f"News {n}")
        await bot.post_update(make_channel_message_update(CHAT, sender_chat=other))
    await eventually(lambda: quiet(bot))
    forward = {"type": "channel", "chat": channel(-100555, "Deals"), "message_id": 1, "date": 1}
    post = make_channel_message_update("今晚的直播回放", sender_chat=PROMO, forward_origin=forward)
    await bot.post_update(post)
    await fake_telegram.wait_for("deleteMessage")
    await eventually(lambda: quiet(bot))
    assert deleted(fake_telegram) == [post["message"]["message_id"]]
    (decision,) = await decisions(bot)
    assert "forward" in {v["name"] for v in decision.verdicts if v["spam"]}


async def test_a_channels_ordinary_messages_are_left_alone_and_its_ad_is_not(bot, fake_telegram):
    for text in ("大家好", CHAT, "Good morning everyone!"):
        await bot.post_update(make_channel_message_update(text, sender_chat=PROMO))
    await eventually(lambda: quiet(bot))
    assert fake_telegram.called("deleteMessage") == []
    assert await decisions(bot) == []
    ad = make_channel_message_update(AD, sender_chat=PROMO)
    await bot.post_update(ad)
    await fake_telegram.wait_for("deleteMessage")
    await eventually(lambda: quiet(bot))
    assert deleted(fake_telegram) == [ad["message"]["message_id"]]


async def test_an_anonymous_admins_announcement_is_untouched(bot, fake_telegram):
    # An anonymous admin posts as the group itself: an operator, whatever the words.
    announcement = message(AD, sender=ANONYMOUS_ADMIN, sender_chat=chat())
    await bot.post_update(make_update("message", announcement))
    ad = make_channel_message_update(AD, sender_chat=PROMO)
    await bot.post_update(ad)
    await fake_telegram.wait_for("deleteMessage")
    await eventually(lambda: quiet(bot))
    assert deleted(fake_telegram) == [ad["message"]["message_id"]]
    assert [d.user_id for d in await decisions(bot)] == [str(CHANNEL_ID)]


async def test_the_linked_channels_automatic_forward_is_untouched(bot, fake_telegram):
    ours = channel(-100999, "Our Channel", username="our_channel")
    service = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
    post = message(AD, sender=service, sender_chat=ours, is_automatic_forward=True,
                   forward_origin={"type": "channel", "chat": ours, "message_id": 7, "date": 1})
    await bot.post_update(make_update("message", post))
    # The same channel posting by hand (not an automatic forward) is judged.
    by_hand = make_channel_message_update(AD, sender_chat=ours)
    await bot.post_update(by_hand)
    await fake_telegram.wait_for("deleteMessage")
    await eventually(lambda: quiet(bot))
    assert deleted(fake_telegram) == [by_hand["message"]["message_id"]]


async def test_a_channel_the_operators_allowed_is_untouched(bot, fake_telegram):
    await set_adfilter(bot, allowed_users=[str(CHANNEL_ID)])
    await bot.post_update(make_channel_message_update(AD, sender_chat=PROMO))
    other = make_channel_message_update(AD, sender_chat=channel(-100321, "Other"))
    await bot.post_update(other)
    await fake_telegram.wait_for("deleteMessage")
    await eventually(lambda: quiet(bot))
    assert deleted(fake_telegram) == [other["message"]["message_id"]]
    assert [d.user_id for d in await decisions(bot)] == ["-100321"]


async def test_shadow_mode_stores_a_channels_decisions_and_does_nothing(bot, fake_telegram):
    await set_adfilter(bot, shadow=True, ladder=["ban"])
    for code in ("abc123", "xyz789"):
        await bot.post_update(make_channel_message_update(AD.replace("abc123", code),
                                                          sender_chat=PROMO))
    await eventually(lambda: quiet(bot))
    assert fake_telegram.called("deleteMessage") == []
    assert fake_telegram.called("banChatSenderChat") == []
    assert fake_telegram.called("sendMessage") == []
    stored = await decisions(bot)
    assert [(d.user_id, d.action, d.shadow) for d in stored] == [
        (str(CHANNEL_ID), "ban_chat", True),
        (str(CHANNEL_ID), "ban_chat", True),
    ]


async def test_undo_of_a_channels_ban_unbans_the_channel(bot, fake_telegram):
    await set_adfilter(bot, ladder=["ban"])
    await bot.post_update(make_channel_message_update(AD, sender_chat=PROMO))
    await fake_telegram.wait_for("banChatSenderChat")
    await eventually(lambda: quiet(bot))
    (decision,) = await decisions(bot)
    await post_and_settle(bot, make_message_update(f"/why {decision.id}", sender=OPERATOR))
    assert "@promo_deals" in fake_telegram.called("sendMessage")[-1]["text"]
    await bot.post_update(make_message_update(f"/undo {decision.id}", sender=OPERATOR))
    (unban,) = await fake_telegram.wait_for("unbanChatSenderChat")
    await eventually(lambda: quiet(bot))
    assert unban == {"chat_id": GROUP_ID, "sender_chat_id": CHANNEL_ID}
    assert fake_telegram.called("unbanChatMember") == []
    assert (await decisions(bot))[0].undone
    assert CHANNEL_BOT["id"] not in {b["chat_id"] for b in fake_telegram.called("sendMessage")}


async def test_spam_marks_a_channels_message_and_climbs_the_channels_ladder(bot, fake_telegram):
    # Chat the filter lets through, which the operators know to be the channel's bait.
    posts = [make_channel_message_update(text, sender_chat=PROMO)
             for text in ("周末一起去爬山吗", "周末一起去看海吗")]
    for post in posts:
        await bot.post_update(post)
    await eventually(lambda: quiet(bot))
    for post in posts:
        await post_and_settle(
            bot, make_message_update("/spam", sender=OPERATOR, reply_to_message=post["message"])
        )
    (ban,) = await fake_telegram.wait_for("banChatSenderChat")
    assert ban == {"chat_id": GROUP_ID, "sender_chat_id": CHANNEL_ID}
    assert deleted(fake_telegram) == [p["message"]["message_id"] for p in posts]
    assert no_member_punished(fake_telegram)
    stored = await decisions(bot)
    assert [(d.user_id, d.action, d.source) for d in stored] == [
        (str(CHANNEL_ID), "delete", "operator"),
        (str(CHANNEL_ID), "ban_chat", "operator"),
    ]


async def test_members_reports_remove_a_channels_message_and_ban_the_channel(bot, fake_telegram):
    post = make_channel_message_update("周末一起去爬山吗", sender_chat=PROMO)
    await bot.post_update(post)
    await eventually(lambda: quiet(bot))
    reporters = [user(MEMBER_ID + 10 + n, f"Reporter {n}") for n in range(3)]
    await regulars(bot, *reporters)
    for reporter in reporters:
        await bot.post_update(
            make_message_update("/report", sender=reporter, reply_to_message=post["message"])
        )
    (ban,) = await fake_telegram.wait_for("banChatSenderChat")
    await eventually(lambda: quiet(bot))
    assert ban == {"chat_id": GROUP_ID, "sender_chat_id": CHANNEL_ID}
    assert deleted(fake_telegram) == [post["message"]["message_id"]]
    assert no_member_punished(fake_telegram)
    notice = fake_telegram.called("sendMessage")[-1]["text"]
    assert "频道 @promo_deals" in notice and "禁言" not in notice
    (decision,) = await decisions(bot)
    assert (decision.user_id, decision.action, decision.source) == (
        str(CHANNEL_ID), "ban_chat", "report"
    )


async def test_reports_posted_as_channels_are_noted_and_never_count(bot, fake_telegram):
    # Every message posted as a channel comes from Telegram's one placeholder account, and one
    # person may own any number of channels: three channels' reports removed a member's
    # message and muted them. A channel has no history in the group, like a fresh account.
    post = make_message_update(CHAT, sender=ALICE)
    for n in (1, 2, 3):
        await bot.post_update(make_channel_message_update(
            "/report", sender_chat=channel(CHANNEL_ID + n, f"Fans {n}"),
            reply_to_message=post["message"],
        ))
    await eventually(lambda: quiet(bot))
    acks = [m["text"] for m in fake_telegram.called("sendMessage")]
    assert acks == ["感谢举报，已记录，管理员会查看。"] * 3
    assert not fake_telegram.called("deleteMessage")
    assert not fake_telegram.called("restrictChatMember")


async def test_ban_in_reply_to_a_channels_message_bans_the_channel(bot, fake_telegram):
    post = make_channel_message_update("周末一起去爬山吗", sender_chat=PROMO)
    await bot.post_update(post)
    await bot.post_update(
        make_message_update("/mute 2h", sender=OPERATOR, reply_to_message=post["message"])
    )
    await bot.post_update(
        make_message_update("/ban spam", sender=OPERATOR, reply_to_message=post["message"])
    )
    (ban,) = await fake_telegram.wait_for("banChatSenderChat")
    await eventually(lambda: quiet(bot))
    assert ban == {"chat_id": GROUP_ID, "sender_chat_id": CHANNEL_ID}
    assert deleted(fake_telegram) == [post["message"]["message_id"]]
    assert no_member_punished(fake_telegram)
    refused, banned = (b["text"] for b in fake_telegram.called("sendMessage"))
    assert "/ban" in refused  # a channel cannot be muted
    assert banned.startswith("已禁止频道 @promo_deals 在本群发言")


async def test_the_linked_channels_posts_cannot_be_reported_marked_or_banned(bot, fake_telegram):
    # Telegram sends them from its service account (777000): acting on one would target that.
    ours = channel(-100999, "Our Channel", username="our_channel")
    service = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
    post = message("新课上线，欢迎报名", sender=service, sender_chat=ours,
                   is_automatic_forward=True)
    await bot.post_update(make_update("message", post))
    await bot.post_update(make_message_update("/report", reply_to_message=post))
    await bot.post_update(make_message_update("/spam", sender=OPERATOR, reply_to_message=post))
    await bot.post_update(make_message_update("/ban", sender=OPERATOR, reply_to_message=post))
    replies = [m["text"] for m in await fake_telegram.wait_for("sendMessage", 3)]
    await eventually(lambda: quiet(bot))
    assert all(text.startswith("这是本群关联频道自动转发的帖子") for text in replies), replies
    assert deleted(fake_telegram) == []
    assert fake_telegram.called("banChatMember") == []
    assert await decisions(bot) == []


async def test_a_newcomer_forwarding_an_allowed_channels_post_is_left_alone(bot, fake_telegram):
    # The channel is allowed to post here as itself, but a newcomer sharing one of its posts
    # was warned for forwarding a channel post, as if it were a stranger's promotion.
    await set_adfilter(bot, allowed_users=[str(CHANNEL_ID)])

    def forwarded(source: dict, sender: dict) -> dict:
        origin = {"type": "channel", "chat": source, "message_id": 42, "date": 1_700_000_000}
        return make_message_update("本周新品上线，欢迎关注", sender=sender, forward_origin=origin)

    await bot.post_update(forwarded(PROMO, user(333, "Bob")))
    other = forwarded(channel(-100321, "Other"), user(444, "Carol"))
    await bot.post_update(other)
    await fake_telegram.wait_for("deleteMessage")
    await eventually(lambda: quiet(bot))
    assert deleted(fake_telegram) == [other["message"]["message_id"]]
    assert [d.user_id for d in await decisions(bot)] == ["444"]
