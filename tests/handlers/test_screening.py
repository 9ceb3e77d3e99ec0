"""Join requests by each screening rule, operator review buttons, the allow-list and /rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db.models import Group
from handlers.entry_applications import EntryApplication, InviteCode
from tests.factories import (
    GROUP_ID,
    OPERATOR_ID,
    make_callback_update,
    make_chat_member_update,
    make_join_request_update,
    make_join_update,
    make_message_update,
    make_private_update,
    user,
)
from tests.fakes.telegram_api import Failure
from tests.handlers.entry_support import configure, db, group_settings, quiet, rows
from tests.harness import BotHarness, eventually

OP = user(OPERATOR_ID, "Op")
APPLICANT = user(701, "Applicant")
NO_LINK = user(703, "Y")


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


def private(text: str, sender: dict = APPLICANT) -> dict:
    """The requester writing to the bot in their private chat."""
    return make_private_update(text, sender)


def dms(fake_telegram, user_id: int) -> list[str]:
    return [m["text"] for m in fake_telegram.called("sendMessage") if m["chat_id"] == user_id]


async def dm_count(fake_telegram, user_id: int, count: int) -> list[str]:
    async def enough():
        sent = dms(fake_telegram, user_id)
        return sent if len(sent) >= count else None

    return await eventually(enough)


async def review_card(fake_telegram, chat_id: int = GROUP_ID) -> dict:
    """The first card with review buttons posted in `chat_id`."""

    async def card():
        for m in fake_telegram.called("sendMessage"):
            if m["chat_id"] == chat_id and m.get("reply_markup"):
                return m
        return None

    return await eventually(card)


async def test_invite_code_link_approves_and_others_are_asked_privately(bot, fake_telegram):
    await bot.post_update(make_message_update("/screening code VIP2026 friends", sender=OP))
    await fake_telegram.wait_for("sendMessage", 1)
    assert (await group_settings(bot))["screening"]["codes"] == ["VIP2026", "friends"]
    await bot.post_update(with_link(make_join_request_update(APPLICANT), "VIP2026"))
    (approved,) = await fake_telegram.wait_for("approveChatJoinRequest", 1)
    assert approved["user_id"] == 701
    # No code in the link: the bot writes to the requester's private chat (user_chat_id).
    await bot.post_update(make_join_request_update(NO_LINK))
    (asked,) = await dm_count(fake_telegram, 703, 1)
    assert "邀请码" in asked and "3 次" in asked
    await bot.post_update(private("guess", NO_LINK))
    await dm_count(fake_telegram, 703, 2)
    await bot.post_update(private("  friends ", NO_LINK))
    approved = await fake_telegram.wait_for("approveChatJoinRequest", 2)
    assert approved[1] == {"chat_id": GROUP_ID, "user_id": 703}
    sent = await dm_count(fake_telegram, 703, 3)
    assert sent[1:] == [
        "「Qunbot Test Group」的邀请码不正确，还可以再试 2 次。",
        "邀请码正确，已通过你加入「Qunbot Test Group」的申请，欢迎！",
    ]
    await quiet(bot)
    (application,) = await rows(bot, EntryApplication)
    assert (application.status, application.reason, application.tries) == ("approved", "code", 1)
    assert fake_telegram.called("declineChatJoinRequest") == []


async def test_wrong_codes_decline_the_request_with_the_reason(bot, fake_telegram):
    await configure(bot, screening={"mode": "code", "codes": ["RIGHT"], "code_tries": 2})
    await bot.post_update(make_join_request_update(APPLICANT))
    await dm_count(fake_telegram, 701, 1)
    for attempt in ("one", "two", "RIGHT"):
        await bot.post_update(private(attempt))
    (declined,) = await fake_telegram.wait_for("declineChatJoinRequest", 1)
    assert declined["user_id"] == 701
    await quiet(bot)
    assert dms(fake_telegram, 701)[1:] == [
        "「Qunbot Test Group」的邀请码不正确，还可以再试 1 次。",
        "邀请码错误次数过多，你加入「Qunbot Test Group」的申请已被拒绝。如有疑问请联系群管理员。",
    ]
    # The late right code after the decision changes nothing.
    assert fake_telegram.called("approveChatJoinRequest") == []


async def test_no_reply_in_time_declines_and_says_why(bot, fake_telegram):
    await configure(bot, screening={"mode": "code", "reply_minutes": 10})
    await bot.post_update(make_join_request_update(APPLICANT))
    await dm_count(fake_telegram, 701, 1)
    await quiet(bot)
    later = datetime.now(UTC) + timedelta(minutes=11)
    bot.runtime.verification_timeouts.clock = lambda: later
    bot.runtime.verification_timeouts.notify()
    (declined,) = await fake_telegram.wait_for("declineChatJoinRequest", 1)
    assert declined["user_id"] == 701
    sent = await dm_count(fake_telegram, 701, 2)
    assert sent[1].startswith("10 分钟内没有收到你的回复")
    await quiet(bot)
    (application,) = await rows(bot, EntryApplication)
    assert (application.status, application.reason) == ("expired", "timeout")


async def test_operators_create_counted_expiring_codes(bot, fake_telegram):
    await configure(bot, screening={"mode": "code"})
    commands = (
        ("/code add spring uses=1 days=7", OP),
        ("/code add spring", OP),
        ("/code add no! uses=1", OP),
        ("/code add LATE uses=0", OP),
        ("/code add LATE hours=2 days=1", OP),
        ("/code new", OP),
        ("/code add MINE", user(222, "Member")),
    )
    for text, sender in commands:
        await bot.post_update(make_message_update(text, sender=sender))
    replies = [m["text"] for m in await fake_telegram.wait_for("sendMessage", len(commands))]
    assert replies[0].startswith("已创建邀请码：SPRING — 已用 0/1 次, 有效期至 ")
    assert replies[1] == "邀请码 SPRING 已存在。"
    assert replies[2] == "邀请码 no! 无效：只能包含字母、数字、_ 或 -，长度 3-32。"
    assert replies[3] == "uses 的值 0 无效：需要 1 到 100000 之间的整数。"
    assert replies[4].startswith("无法识别的选项：days + hours")
    assert replies[5].startswith("已创建邀请码：") and "已用 0/1 次, 永久有效" in replies[5]
    assert replies[5].endswith("邀请链接发给受邀者，或让申请人私聊机器人发送它。")
    assert replies[6] == "抱歉，这个命令只有群管理员可以使用。"
    codes = await rows(bot, InviteCode)
    assert (codes[0].code, codes[0].max_uses) == ("SPRING", 1)
    # A single use: the first requester to type it gets in, the second is told it is wrong.
    second = user(702, "Second")
    for who in (APPLICANT, second):
        await bot.post_update(make_join_request_update(who))
        await dm_count(fake_telegram, who["id"], 1)
        await bot.post_update(private("Spring", who))
    (approved,) = await fake_telegram.wait_for("approveChatJoinRequest", 1)
    assert approved["user_id"] == 701
    sent = await dm_count(fake_telegram, 702, 2)
    assert sent[1] == "「Qunbot Test Group」的邀请码不正确，还可以再试 2 次。"
    await bot.post_update(make_message_update("/code revoke spring", sender=OP))
    await bot.post_update(make_message_update("/code list", sender=OP))
    texts = [m["text"] for m in await fake_telegram.wait_for("sendMessage", len(commands) + 6)]
    assert texts[-2] == "邀请码 SPRING 已作废。"
    assert texts[-1].startswith("邀请码：\nSPRING — 已用 1/1 次, 有效期至 ")
    assert texts[-1].splitlines()[1].endswith("（已失效）")


async def test_a_link_named_after_a_counted_code_uses_it_up(bot, fake_telegram):
    await configure(bot, screening={"mode": "code"})
    await bot.post_update(make_message_update("/code add EXPO uses=1", sender=OP))
    await fake_telegram.wait_for("sendMessage", 1)
    await bot.post_update(with_link(make_join_request_update(APPLICANT), "EXPO"))
    await fake_telegram.wait_for("approveChatJoinRequest", 1)
    await bot.post_update(with_link(make_join_request_update(NO_LINK), "EXPO"))
    # Used up: the second requester is asked privately instead of being let in.
    await dm_count(fake_telegram, 703, 1)
    await quiet(bot)
    assert len(fake_telegram.called("approveChatJoinRequest")) == 1


async def test_review_questions_are_asked_privately_and_the_decision_told(bot, fake_telegram):
    await configure(bot, screening={"mode": "review"})
    await bot.post_update(
        make_message_update(
            "/screening questions 从哪里知道我们？ | 想得到什么？", sender=OP
        )
    )
    (saved,) = await fake_telegram.wait_for("sendMessage", 1)
    assert saved["text"] == "已设置 2 个入群问题（审核模式下私聊提问）。"
    await bot.post_update(make_join_request_update(APPLICANT, bio="<b>bio</b>"))
    (first,) = await dm_count(fake_telegram, 701, 1)
    assert first.endswith("「Qunbot Test Group」问题 1/2：从哪里知道我们？")
    await bot.post_update(private("朋友推荐"))
    await dm_count(fake_telegram, 701, 2)
    await bot.post_update(private("学习 <运营> 经验"))
    sent = await dm_count(fake_telegram, 701, 3)
    assert sent[1:] == [
        "「Qunbot Test Group」问题 2/2：想得到什么？",
        "谢谢！你的回答已提交给管理员审核，结果会在这里通知你。",
    ]

    async def card():
        for m in fake_telegram.called("sendMessage"):
            if m["chat_id"] == GROUP_ID and m["text"].startswith("入群申请"):
                return m
        return None

    posted = await eventually(card)
    assert "&lt;b&gt;bio&lt;/b&gt;" in posted["text"]
    assert "<b>想得到什么？</b>\n学习 &lt;运营&gt; 经验" in posted["text"]
    keys = [b["callback_data"] for b in posted["reply_markup"]["inline_keyboard"][0]]
    await bot.post_update(make_callback_update(keys[1], sender=OP))
    (declined,) = await fake_telegram.wait_for("declineChatJoinRequest", 1)
    assert declined["user_id"] == 701
    sent = await dm_count(fake_telegram, 701, 4)
    assert sent[3] == "很抱歉，管理员没有通过你加入「Qunbot Test Group」的申请。"
    await quiet(bot)
    (application,) = await rows(bot, EntryApplication)
    assert application.answers == ["朋友推荐", "学习 <运营> 经验"]
    assert (application.status, application.reason) == ("declined", "operator")
    # Approve pressed on the same card before it disappears (by another operator, or this one
    # changing their mind): told it was decided, and nothing contradicts the first decision.
    await bot.post_update(make_callback_update(keys[0], sender=OP))
    await quiet(bot)
    answers = fake_telegram.called("answerCallbackQuery")
    assert answers[-1]["text"] == "701 的申请已由管理员拒绝，无需再处理。"
    assert fake_telegram.called("approveChatJoinRequest") == []
    assert len(await dm_count(fake_telegram, 701, 4)) == 4


async def test_review_rule_asks_operators_and_only_they_decide(bot, fake_telegram):
    await configure(bot, screening={"mode": "review"})
    await bot.post_update(make_join_request_update(APPLICANT, bio="I love the product"))
    posted = await review_card(fake_telegram)
    assert "I love the product" in posted["text"]
    keys = [b["callback_data"] for b in posted["reply_markup"]["inline_keyboard"][0]]
    assert keys == [f"scr:a:701:{GROUP_ID}", f"scr:d:701:{GROUP_ID}"]
    await bot.post_update(make_callback_update(keys[0], sender=user(222, "Member")))
    (refused,) = await fake_telegram.wait_for("answerCallbackQuery", 1)
    assert refused["text"] == "抱歉，这个命令只有群管理员可以使用。"
    assert fake_telegram.called("approveChatJoinRequest") == []
    # A card posted before cards named their group ("scr:a:<user>") still works.
    await bot.post_update(make_callback_update("scr:a:701", sender=OP))
    (approved,) = await fake_telegram.wait_for("approveChatJoinRequest", 1)
    assert approved["user_id"] == 701


async def test_a_review_card_without_questions_is_decided_by_the_first_press_only(
    bot, fake_telegram
):
    await configure(bot, screening={"mode": "review"}, operators=["112"])
    await bot.post_update(make_join_request_update(APPLICANT))
    (waiting,) = await dm_count(fake_telegram, 701, 1)
    assert waiting == (
        "已收到你加入「Qunbot Test Group」的申请，正在等待管理员审核，结果会在这里通知你。"
    )
    card = await review_card(fake_telegram)
    approve, decline = (b["callback_data"] for b in card["reply_markup"]["inline_keyboard"][0])
    await bot.post_update(make_callback_update(approve, sender=OP))
    await fake_telegram.wait_for("approveChatJoinRequest", 1)
    await quiet(bot)
    await bot.post_update(make_callback_update(decline, sender=user(112, "Op2")))
    await quiet(bot)
    answers = [a["text"] for a in fake_telegram.called("answerCallbackQuery")]
    assert answers == ["已通过 701 的申请。", "701 的申请已由管理员通过，无需再处理。"]
    assert fake_telegram.called("declineChatJoinRequest") == []
    assert (await dm_count(fake_telegram, 701, 2))[1:] == [
        "管理员已通过你加入「Qunbot Test Group」的申请，欢迎！"
    ]


async def test_an_applicant_an_operator_approved_is_welcomed_not_challenged_again(
    bot, fake_telegram
):
    # The super playbook reviews requests and verifies newcomers: the member an operator had
    # just approved was muted on arrival and asked a sum, and removed 2 minutes later if they
    # were still reading the bot's "approved, welcome!" in private. Walk-ins are still asked.
    await configure(
        bot,
        screening={"mode": "review"},
        verification={"enabled": True, "mode": "question", "timeout_seconds": 120},
        welcome={"enabled": True, "batch_seconds": 0.2},
    )
    await bot.post_update(make_join_request_update(APPLICANT))
    card = await review_card(fake_telegram)
    approve = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await bot.post_update(make_callback_update(approve, sender=OP))
    await fake_telegram.wait_for("approveChatJoinRequest", 1)
    await bot.post_update(make_join_update(APPLICANT))

    async def greeted():
        return [m for m in fake_telegram.called("sendMessage")
                if m["chat_id"] == GROUP_ID and m["text"].startswith("欢迎")]

    (greeting,) = await eventually(greeted)
    assert "Applicant" in greeting["text"]
    assert fake_telegram.called("restrictChatMember") == []
    await bot.post_update(make_join_update(NO_LINK))
    (held,) = await fake_telegram.wait_for("restrictChatMember", 1)
    assert held["user_id"] == 703


async def test_an_applicant_in_an_english_review_group_is_told_they_wait_in_english(
    bot, fake_telegram
):
    await configure(bot, screening={"mode": "review"}, language="en")
    await bot.post_update(make_join_request_update(APPLICANT))
    (waiting,) = await dm_count(fake_telegram, 701, 1)
    assert waiting.startswith("We received your request to join Qunbot Test Group")


async def test_approving_a_withdrawn_request_tells_the_operator_and_not_the_applicant(
    bot, fake_telegram
):
    await configure(bot, screening={"mode": "review", "questions": ["why?"]})
    await bot.post_update(make_join_request_update(APPLICANT))
    await dm_count(fake_telegram, 701, 1)
    await bot.post_update(private("because"))
    card = await review_card(fake_telegram)
    approve = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    withdrawn = Failure(400, "Bad Request: HIDE_REQUESTER_MISSING")
    fake_telegram.fail_next("approveChatJoinRequest", withdrawn)
    await bot.post_update(make_callback_update(approve, sender=OP))
    (answer,) = await fake_telegram.wait_for("answerCallbackQuery", 1)
    assert answer["text"].startswith("无法处理 701 的申请：Telegram 上已没有这条申请")
    await quiet(bot)
    assert not [text for text in dms(fake_telegram, 701) if "已通过" in text]
    # The card can decide nothing any more.
    assert fake_telegram.called("deleteMessage")
    (application,) = await rows(bot, EntryApplication)
    assert (application.status, application.reason) == ("expired", "request_gone")


async def refused_approval(bot, fake_telegram, description: str) -> str:
    """An operator approves a reviewed request and Telegram refuses it: the popup's text."""
    await configure(bot, screening={"mode": "review"}, language="en")
    await bot.post_update(make_join_request_update(APPLICANT))
    card = await review_card(fake_telegram)
    approve = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    fake_telegram.fail_next("approveChatJoinRequest", Failure(400, description))
    await bot.post_update(make_callback_update(approve, sender=OP))
    (answer,) = await fake_telegram.wait_for("answerCallbackQuery", 1)
    await quiet(bot)
    return answer["text"]


async def test_an_approval_refused_as_already_in_is_recorded_as_joined(bot, fake_telegram):
    # The application read "approved" by the operator whatever Telegram answered.
    told = await refused_approval(bot, fake_telegram, "Bad Request: USER_ALREADY_PARTICIPANT")
    assert told == "701 is already in the group: the request needs no decision and is " \
        "recorded as joined."
    (application,) = await rows(bot, EntryApplication)
    assert (application.status, application.reason) == ("approved", "joined")


async def test_an_approval_refused_otherwise_is_recorded_as_failed(bot, fake_telegram):
    told = await refused_approval(bot, fake_telegram, "Bad Request: CHAT_ADMIN_REQUIRED")
    assert told.startswith("Telegram refused to decide 701's request")
    (application,) = await rows(bot, EntryApplication)
    assert (application.status, application.reason) == ("failed", "refused")
    assert not [text for text in dms(fake_telegram, 701) if "approved" in text]


async def test_allowlist_imported_from_a_replied_message(bot, fake_telegram):
    await configure(bot, screening={"mode": "allowlist"})
    await bot.post_update(make_message_update("/allowlist add 70100", sender=OP))
    listing = {"message_id": 9, "from": OP, "chat": {"id": -1, "type": "supergroup"}, "date": 0}
    listing["text"] = "ids: 70400, 70500\n70600"
    await bot.post_update(
        make_message_update("/allowlist import", sender=OP, reply_to_message=listing)
    )
    await fake_telegram.wait_for("sendMessage", 2)
    assert (await group_settings(bot))["screening"]["allowlist"] == [
        "70100", "70400", "70500", "70600"
    ]
    await bot.post_update(make_join_request_update(user(70500, "Listed")))
    await bot.post_update(make_join_request_update(user(79900, "Stranger")))
    (approved,) = await fake_telegram.wait_for("approveChatJoinRequest", 1)
    (declined,) = await fake_telegram.wait_for("declineChatJoinRequest", 1)
    assert (approved["user_id"], declined["user_id"]) == (70500, 79900)


async def test_allowlist_import_skips_dates_and_phones_and_keeps_usernames(bot, fake_telegram):
    # A pasted list took "2024" of its dated heading as a user id and dropped @usernames
    # without a word.
    await configure(bot, screening={"mode": "allowlist"})
    listing = {"message_id": 9, "from": OP, "chat": {"id": -1, "type": "supergroup"}, "date": 0}
    listing["text"] = (
        "付费会员名单 2024-06-01 12:30\n@Alice_Pay 123456789\n@bob_vip 电话 138-1234-5678\n"
        "mail me: ops@example.com"
    )
    await bot.post_update(
        make_message_update("/allowlist import", sender=OP, reply_to_message=listing)
    )
    (reply,) = await fake_telegram.wait_for("sendMessage", 1)
    assert reply["text"].split("\n") == [
        "白名单新增 3 人，共 3 人。",
        "按用户名导入：@alice_pay、@bob_vip（申请时的 @用户名 须与此一致；对方改了用户名就要按 ID "
        "重新导入）",
        "未导入：2024-06-01、12:30、138-1234-5678（不是用户 ID：日期、时间、电话等；用户 ID 是 5 "
        "位以上的纯数字）",
    ]
    assert (await group_settings(bot))["screening"]["allowlist"] == [
        "123456789", "@alice_pay", "@bob_vip"
    ]
    alice = {**user(55501, "Alice"), "username": "alice_PAY"}
    await bot.post_update(make_join_request_update(alice))
    await bot.post_update(make_join_request_update(user(2024, "Year")))
    (approved,) = await fake_telegram.wait_for("approveChatJoinRequest", 1)
    (declined,) = await fake_telegram.wait_for("declineChatJoinRequest", 1)
    assert (approved["user_id"], declined["user_id"]) == (55501, 2024)


NEEDS_REQUESTS = (
    "注意：只有开启了「需要管理员批准」的邀请链接（群设置 → 邀请链接）才会发来入群申请，由这条规则"
    "处理；通过其他链接入群的人不经审核。"
)


async def test_screening_alone_shows_the_rule_and_rules_say_where_requests_come_from(
    bot, fake_telegram
):
    # /screening alone answered with its usage only, so an operator checking what the super
    # playbook set learnt nothing; and /screening review never said that only links asking for
    # approval send requests: people joining by the group's plain link walked in unreviewed.
    await bot.post_update(make_message_update("/screening", sender=OP))
    await bot.post_update(make_message_update("/screening review", sender=OP))
    await bot.post_update(make_message_update("/screening questions 你是谁 | 为何加入", sender=OP))
    await bot.post_update(make_message_update("/screening", sender=OP))
    await bot.post_update(make_message_update("/screening open", sender=OP))
    sent = [m["text"] for m in await fake_telegram.wait_for("sendMessage", 5)]
    await quiet(bot)
    usage = "用法：/screening open|code <邀请码...>|review|allowlist"
    assert sent[0].startswith("入群审核方式：开放（open）\n入群问题：无\n" + usage), sent[0]
    assert sent[1] == f"入群审核方式：人工审核（review）\n{NEEDS_REQUESTS}"
    assert sent[3].startswith(
        f"入群审核方式：人工审核（review）\n{NEEDS_REQUESTS}\n入群问题：你是谁 | 为何加入\n{usage}"
    ), sent[3]
    assert sent[4] == "入群审核方式：开放（open）"  # every request is approved: nothing to warn of


async def test_code_and_allowlist_rules_with_nothing_to_admit_are_refused(bot, fake_telegram):
    # "/screening code" with no codes was saved ("入群审核方式：code ()"): every requester was
    # then asked for a code none could have, and declined. An empty allow-list declined all.
    await bot.post_update(make_message_update("/screening review", sender=OP))
    await bot.post_update(make_message_update("/screening code", sender=OP))
    await bot.post_update(make_message_update("/screening allowlist", sender=OP))
    sent = [m["text"] for m in await fake_telegram.wait_for("sendMessage", 3)]
    await quiet(bot)
    assert sent[0] == f"入群审核方式：人工审核（review）\n{NEEDS_REQUESTS}"
    assert sent[1].startswith("邀请码模式至少需要一个邀请码")
    assert "/screening code <邀请码" in sent[1] and "/code add" in sent[1]
    assert sent[1].endswith("入群审核方式未变：人工审核（review）")
    assert sent[2].startswith("白名单模式需要先导入至少一个用户 ID")
    assert "/allowlist add" in sent[2] and sent[2].endswith("入群审核方式未变：人工审核（review）")
    assert (await group_settings(bot))["screening"]["mode"] == "review"
    await bot.post_update(make_join_request_update(APPLICANT))
    await fake_telegram.wait_for("sendMessage", 4)  # the operators' review card
    await quiet(bot)
    assert fake_telegram.called("declineChatJoinRequest") == []


async def test_code_and_allowlist_rules_are_taken_once_there_is_something_to_admit(
    bot, fake_telegram
):
    await bot.post_update(make_message_update("/settings language en", sender=OP))
    await bot.post_update(make_message_update("/screening code", sender=OP))
    await bot.post_update(make_message_update("/code add EXPO uses=5", sender=OP))
    # A counted code is enough: "/screening code" alone now switches to it.
    await bot.post_update(make_message_update("/screening code", sender=OP))
    await bot.post_update(make_message_update("/allowlist add 70100", sender=OP))
    await bot.post_update(make_message_update("/screening allowlist", sender=OP))
    sent = [m["text"] for m in await fake_telegram.wait_for("sendMessage", 6)]
    await quiet(bot)
    assert sent[1].startswith("Code mode needs at least one code")
    assert sent[1].endswith("Screening stays: open")
    assert sent[3].startswith("Screening rule: code (counted codes: /code list)\nNote: only ")
    assert sent[5].startswith("Screening rule: allowlist\nNote: only invite links with")
    await bot.post_update(make_message_update("/screening code VIP2026", sender=OP))
    await bot.post_update(make_message_update("/code revoke EXPO", sender=OP))
    # Listed codes stay with the rule: switching back needs none typed again.
    await bot.post_update(make_message_update("/screening open", sender=OP))
    await bot.post_update(make_message_update("/screening code", sender=OP))
    sent = [m["text"] for m in await fake_telegram.wait_for("sendMessage", 10)]
    await quiet(bot)
    assert sent[6] == sent[9]
    assert sent[6].startswith("Screening rule: code (VIP2026)\nNote: only invite links with")


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


async def test_a_bare_rules_set_keeps_the_published_rules(bot, fake_telegram):
    # It answered "群规已更新。" and had wiped the rules: /rules then said none were published.
    await bot.post_update(make_message_update("/rules set 1. 不发广告", sender=OP))
    await bot.post_update(make_message_update("/rules set", sender=OP))
    await bot.post_update(make_message_update("/rules"))
    sent = await fake_telegram.wait_for("sendMessage", 3)
    await quiet(bot)
    assert [m["text"] for m in sent] == [
        "群规已更新。",
        "用法：/rules set <群规内容>（可以从下一行开始写）",
        "📜 群规与入群规则：\n1. 不发广告",
    ]


async def test_rules_and_questions_typed_on_the_line_after_the_command_are_saved(
    bot, fake_telegram
):
    # Long rules and questions are naturally typed starting on a new line.
    await bot.post_update(make_message_update("/rules set\n1. 不发广告\n2. 友善交流", sender=OP))
    questions = "/screening questions\n你是谁？ | 为什么加入？"
    await bot.post_update(make_message_update(questions, sender=OP))
    await bot.post_update(make_message_update("/rules"))
    sent = await fake_telegram.wait_for("sendMessage", 3)
    await quiet(bot)
    assert [m["text"] for m in sent] == [
        "群规已更新。",
        "已设置 2 个入群问题（审核模式下私聊提问）。",
        "📜 群规与入群规则：\n1. 不发广告\n2. 友善交流",
    ]
    assert (await group_settings(bot))["screening"]["questions"] == ["你是谁？", "为什么加入？"]


async def test_a_full_width_bar_separates_questions_too(bot, fake_telegram):
    # A Chinese IME types ｜: "A？｜B？" was saved as one question.
    questions = "/screening questions 你从哪里知道我们？｜你的职业是？"
    await bot.post_update(make_message_update(questions, sender=OP))
    (reply,) = await fake_telegram.wait_for("sendMessage", 1)
    await quiet(bot)
    assert reply["text"] == "已设置 2 个入群问题（审核模式下私聊提问）。"
    saved = (await group_settings(bot))["screening"]["questions"]
    assert saved == ["你从哪里知道我们？", "你的职业是？"]


async def test_too_many_or_too_long_questions_are_refused_not_cut(bot, fake_telegram):
    # Regression: the 11th question on was dropped and long ones cut at 300 characters silently.
    eleven = " | ".join(f"问题{n}？" for n in range(11))
    long = "请详细介绍" + "一" * 300 + "？"
    for command in (f"/screening questions {eleven}", f"/screening questions 你是谁？ | {long}",
                    "/screening questions 你是谁？", "/screening questions",
                    "/screening questions none"):
        await bot.post_update(make_message_update(command, sender=OP))
    sent = [m["text"] for m in await fake_telegram.wait_for("sendMessage", 5)]
    await quiet(bot)
    assert sent == [
        "最多 10 个入群问题，收到 11 个：请精简后再设置（用 | 分隔）。",
        "每个问题最多 300 个字：「请详细介绍一一一一一一一一一一一一一一一…」",
        "已设置 1 个入群问题（审核模式下私聊提问）。",
        # A bare command (a menu tap) keeps them; "none" clears them.
        "用法：/screening questions 问题1 | 问题2（清除：/screening questions none）\n"
        "当前问题：你是谁？",
        "已清除入群问题：申请入群时不再提问。",
    ]
    assert (await group_settings(bot))["screening"]["questions"] == []


async def test_a_repeated_request_replaces_the_earlier_conversation(bot, fake_telegram):
    await configure(bot, screening={"mode": "code", "codes": ["RIGHT"], "reply_minutes": 10})
    await bot.post_update(make_join_request_update(APPLICANT))
    await dm_count(fake_telegram, 701, 1)
    await bot.post_update(make_join_request_update(APPLICANT))
    await dm_count(fake_telegram, 701, 2)
    await quiet(bot)
    first, second = await rows(bot, EntryApplication)
    assert (first.status, first.reason, second.status) == ("expired", "replaced", "asking")
    await bot.post_update(private("right"))
    (approved,) = await fake_telegram.wait_for("approveChatJoinRequest", 1)
    assert approved["user_id"] == 701
    await quiet(bot)
    # The replaced conversation's deadline passing declines nothing.
    later = datetime.now(UTC) + timedelta(minutes=11)
    bot.runtime.verification_timeouts.clock = lambda: later
    assert await bot.runtime.verification_timeouts.run_once() == 0
    await quiet(bot)
    assert fake_telegram.called("declineChatJoinRequest") == []


async def test_an_application_survives_a_restart_and_still_times_out(
    bot, make_settings, fake_telegram
):
    await configure(bot, screening={"mode": "code", "reply_minutes": 10})
    await bot.post_update(make_join_request_update(APPLICANT))
    await dm_count(fake_telegram, 701, 1)
    await quiet(bot)
    await bot.stop()
    restarted = await BotHarness(make_settings()).start()
    try:
        loop = restarted.runtime.verification_timeouts

        async def leading() -> bool:
            return loop._task is not None

        await eventually(leading)
        later = datetime.now(UTC) + timedelta(minutes=11)
        loop.clock = lambda: later
        loop.notify()
        (declined,) = await fake_telegram.wait_for("declineChatJoinRequest", 1)
        assert declined["user_id"] == 701
        await quiet(restarted)
    finally:
        await restarted.close()


REVIEW_CHAT = -1005550001111


async def test_review_cards_can_go_to_the_operators_chat_and_only_group_operators_decide(
    bot, fake_telegram
):
    def review_chat(session) -> None:
        session.add(
            Group(
                platform="telegram",
                chat_id=str(REVIEW_CHAT),
                title="Ops room",
                chat_type="supergroup",
                settings={"operators": ["888", "999"]},
            )
        )

    await configure(bot, screening={"mode": "review"}, operators=["888"])
    await db(bot, review_chat)
    admin = user(888, "GroupAdmin")
    to_ops = f"/screening review_chat {REVIEW_CHAT}"
    await bot.post_update(make_message_update(to_ops, sender=admin))
    await bot.post_update(make_message_update("/screening review_chat -100404", sender=admin))
    saved, bad = (m["text"] for m in await fake_telegram.wait_for("sendMessage", 2))
    assert saved == "之后的入群审核卡片会发到「Ops room」，不再发在本群。"
    assert bad.startswith("不能把审核卡片发到 -100404")
    await bot.post_update(make_join_request_update(APPLICANT, bio="private answer"))
    card = await review_card(fake_telegram, REVIEW_CHAT)
    assert card["text"].startswith("【Qunbot Test Group】\n") and "private answer" in card["text"]
    approve = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    # An admin of the review chat who does not run the group may not decide for it.
    press = make_callback_update(approve, sender=user(999, "OtherAdmin"), chat_id=REVIEW_CHAT)
    await bot.post_update(press)
    (refused,) = await fake_telegram.wait_for("answerCallbackQuery", 1)
    assert refused["text"] == "抱歉，这个命令只有群管理员可以使用。"
    assert fake_telegram.called("approveChatJoinRequest") == []
    await bot.post_update(make_callback_update(approve, sender=admin, chat_id=REVIEW_CHAT))
    (approved,) = await fake_telegram.wait_for("approveChatJoinRequest", 1)
    assert (approved["chat_id"], approved["user_id"]) == (GROUP_ID, 701)
    await quiet(bot)
    assert not [m for m in fake_telegram.called("sendMessage") if m["chat_id"] == GROUP_ID][2:]


async def test_a_super_user_groups_invite_code_skips_the_review(bot, fake_telegram):
    # The super-user playbook sets review and lists `/code new` as a next step, but codes
    # counted only in code groups: the invited were questioned and waited for a review.
    await bot.post_update(make_message_update("/template apply super", sender=OP))
    await bot.post_update(make_message_update("/screening questions 买过什么？", sender=OP))
    await bot.post_update(make_message_update("/code new", sender=OP))
    created = (await fake_telegram.wait_for("sendMessage", 3))[2]["text"]
    code = created.removeprefix("已创建邀请码：").split(" — ")[0]
    assert "邀请链接" in created  # the reply says how a code is used
    await bot.post_update(with_link(make_join_request_update(APPLICANT), code))
    (approved,) = await fake_telegram.wait_for("approveChatJoinRequest", 1)
    assert approved["user_id"] == 701
    # Single use: the next one with that link answers the questions and waits for review.
    await bot.post_update(with_link(make_join_request_update(NO_LINK), code))
    (asked,) = await dm_count(fake_telegram, 703, 1)
    assert asked.endswith("问题 1/1：买过什么？")
    await quiet(bot)
    assert len(fake_telegram.called("approveChatJoinRequest")) == 1
    (used,) = await rows(bot, InviteCode)
    assert used.uses == 1


async def test_revoking_the_last_usable_code_warns_that_code_mode_now_declines_everyone(
    bot, fake_telegram
):
    await bot.post_update(make_message_update("/code add EXPO uses=5", sender=OP))
    await bot.post_update(make_message_update("/code add FAIR uses=5", sender=OP))
    await bot.post_update(make_message_update("/screening code", sender=OP))
    await bot.post_update(make_message_update("/code revoke EXPO", sender=OP))
    await bot.post_update(make_message_update("/code revoke FAIR", sender=OP))
    sent = [m["text"] for m in await fake_telegram.wait_for("sendMessage", 5)]
    await quiet(bot)
    # FAIR still admitted people after EXPO went; nothing did after FAIR.
    assert sent[3] == "邀请码 EXPO 已作废。"
    assert sent[4] == (
        "邀请码 FAIR 已作废。\n注意：本群入群审核仍是邀请码方式，但已没有可用的邀请码，"
        "入群申请都会被拒绝。用 /code new 新建一个，或用 /screening review 改为管理员审核。"
    )


async def test_a_long_code_list_still_answers_and_shows_the_codes_that_work(bot, fake_telegram):
    # Regression: a group handing out single-use codes (/code new) piled up used ones, and once
    # the list passed Telegram's 4,096 characters /code list answered nothing at all.
    await configure(bot, screening={"mode": "code"})
    await bot.post_update(make_message_update("/code add FIRST", sender=OP))
    await fake_telegram.wait_for("sendMessage", 1)
    await quiet(bot)

    def hand_out(session) -> None:
        (first,) = session.scalars(select(InviteCode)).all()
        now = datetime.now(UTC)
        for n in range(150):
            session.add(InviteCode(
                group_id=first.group_id, code=f"USED{n:03d}", max_uses=1, uses=1,
                expires_at=now + timedelta(days=3650), revoked=False, created_by="111",
                created_at=now,
            ))
        session.add(InviteCode(
            group_id=first.group_id, code="LATEST", max_uses=1, uses=0, expires_at=None,
            revoked=False, created_by="111", created_at=now,
        ))

    await db(bot, hand_out)
    await bot.post_update(make_message_update("/code list", sender=OP))
    listed = (await fake_telegram.wait_for("sendMessage", 2))[1]["text"]
    lines = listed.splitlines()
    assert len(listed) <= 4096
    assert lines[0] == "邀请码："
    assert lines[1].startswith("FIRST — ") and lines[-2].startswith("LATEST — ")
    shown = len(lines) - 4  # used codes listed, besides the header, FIRST, LATEST and the count
    assert shown > 20
    assert lines[-1] == f"……另有 {150 - shown} 个已失效的邀请码未列出。"
    # The newest used codes are the ones listed, in the order they were made.
    assert lines[2].startswith(f"USED{150 - shown:03d} — ")


async def test_a_requester_an_admin_lets_in_by_hand_is_not_told_they_were_declined(
    bot, fake_telegram
):
    # Regression: an admin approved a waiting request in Telegram itself; the bot's question
    # stayed open, and when the reply time ran out the new member was told privately that
    # their request was declined for not answering (and the bot tried to decline it).
    await configure(bot, screening={"mode": "code", "reply_minutes": 10})
    other = user(704, "Other")
    for who in (APPLICANT, other):
        await bot.post_update(make_join_request_update(who))
        await dm_count(fake_telegram, who["id"], 1)
    # One arrives as the join's service message, the other as a member update alone.
    await bot.post_update(make_join_update(APPLICANT))
    await bot.post_update(make_chat_member_update(other, "left", "member", by=OP))
    await quiet(bot)
    later = datetime.now(UTC) + timedelta(minutes=11)
    bot.runtime.verification_timeouts.clock = lambda: later
    await bot.runtime.verification_timeouts.run_once()
    await quiet(bot)
    assert fake_telegram.called("declineChatJoinRequest") == []
    assert len(dms(fake_telegram, 701)) == len(dms(fake_telegram, 704)) == 1
    assert [(a.status, a.reason) for a in await rows(bot, EntryApplication)] == [
        ("approved", "joined"), ("approved", "joined")
    ]
    # A code typed afterwards finds nothing to answer.
    await bot.post_update(private("WHATEVER"))
    await quiet(bot)
    assert len(dms(fake_telegram, 701)) == 1


async def test_a_code_typed_in_full_width_characters_is_the_same_code(bot, fake_telegram):
    # Regression: a Chinese input method in full-width mode types "ＶＩＰ２０２６" for VIP2026;
    # it was a wrong code, and after three tries the requester was declined.
    await configure(bot, screening={"mode": "code", "codes": ["VIP2026"]})
    await bot.post_update(make_message_update("/code add Ｓｐｒｉｎｇ_1", sender=OP))
    await fake_telegram.wait_for("sendMessage", 1)
    second = user(702, "Second")
    for who, typed in ((APPLICANT, "ｖｉｐ２０２６"), (second, "ＳＰＲＩＮＧ＿１")):
        await bot.post_update(make_join_request_update(who))
        await dm_count(fake_telegram, who["id"], 1)
        await bot.post_update(private(typed, who))
    approved = await fake_telegram.wait_for("approveChatJoinRequest", 2)
    assert {a["user_id"] for a in approved} == {701, 702}
    await quiet(bot)
    (code,) = await rows(bot, InviteCode)
    assert (code.code, code.uses) == ("SPRING_1", 1)
