"""What the digest and the inactivity check call messages: what members posted in the group
(text, captions, media, stickers...), never commands to a bot, service notices (joins, leaves,
pins, title changes), button presses, member updates, edits, bots, the linked channel's copies,
or ads the filter removed (those are a figure of their own)."""

from __future__ import annotations

from tests.factories import (
    ANONYMOUS_ADMIN,
    OPERATOR_ID,
    chat,
    make_callback_update,
    make_chat_member_update,
    make_join_update,
    make_left_update,
    make_message_update,
    make_update,
    message,
    user,
)
from tests.handlers.test_photo_checks import WECHAT_AD, photo_update, qr_photo
from tests.handlers.test_repeats import ASK
from tests.harness import eventually
from tests.schedules.conftest import fire_next
from tests.schedules.test_job_kinds import digest_now
from tests.schedules.test_schedule_commands import command

NEW, NEWER = user(801, "New"), user(802, "Newer")
AD = "加我微信 abc123 领取福利，名额有限"
PHOTO = [{"file_id": "small", "width": 90, "height": 90}, {"file_id": "big", "width": 800}]
STICKER = {"file_id": "st1", "file_unique_id": "u1", "type": "regular", "width": 512,
           "height": 512, "is_animated": False, "is_video": False}


def linked_channel_copy() -> dict:
    """A post of the channel the group discusses, copied in by Telegram's service account."""
    ours = {"id": -100999, "type": "channel", "title": "Our Channel"}
    post = message("本周直播预告", sender={"id": 777000, "is_bot": False, "first_name": "Telegram"})
    post.update(is_automatic_forward=True, sender_chat=ours, forward_from_chat=ours)
    return make_update("message", post)


def service_notice(**field) -> dict:
    return make_update("message", message(None, sender=user(OPERATOR_ID, "Op"), **field))


def edit_of(update: dict) -> dict:
    edited = {**update["message"], "text": "改一下", "edit_date": update["message"]["date"] + 5}
    return make_update("edited_message", edited)


def reminders(fake_telegram, before: int) -> list[dict]:
    """The inactivity reminders among the messages sent after the first `before`."""
    sent = fake_telegram.called("sendMessage")[before:]
    return [m for m in sent if "致群管理员" in m["text"]]


def noise() -> list[dict]:
    """A day of updates that are no member's message."""
    pinned = message("置顶", sender=user(OPERATOR_ID, "Op"))
    return [
        make_join_update(NEW, NEWER),
        make_chat_member_update(user(803, "Third"), "left", "member"),
        make_message_update("/me", sender=NEW),
        make_message_update("/top week", sender=NEWER),
        make_message_update("/help@other_bot", sender=NEW),
        make_callback_update("noop", sender=NEW),
        service_notice(pinned_message=pinned),
        service_notice(new_chat_title="新群名"),
        make_message_update("我是机器人", sender=user(4242, "Helper", is_bot=True)),
        linked_channel_copy(),
        make_left_update(user(803, "Third")),
    ]


async def test_the_digest_counts_only_what_members_posted(sbot, fake_telegram):
    greeting = make_message_update("早", sender=NEW)
    posts = [
        greeting,
        make_message_update(None, sender=NEWER, photo=PHOTO, caption="今天的作业"),
        make_message_update(None, sender=NEW, sticker=STICKER),
        # An anonymous admin is a person posting as the group.
        make_message_update("欢迎两位", sender=ANONYMOUS_ADMIN, sender_chat=chat()),
    ]
    for update in [*noise(), *posts, edit_of(greeting)]:
        await sbot.post_update(update)
    await sbot.post_update(make_message_update(AD, sender=user(804, "Spammer")))
    await fake_telegram.wait_for("deleteMessage")
    await eventually(sbot.settled)
    digest = await digest_now(sbot, fake_telegram)
    assert digest.startswith(
        "📊 群日报（过去 24 小时）：成员发言 4 条（不计命令、系统通知和机器人），新成员 "
    )
    # New, Newer, the operator and the spammer (warned, still in): not the member who left,
    # the bots, or Telegram's service account (777000) that copies in the channel's posts.
    assert "现有成员 4 人。" in digest, digest
    assert digest.endswith("另有 1 条广告被删除，未计入发言。")


async def test_a_group_of_joins_commands_and_spam_is_flagged_inactive(
    sbot, clocked_app, fake_telegram
):
    await command(sbot, fake_telegram, "/schedule add 每天 9:00 活跃检查 7天 5条")
    for update in noise():
        await sbot.post_update(update)
    for n in range(3):
        await sbot.post_update(make_message_update(AD, sender=user(810 + n, f"Spam{n}")))
    await fake_telegram.wait_for("deleteMessage", 3)
    await eventually(sbot.settled)
    before = len(fake_telegram.called("sendMessage"))
    await fire_next(sbot, clocked_app)
    (reminder,) = reminders(fake_telegram, before)
    assert reminder["chat_id"] == OPERATOR_ID  # who made the check, not the members
    assert reminder["text"].startswith(
        "【Qunbot Test Group】\n致群管理员：本群最近 7 天成员发言只有 0 条（低于 5 条"
    )


async def test_a_group_whose_members_talk_is_not_flagged(sbot, clocked_app, fake_telegram):
    await command(sbot, fake_telegram, "/schedule add 每天 9:00 活跃检查 7天 5条")
    for n in range(5):
        await sbot.post_update(make_message_update(f"第 {n} 条", sender=user(820 + n % 2, "M")))
    await eventually(sbot.settled)
    before = len(fake_telegram.called("sendMessage"))
    await fire_next(sbot, clocked_app)
    assert reminders(fake_telegram, before) == []


async def test_messages_removed_as_ads_later_move_from_messages_to_ads(sbot, fake_telegram):
    alice, bob, carol = user(830, "Alice"), user(831, "Bob"), user(832, "Carol")
    for text in ("大家好，我是新来的", "谢谢群主拉我进来", "请问群公告在哪里看"):
        await sbot.post_update(make_message_update(text, sender=alice))
    # A flood: the first two copies pass as chat, the third removes all three.
    for text in (ASK, ASK + "？？", "今天 团购的取货点在哪里呀 有人知道吗 🙏"):
        await sbot.post_update(make_message_update(text, sender=alice))
    await fake_telegram.wait_for("deleteMessage", 3)
    # A newcomer's photo passes at once and is found to be a QR-code ad by the photo worker.
    fake_telegram.add_file("qr-ad", qr_photo(WECHAT_AD))
    await sbot.post_update(photo_update(bob, "qr-ad"))
    await fake_telegram.wait_for("deleteMessage", 4, timeout=10)
    # An operator marks a message as spam by replying /spam to it.
    pitch = make_message_update("朋友圈有好货，私聊我", sender=carol)
    await sbot.post_update(pitch)
    await eventually(sbot.settled)
    await sbot.post_update(
        make_message_update("/spam", sender=user(OPERATOR_ID, "Op"),
                            reply_to_message=pitch["message"])
    )
    await fake_telegram.wait_for("deleteMessage", 5)
    await eventually(sbot.settled)
    digest = await digest_now(sbot, fake_telegram)
    assert digest.startswith("📊 群日报（过去 24 小时）：成员发言 3 条（")
    assert digest.endswith("另有 5 条广告被删除，未计入发言。")


async def test_telegrams_service_account_is_no_member_even_if_stored_as_one(bot):
    from sqlalchemy import select

    from bot.db.models import Member

    await bot.post_update(make_message_update("早", sender=NEW))
    await eventually(bot.settled)

    def store_as_person(session):
        group_id = session.scalar(select(Member.group_id))
        session.add(Member(group_id=group_id, user_id="777000", display_name="Telegram",
                           is_bot=False, tags=[]))

    await bot.run_sync(store_as_person)
    await bot.post_update(linked_channel_copy())
    await eventually(bot.settled)

    def service_account(session):
        return session.scalar(select(Member.is_bot).where(Member.user_id == "777000"))

    assert await bot.run_sync(service_account) is True
