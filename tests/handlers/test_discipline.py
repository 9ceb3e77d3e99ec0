"""/warn, /mute and /ban through the webhook: aimed by reply or by name, operators only, never at
operators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot import app
from bot.db.models import Member
from tests.factories import (
    ANONYMOUS_ADMIN,
    CHANNEL_BOT,
    GROUP_ID,
    MEMBER_ID,
    OPERATOR_ID,
    channel,
    chat,
    make_message_update,
    message,
    user,
)
from tests.fakes.telegram_api import BOT_ID, BOT_USERNAME, CHAT_PERMISSIONS, Failure
from tests.handlers.checkin_points_support import db, quiet, texts
from tests.harness import BotHarness, eventually

OPERATOR = user(OPERATOR_ID, "Op")
ALICE = user(MEMBER_ID, "Alice", username="alice")
BOB = user(MEMBER_ID + 1, "Bob", username="bob")
# The bot's own account, as Telegram shows it in a replied-to message it sent.
QUNBOT = {"id": BOT_ID, "is_bot": True, "first_name": "Qunbot", "username": BOT_USERNAME}


async def test_warn_by_reply_answers_the_offending_message(bot, fake_telegram):
    rude = message("你们这群人真烦", sender=ALICE)
    await bot.post_update(make_message_update("/warn 请文明发言", sender=OPERATOR,
                                              reply_to_message=rude))
    (warning,) = await fake_telegram.wait_for("sendMessage", 1)
    assert warning["text"] == "⚠️ @alice，请遵守群规。原因：请文明发言"
    assert warning["reply_parameters"]["message_id"] == rude["message_id"]
    assert fake_telegram.called("restrictChatMember") == []


async def test_mute_by_name_for_a_given_time(bot, fake_telegram):
    await bot.post_update(make_message_update("hi", sender=BOB))  # Bob is known to the group
    before = datetime.now(UTC)
    await bot.post_update(make_message_update("/mute @bob 2h 刷屏", sender=OPERATOR))
    (restricted,) = await fake_telegram.wait_for("restrictChatMember", 1)
    assert restricted["user_id"] == MEMBER_ID + 1
    assert restricted["permissions"]["can_send_messages"] is False
    until = datetime.fromtimestamp(restricted["until_date"], UTC)
    assert before + timedelta(minutes=119) <= until <= before + timedelta(minutes=121)
    (notice,) = await texts(bot, fake_telegram, 1)
    assert notice == "已禁言 @bob 2 小时。原因：刷屏"


async def test_ban_by_reply_removes_the_member_and_the_message(bot, fake_telegram):
    ad = message("fake giveaway, click my link", sender=BOB)
    await bot.post_update(make_message_update("/ban", sender=OPERATOR, reply_to_message=ad))
    (banned,) = await fake_telegram.wait_for("banChatMember", 1)
    (deleted,) = await fake_telegram.wait_for("deleteMessage", 1)
    assert banned["user_id"] == MEMBER_ID + 1 and deleted["message_id"] == ad["message_id"]
    (notice,) = await texts(bot, fake_telegram, 1)
    assert notice == "已将 @bob 移出本群并禁止再次加入。"


async def test_a_name_typed_in_a_reply_is_the_target_not_the_replied_member(bot, fake_telegram):
    # Alice complains about Bob; the operator answers her message with "/mute @bob 1h". The
    # reply used to win over the name: Alice, who asked for help, was muted, warned and banned.
    await bot.post_update(make_message_update("hi", sender=BOB))  # Bob is known to the group
    complaint = message("@bob 一直私信骚扰我", sender=ALICE)
    for command in ("/warn @bob 别骚扰", "/mute @bob 1h 骚扰", "/ban @bob"):
        await bot.post_update(
            make_message_update(command, sender=OPERATOR, reply_to_message=complaint)
        )
    warning, muted, banned = await texts(bot, fake_telegram, 3)
    assert (warning, muted, banned) == (
        "⚠️ @bob，请遵守群规。原因：别骚扰",
        "已禁言 @bob 1 小时。原因：骚扰",
        "已将 @bob 移出本群并禁止再次加入。",
    )
    (restricted,) = fake_telegram.called("restrictChatMember")
    (removed,) = fake_telegram.called("banChatMember")
    assert restricted["user_id"] == removed["user_id"] == BOB["id"]
    assert "reply_parameters" not in fake_telegram.called("sendMessage")[0]
    assert fake_telegram.called("deleteMessage") == []  # Alice's complaint stays
    # A number in a reply is still what it was: a length, or a reason.
    await bot.post_update(make_message_update("/mute 30m", sender=OPERATOR,
                                              reply_to_message=complaint))
    await fake_telegram.wait_for("restrictChatMember", 2)
    assert fake_telegram.called("restrictChatMember")[1]["user_id"] == MEMBER_ID


async def test_bad_targets_and_members_are_refused(bot, fake_telegram):
    commands = [
        ("/ban", OPERATOR, None),  # nobody named
        ("/mute @nobody_here", OPERATOR, None),  # unknown name
        ("/mute 1000d", OPERATOR, message("spam", sender=ALICE)),  # too long
        ("/ban", OPERATOR, message("I run this group", sender=OPERATOR)),  # an operator
        ("/ban @alice", ALICE, None),  # a member may not
    ]
    for text, sender, replied in commands:
        extra = {"reply_to_message": replied} if replied else {}
        await bot.post_update(make_message_update(text, sender=sender, **extra))
    replies = await texts(bot, fake_telegram, 5)
    assert replies[0].startswith("用法：回复成员的消息发送 /ban")
    assert replies[1].startswith("找不到成员 @nobody_here")
    assert replies[2] == "禁言时长最长 366 天：1000d"
    assert replies[3] == "不能对管理员或白名单成员使用这个命令"
    assert replies[4] == "抱歉，这个命令只有群管理员可以使用。"
    await quiet(bot)
    assert fake_telegram.called("banChatMember") == []
    assert fake_telegram.called("restrictChatMember") == []


async def test_a_mute_length_that_cannot_be_used_is_refused_not_replaced(bot, fake_telegram):
    await bot.post_update(make_message_update("hi", sender=ALICE))
    # "99999999999d" overflowed while being read: no answer at all, a traceback in the log.
    lengths = ("0m", "30s", "1.5h", "-5m", "45", "99999999999d")
    for length in lengths:
        await bot.post_update(make_message_update(f"/mute @alice {length}", sender=OPERATOR))
    replies = await texts(bot, fake_telegram, len(lengths))
    assert replies == [
        f"无法识别禁言时长：{length}。请使用 30m、2h、1d 这样的时长（1 分钟到 366 天）"
        for length in lengths
    ]
    assert fake_telegram.called("restrictChatMember") == []
    # A reason that merely starts with a number is still a reason.
    await bot.post_update(make_message_update("/mute @alice 3次刷屏", sender=OPERATOR))
    (muted,) = await fake_telegram.wait_for("restrictChatMember", 1)
    assert muted["user_id"] == MEMBER_ID
    (*_, notice) = await texts(bot, fake_telegram, len(lengths) + 1)
    assert notice == "已禁言 @alice 1 小时。原因：3次刷屏"


async def test_mute_lengths_read_as_days_and_hours_in_both_languages(bot, fake_telegram):
    # English said "muted for 1440 min" (Chinese "1440 分钟"), "/filter" showed "mute 1440 min"
    # and "in 60 min", and "/mute 400d" began in lowercase ("a mute lasts at most...").
    await bot.post_update(make_message_update("hi", sender=ALICE))
    commands = (
        "/mute @alice 1d",
        "/settings language en",
        "/mute @alice 1d",
        "/mute @alice 90m",
        "/mute @alice 1m",
        "/mute @alice 400d",
        "/filter mute 2h",
    )
    for command in commands:
        await bot.post_update(make_message_update(command, sender=OPERATOR))
    replies = await texts(bot, fake_telegram, len(commands))
    assert replies[:6] == [
        "已禁言 @alice 1 天。",
        "Saved: language = en",
        "@alice is muted for 1 day.",
        "@alice is muted for 1 hour 30 minutes.",
        "@alice is muted for 1 minute.",
        "A mute lasts at most 366 days: 400d",
    ]
    shown = replies[6].splitlines()
    assert "Ladder: delete → mute → ban (mute 2 hours)" in shown
    assert "Flood: the same text 3 times in 10 minutes" in shown
    assert "Copy-paste across groups: the same text in 3 groups within 1 hour" in shown


async def test_a_user_id_no_account_can_have_is_not_reported_as_banned(bot, fake_telegram):
    huge = "9" * 23
    await bot.post_update(make_message_update(f"/ban {huge}", sender=OPERATOR))
    await bot.post_update(make_message_update("/mute ²", sender=OPERATOR))
    replies = await texts(bot, fake_telegram, 2)
    assert replies[0] == f"找不到成员 {huge}：请回复他的消息，或使用他在本群的用户名或 ID"
    assert replies[1].startswith("用法：回复成员的消息发送 /mute")
    assert fake_telegram.called("banChatMember") == []
    outbox = await bot.outbox()
    assert [row.kind for row in outbox] == ["send_message", "send_message"]


async def test_typed_user_ids_are_read_as_points_and_bans_read_them(bot, fake_telegram):
    # One reading of a typed id (`typed_user_id`) for /ban as for /points: full-width digits
    # from a Chinese keyboard name the account they spell.
    await bot.post_update(make_message_update("hi", sender=BOB))
    wide = str(MEMBER_ID + 1).translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    await bot.post_update(make_message_update(f"/ban {wide}", sender=OPERATOR))
    (banned,) = await fake_telegram.wait_for("banChatMember", 1)
    assert banned["user_id"] == MEMBER_ID + 1
    # Past 2**52 no Telegram account exists (its bound for user ids): /ban took anything under
    # 2**63, and claimed a ban that could only fail.
    await bot.post_update(make_message_update(f"/ban {2**60}", sender=OPERATOR))
    replies = await texts(bot, fake_telegram, 2)
    assert replies[-1].startswith(f"找不到成员 {2**60}")
    assert len(fake_telegram.called("banChatMember")) == 1


async def test_in_a_forum_topic_a_named_member_is_targeted_not_the_topics_creator(
    bot, fake_telegram
):
    # In a forum supergroup every message sent in a topic carries the topic's opening service
    # message as `reply_to_message`, replied to or not.
    carol = user(MEMBER_ID + 2, "Carol", username="carol")
    opening = message(None, sender=carol, forum_topic_created={"name": "团购", "icon_color": 1})
    topic = {"message_thread_id": opening["message_id"], "is_topic_message": True,
             "reply_to_message": opening}
    await bot.post_update(make_message_update("hi", sender=BOB, **topic))
    await bot.post_update(make_message_update("/ban @bob 广告", sender=OPERATOR, **topic))
    (banned,) = await fake_telegram.wait_for("banChatMember", 1)
    await quiet(bot)
    assert banned["user_id"] == BOB["id"]
    assert fake_telegram.called("deleteMessage") == []
    await bot.post_update(make_message_update("/report", sender=ALICE, **topic))
    (*_, answer) = await texts(bot, fake_telegram, 2)
    assert answer == "请回复一条消息使用 /report。"


async def test_warn_mute_and_ban_aimed_at_the_bot_itself_are_refused(bot, fake_telegram):
    # Regression: replying to the bot's own message (or naming it) was answered "banned" (and
    # the bot's message deleted), "muted for 60 min" or a warning, though Telegram refuses to
    # ban or restrict a bot itself. No admin list names the bot here, as before the first sync.
    fake_telegram.administrators[GROUP_ID] = []
    await fake_telegram.wait_for("getMe")  # the bot knows its @username
    own = message("欢迎新朋友！", sender=QUNBOT)
    commands = [
        ("/ban 广告", own),
        ("/mute 2h", own),
        ("/warn 刷屏", own),
        (f"/ban @{BOT_USERNAME}", None),
        (f"/mute {BOT_ID} 1d", None),
        ("/settings language en", None),
        (f"/warn @{BOT_USERNAME.upper()}", None),
    ]
    for text, replied in commands:
        extra = {"reply_to_message": replied} if replied else {}
        await bot.post_update(make_message_update(text, sender=OPERATOR, **extra))
    replies = await texts(bot, fake_telegram, len(commands))
    assert replies[:5] == [
        f"这是机器人自己的账号，不能对它使用 /{command}"
        "（要让机器人离开本群，请在群成员列表中移除它）。"
        for command in ("ban", "mute", "warn", "ban", "mute")
    ]
    assert replies[6] == (
        "That is the bot's own account: /warn cannot be used on it (to make the bot leave the "
        "group, remove it in the member list)."
    )
    assert fake_telegram.called("banChatMember") == []
    assert fake_telegram.called("restrictChatMember") == []
    assert fake_telegram.called("deleteMessage") == []
    assert {row.kind for row in await bot.outbox()} == {"send_message"}


async def test_the_bot_as_a_synced_admin_is_refused_as_itself_not_as_an_admin(bot, fake_telegram):
    # Once the group's admin list is read, the bot has a member row as an admin: it is still
    # told apart from the people the exemption protects.
    await bot.post_update(make_message_update("hi", sender=ALICE))

    async def bot_is_a_known_admin() -> bool:
        query = select(Member.role).where(Member.user_id == str(BOT_ID))
        return await db(bot, lambda session: session.scalar(query)) == "admin"

    await eventually(bot_is_a_known_admin)
    await bot.post_update(make_message_update(f"/ban {BOT_ID}", sender=OPERATOR))
    (refusal,) = await texts(bot, fake_telegram, 1)
    assert refusal.startswith("这是机器人自己的账号，不能对它使用 /ban")
    assert fake_telegram.called("banChatMember") == []


async def test_another_bot_can_still_be_banned(bot, fake_telegram):
    spam_bot = user(MEMBER_ID + 3, "Free Crypto", is_bot=True, username="free_crypto_bot")
    ad = message("claim your airdrop", sender=spam_bot)
    await bot.post_update(make_message_update("/ban", sender=OPERATOR, reply_to_message=ad))
    (banned,) = await fake_telegram.wait_for("banChatMember", 1)
    assert banned["user_id"] == spam_bot["id"]
    (notice,) = await texts(bot, fake_telegram, 1)
    assert notice == "已将 @free_crypto_bot 移出本群并禁止再次加入。"


async def test_unmute_and_unban_lift_what_mute_and_ban_did(bot, fake_telegram):
    await bot.post_update(make_message_update("hi", sender=BOB))  # Bob is known to the group
    for command in ("/mute @bob 2h", "/unmute @bob", "/ban @bob", f"/unban {MEMBER_ID + 1}"):
        await bot.post_update(make_message_update(command, sender=OPERATOR))
    replies = await texts(bot, fake_telegram, 4)
    # Each lift is told once the platform has done it.
    assert replies[0] == "已禁言 @bob 2 小时。"
    assert "已解除 @bob 的禁言。" in replies
    assert replies[3] == "已解除对 @bob 的封禁，可以重新加入本群。"
    muted, unmuted = fake_telegram.called("restrictChatMember")
    assert muted["permissions"]["can_send_messages"] is False
    assert unmuted["user_id"] == MEMBER_ID + 1
    assert all(unmuted["permissions"].values())
    (unbanned,) = fake_telegram.called("unbanChatMember")
    # only_if_banned: unbanning someone still in the group would remove them.
    assert unbanned == {"chat_id": GROUP_ID, "user_id": MEMBER_ID + 1, "only_if_banned": True}


async def test_an_unmuted_member_is_no_longer_restricted_at_all(bot, fake_telegram):
    # Telegram lifts a restriction only when every permission is given: with adding members,
    # pinning and the rest left out (False), an unmuted member stayed on the group's
    # "restricted" list, unable to add a friend where every member may.
    await bot.post_update(make_message_update("hi", sender=BOB))
    for command in ("/mute @bob 2h", "/unmute @bob"):
        await bot.post_update(make_message_update(command, sender=OPERATOR))
    _muted, unmuted = await fake_telegram.wait_for("restrictChatMember", 2)
    assert unmuted["permissions"] == dict.fromkeys(CHAT_PERMISSIONS, True)


async def test_unmute_spares_no_one_it_should_help_and_refuses_what_it_cannot_do(
    bot, fake_telegram
):
    # An allow-listed member may have been muted before being listed: /unmute still reaches them.
    fake_telegram.chat_members[GROUP_ID, MEMBER_ID] = {
        "status": "restricted", "user": ALICE, "is_member": True, "can_send_messages": False}
    await bot.post_update(make_message_update("/filter exempt add @alice", sender=OPERATOR))
    await bot.post_update(make_message_update("hi", sender=ALICE))
    promo = channel(title="Promo Deals", username="promo_deals")
    post = message("今晚直播", sender=CHANNEL_BOT, sender_chat=promo)
    commands = [
        ("/unmute @alice", OPERATOR, None),
        ("/unmute", OPERATOR, post),  # a channel is never muted
        ("/unban", OPERATOR, post),  # but may be banned, and unbanned
        ("/unban", OPERATOR, message("我是机器人", sender=QUNBOT)),
        ("/unmute @alice", ALICE, None),  # members may not
        ("/unban", OPERATOR, None),
    ]
    for text, sender, replied in commands:
        extra = {"reply_to_message": replied} if replied else {}
        await bot.post_update(make_message_update(text, sender=sender, **extra))
    replies = (await texts(bot, fake_telegram, 7))[1:]
    replies.remove("已解除 @alice 的禁言。")  # said once the platform has lifted it
    assert replies[0] == "频道不会被禁言：要让它重新在本群发言，请用 /unban"
    assert replies[1] == "已允许频道 @promo_deals 重新在本群发言。"
    assert replies[2].startswith("这是机器人自己的账号，不能对它使用 /unban")
    assert replies[3] == "抱歉，这个命令只有群管理员可以使用。"
    assert replies[4] == "用法：回复成员的消息发送 /unban，或 /unban @用户名|用户ID"
    (unrestricted,) = fake_telegram.called("restrictChatMember")
    assert unrestricted["user_id"] == MEMBER_ID
    (lifted,) = fake_telegram.called("unbanChatSenderChat")
    assert lifted == {"chat_id": GROUP_ID, "sender_chat_id": promo["id"]}
    assert fake_telegram.called("unbanChatMember") == []


async def test_unban_answers_in_english_groups(bot, fake_telegram):
    stranger = user(MEMBER_ID + 5, "Banned in the app")
    fake_telegram.chat_members[GROUP_ID, MEMBER_ID + 5] = {"status": "kicked", "user": stranger}
    await bot.post_update(make_message_update("/settings language en", sender=OPERATOR))
    await bot.post_update(make_message_update(f"/unban {MEMBER_ID + 5}", sender=OPERATOR))
    await bot.post_update(make_message_update("/unmute", sender=OPERATOR))
    replies = await texts(bot, fake_telegram, 3)
    assert sorted(replies[1:]) == [
        f"{MEMBER_ID + 5} is unbanned and may rejoin the group.",
        "Usage: reply to a member's message with /unmute, or /unmute @username|user id",
    ]


async def test_unmute_and_unban_of_someone_under_neither_say_so(bot, fake_telegram):
    # Both answered "lifted" for a member who was never muted nor banned.
    await bot.post_update(make_message_update("/settings language en", sender=OPERATOR))
    fake_telegram.chat_members[GROUP_ID, MEMBER_ID + 1] = {"status": "member", "user": BOB}
    await bot.post_update(make_message_update("hi", sender=BOB))
    for command in ("/unmute @bob", "/unban @bob"):
        await bot.post_update(make_message_update(command, sender=OPERATOR))
    replies = (await texts(bot, fake_telegram, 3))[1:]
    assert sorted(replies) == ["@bob is not banned: nothing to lift.",
                               "@bob is not muted: nothing to lift."]
    assert [c["user_id"] for c in fake_telegram.called("getChatMember")].count(MEMBER_ID + 1) == 2
    assert fake_telegram.called("restrictChatMember") == []
    assert fake_telegram.called("unbanChatMember") == []
    await bot.post_update(make_message_update("/settings language zh", sender=OPERATOR))
    await bot.post_update(make_message_update("/unmute @bob", sender=OPERATOR))
    (*_, told) = await texts(bot, fake_telegram, 5)
    assert told == "@bob 没有被禁言，无需解除。"


async def test_a_command_aimed_at_another_bot_is_left_alone_until_telegram_tells_our_name(
        make_settings, fake_telegram, monkeypatch):
    # Regression: a getMe that failed once at start was never asked again, and with our name
    # unknown every `/cmd@anybot` was taken as ours: `/ban@OtherBot @alice` banned Alice.
    monkeypatch.setattr(app, "USERNAME_FIRST_WAIT", 0.1)
    monkeypatch.setattr(app, "USERNAME_RETRY_FIRST", 1.0)
    fake_telegram.fail_next("getMe", Failure(502, "Bad Gateway"), times=2)
    bot = await BotHarness(make_settings()).start()
    try:
        await bot.post_update(make_message_update("hi", sender=ALICE))
        await bot.post_update(make_message_update("/ban@OtherBot @alice", sender=OPERATOR))
        await bot.post_update(make_message_update(f"/ban@{BOT_USERNAME} @alice", sender=OPERATOR))
        await eventually(bot.settled)
        assert fake_telegram.called("banChatMember") == []  # neither is known to be ours yet
        telegram = bot.runtime.platforms["telegram"]

        async def named() -> bool:
            return telegram.bot_username == BOT_USERNAME

        await eventually(named)  # asked again, 1 s and then 2 s later
        assert len(fake_telegram.called("getMe")) == 3
        await bot.post_update(make_message_update("/ban@OtherBot @alice", sender=OPERATOR))
        await bot.post_update(make_message_update(f"/ban@{BOT_USERNAME} @alice", sender=OPERATOR))
        (banned,) = await fake_telegram.wait_for("banChatMember", 1)
        assert banned["user_id"] == MEMBER_ID
        await eventually(bot.settled)
        assert len(fake_telegram.called("banChatMember")) == 1
    finally:
        await bot.close()


async def test_ban_by_username_targets_its_current_holder(bot, fake_telegram):
    # Regression: Alice renamed herself and has not spoken since; Bob took @alice and spams.
    # Her row still said @alice and was found first: /ban @alice banned her, not him.
    await bot.post_update(make_message_update("hi", sender=ALICE))
    await bot.post_update(make_message_update("buy my stuff", sender={**BOB, "username": "alice"}))
    await bot.post_update(make_message_update("/ban @ALICE", sender=OPERATOR))
    (banned,) = await fake_telegram.wait_for("banChatMember", 1)
    assert banned["user_id"] == BOB["id"]
    (notice,) = await texts(bot, fake_telegram, 1)
    assert notice == "已将 @alice 移出本群并禁止再次加入。"
    query = select(Member.username).where(Member.user_id == str(MEMBER_ID))
    assert await db(bot, lambda session: session.scalar(query)) is None


async def test_of_rows_still_sharing_a_username_the_one_seen_last_holds_it(bot, fake_telegram):
    # Rows stored before a username was released from its former holder's row.
    await bot.post_update(make_message_update("hi", sender=ALICE))
    await bot.post_update(make_message_update("hi", sender=BOB))
    await quiet(bot)

    def share(session) -> None:
        session.execute(
            update(Member).where(Member.user_id == str(BOB["id"])).values(username="alice")
        )
        session.commit()

    await db(bot, share)
    await bot.post_update(make_message_update("/mute @alice", sender=OPERATOR))
    (muted,) = await fake_telegram.wait_for("restrictChatMember", 1)
    assert muted["user_id"] == BOB["id"]


async def test_a_reply_to_an_anonymous_admin_is_refused(bot, fake_telegram):
    # Regression: an anonymous admin posts as the group, through Telegram's placeholder
    # account; /ban or /mute in reply to it was aimed at that account and claimed as done.
    announcement = message("本周活动安排", sender=ANONYMOUS_ADMIN, sender_chat=chat())
    for command in ("/ban 广告", "/mute 1h", "/warn", "/settings language en", "/unmute"):
        await bot.post_update(
            make_message_update(command, sender=OPERATOR, reply_to_message=announcement)
        )
    replies = await texts(bot, fake_telegram, 5)
    assert replies[:3] == [
        f"这条消息是匿名管理员以群组身份发出的，不能对管理员使用 /{command}。"
        for command in ("ban", "mute", "warn")
    ]
    assert replies[4] == (
        "That message was posted by an anonymous admin (as the group): /unmute cannot be used "
        "on operators."
    )
    assert fake_telegram.called("banChatMember") == []
    assert fake_telegram.called("restrictChatMember") == []
    assert fake_telegram.called("deleteMessage") == []
