"""Appeals from members the bot cannot write to first, through the webhook: the link in a
mute's warning, and /start in the bot's private chat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.db.models import OutboxAction
from handlers.moderation_store import ModerationDecision
from tests.factories import (
    GROUP_ID,
    MEMBER_ID,
    make_message_update,
    make_private_update,
    make_update,
    message,
)
from tests.fakes.telegram_api import BOT_USERNAME
from tests.handlers.report_support import regulars
from tests.handlers.test_moderation import (
    AD,
    ALICE,
    BOB,
    CAROL,
    DAVE,
    OPERATOR,
    button_data,
    db,
    decisions,
    post_and_settle,
    sent_to,
)
from tests.harness import eventually


def link_buttons(body: dict) -> list[str]:
    return [b["url"] for row in body["reply_markup"]["inline_keyboard"] for b in row if "url" in b]


def button_data_of(body: dict) -> list[str]:
    rows = body["reply_markup"]["inline_keyboard"]
    return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


async def ads_until(bot, fake_telegram, method: str, member: dict = ALICE) -> ModerationDecision:
    """`member` posts the ad until the ladder reaches `method` (mute or ban); its decision."""
    while not fake_telegram.called(method):
        await post_and_settle(bot, make_message_update(AD, sender=member))
    return (await decisions(bot))[-1]


async def test_a_member_the_bot_cannot_write_to_appeals_through_the_mutes_warning(
    bot, fake_telegram
):
    fake_telegram.strangers.add(MEMBER_ID)  # Alice never started the bot
    mute = await ads_until(bot, fake_telegram, "restrictChatMember")
    assert sent_to(fake_telegram, MEMBER_ID)[-1]["text"].startswith("你在「")  # tried: refused
    warning = sent_to(fake_telegram, GROUP_ID)[-1]
    assert warning["text"].startswith("🔇")
    assert button_data_of(warning) == [f"adf:notspam:{mute.id}", f"adf:why:{mute.id}"]
    (link,) = link_buttons(warning)
    assert link == f"https://t.me/{BOT_USERNAME}?start=appeal_{mute.id}"
    # Following it, Telegram opens her private chat with the bot and sends /start <payload>.
    fake_telegram.strangers.discard(MEMBER_ID)
    await post_and_settle(bot, make_private_update(f"/start appeal_{mute.id}", ALICE))
    (reply,) = [b["text"] for b in sent_to(fake_telegram, MEMBER_ID)][-1:]
    assert reply == "申诉已提交，管理员会尽快处理。"  # and no command list after it
    card = sent_to(fake_telegram, GROUP_ID)[-1]
    assert card["text"].startswith(f"🙋 @alice 对 #{mute.id} 提出申诉")
    assert button_data(card) == [f"adf:restore:{mute.id}", f"adf:reject:{mute.id}"]
    assert (await decisions(bot))[-1].appeal == "pending"
    # The link again, or someone else's hands on it: nothing more reaches the operators.
    await post_and_settle(bot, make_private_update(f"/start appeal_{mute.id}", ALICE))
    await post_and_settle(bot, make_private_update(f"/start appeal_{mute.id}", BOB))
    assert [b["text"] for b in sent_to(fake_telegram, MEMBER_ID)][-1] == "这条申诉已经提交过了。"
    assert sent_to(fake_telegram, BOB["id"])[-1]["text"] == "这不是你的记录。"
    assert sent_to(fake_telegram, GROUP_ID)[-1] == card
    # The operators restore her as with any appeal, and she hears it privately.
    await post_and_settle(bot, make_message_update(f"/undo {mute.id}", sender=OPERATOR))
    restored = (await decisions(bot))[-1]
    assert (restored.undone, restored.appeal) == (True, "restored")
    assert sent_to(fake_telegram, MEMBER_ID)[-1]["text"].startswith("你的申诉已通过")


async def test_a_banned_member_who_starts_the_bot_finds_the_decisions_to_appeal(
    bot, fake_telegram
):
    fake_telegram.strangers.add(MEMBER_ID)
    mute = await ads_until(bot, fake_telegram, "restrictChatMember")
    ban = await ads_until(bot, fake_telegram, "banChatMember")
    assert ban.action == "ban"
    # A ban's warning has no link: she no longer sees the group to follow it.
    assert link_buttons(sent_to(fake_telegram, GROUP_ID)[-1]) == []
    fake_telegram.strangers.discard(MEMBER_ID)
    await post_and_settle(bot, make_private_update("/start", ALICE))
    *notices, help_text = sent_to(fake_telegram, MEMBER_ID)[-3:]
    assert [n["text"] for n in notices] == [
        f"你在「Qunbot Test Group」的消息被判定为广告，你被移出了群聊（#{ban.id}）。"
        "如果这是误判，请点击下方按钮申诉。",
        f"你在「Qunbot Test Group」的消息被判定为广告，你被禁言了（#{mute.id}）。"
        "如果这是误判，请点击下方按钮申诉。",
    ]
    assert [button_data(n) for n in notices] == [
        [f"adf:appeal:{ban.id}"], [f"adf:appeal:{mute.id}"]
    ]
    assert help_text["text"].startswith("可用命令：")  # the usual answer to /start follows
    # Appealed, undone, shadow or old decisions are not listed; someone else has none.
    await post_and_settle(bot, make_private_update(f"/start appeal_{ban.id}", ALICE))
    await post_and_settle(bot, make_message_update(f"/undo {mute.id}", sender=OPERATOR))
    sent = len(sent_to(fake_telegram, MEMBER_ID))
    await post_and_settle(bot, make_private_update("/start", ALICE))
    assert [b["text"] for b in sent_to(fake_telegram, MEMBER_ID)[sent:]] == [help_text["text"]]
    await post_and_settle(bot, make_private_update("/start", BOB))
    assert [b["text"] for b in sent_to(fake_telegram, BOB["id"])] == [help_text["text"]]


async def test_only_decisions_of_the_last_30_days_that_did_something_are_listed(
    bot, fake_telegram
):
    mute = await ads_until(bot, fake_telegram, "restrictChatMember")

    def age(session, days: int, **more) -> None:
        session.execute(
            update(ModerationDecision)
            .where(ModerationDecision.id == mute.id)
            .values(at=mute.at - timedelta(days=days), **more)
        )
        session.commit()

    sent = len(sent_to(fake_telegram, MEMBER_ID))
    await db(bot, lambda s: age(s, 29))
    await post_and_settle(bot, make_private_update("/start", ALICE))
    assert len(sent_to(fake_telegram, MEMBER_ID)) == sent + 2  # the mute, then the help
    await db(bot, lambda s: age(s, 31))
    await post_and_settle(bot, make_private_update("/start", ALICE))
    assert len(sent_to(fake_telegram, MEMBER_ID)) == sent + 3
    await db(bot, lambda s: age(s, 0, shadow=True))  # recent, but only in shadow mode
    await post_and_settle(bot, make_private_update("/start", ALICE))
    await post_and_settle(bot, make_private_update(f"/start appeal_{mute.id}", ALICE))
    texts = [b["text"] for b in sent_to(fake_telegram, MEMBER_ID)[sent + 3:]]
    assert texts[0].startswith("可用命令：") and texts[1] == "这不是你的记录。"
    assert (await decisions(bot))[-1].appeal is None


async def test_start_links_that_are_not_appeals_are_answered_as_a_plain_start(
    bot, fake_telegram
):
    mute = await ads_until(bot, fake_telegram, "restrictChatMember")
    before = len(fake_telegram.called("sendMessage"))
    for payload in ("appeal_", "appeal_x1", f"appeal_{mute.id}0000000000000000000", "hello"):
        await post_and_settle(bot, make_private_update(f"/start {payload}", OPERATOR))
    answers = fake_telegram.called("sendMessage")[before:]
    assert all(a["text"].startswith("可用命令：") for a in answers) and len(answers) == 4
    # In the group, /start appeal_<id> is no appeal either.
    await post_and_settle(bot, make_message_update(f"/start appeal_{mute.id}", sender=ALICE))
    assert (await decisions(bot))[-1].appeal is None
    await eventually(lambda: bot.settled())


async def test_a_member_muted_by_reports_can_appeal_through_the_groups_notice(
    bot, fake_telegram
):
    fake_telegram.strangers.add(MEMBER_ID)
    target = message("Nice to meet you all, see you around", sender=ALICE)
    await post_and_settle(bot, make_update("message", target))
    await regulars(bot, BOB, CAROL, DAVE)
    for reporter in (BOB, CAROL, DAVE):
        await post_and_settle(
            bot, make_message_update("/report", sender=reporter, reply_to_message=target)
        )
    (decision,) = await decisions(bot)
    assert (decision.source, decision.action) == ("report", "mute")
    notice = sent_to(fake_telegram, GROUP_ID)[-1]
    assert notice["text"].startswith("📣 3 位成员举报了 @alice 的消息")
    assert button_data_of(notice) == [f"adf:notspam:{decision.id}", f"adf:why:{decision.id}"]
    assert link_buttons(notice) == [f"https://t.me/{BOT_USERNAME}?start=appeal_{decision.id}"]
    fake_telegram.strangers.discard(MEMBER_ID)
    await post_and_settle(bot, make_private_update(f"/start appeal_{decision.id}", ALICE))
    assert sent_to(fake_telegram, GROUP_ID)[-1]["text"].startswith(
        f"🙋 @alice 对 #{decision.id} 提出申诉"
    )


async def test_a_mutes_warning_with_its_appeal_link_is_not_deleted_with_the_others(
    bot, fake_telegram
):
    # Regression: the warning carrying the Appeal link was deleted after `warning_seconds`
    # like any other, so a muted member who looked at the group later had no way to appeal.
    fake_telegram.strangers.add(MEMBER_ID)
    await ads_until(bot, fake_telegram, "restrictChatMember")
    first, mute = [m for m in sent_to(fake_telegram, GROUP_ID) if m["text"][:1] in "⚠🔇"]
    assert link_buttons(mute) and "reply_markup" in first and not link_buttons(first)
    ids = {}
    for row in await db(bot, lambda s: list(s.scalars(select(OutboxAction)))):
        if row.kind == "send_message" and row.result and row.payload["chat_id"] == str(GROUP_ID):
            ids[row.payload["text"]] = int(row.result["message_id"])
    # Time passes beyond `warning_seconds`: every deletion waiting is due.
    async with bot.sessions.begin() as session:
        await session.execute(
            update(OutboxAction)
            .where(OutboxAction.status == "pending")
            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    bot.runtime.sender.notify()
    await fake_telegram.wait_for("deleteMessage", 3)  # the two ads and the first warning
    await eventually(bot.settled)
    deleted = {int(d["message_id"]) for d in fake_telegram.called("deleteMessage")}
    assert ids[first["text"]] in deleted
    assert ids[mute["text"]] not in deleted
