"""Newcomers who are gone before their greeting goes out: they left, an admin removed them, or
the bot itself did (the ad filter, /ban). The greeting names and counts only those still here,
and is not sent at all when nobody it greets is left."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Group, OutboxAction
from handlers.entry_store import PendingVerification
from tests.factories import (
    GROUP_ID,
    OPERATOR_ID,
    make_callback_update,
    make_chat_member_update,
    make_join_update,
    make_left_update,
    make_message_update,
    user,
)
from tests.fakes.telegram_api import Failure
from tests.handlers.entry_support import configure, db, quiet, rows
from tests.harness import BotHarness, eventually

# Wide enough that a leave posted right after the join is handled before the greeting goes out.
WINDOW = {"batch_seconds": 1.0, "raid_batch_seconds": 1.0}
OP = user(OPERATOR_ID, "Op")
ANN, BEN = user(501, "Ann"), user(502, "Ben")
AD = "加我微信 abc123 领取福利，名额有限"


async def group_of_40(bot, fake_telegram, **sections: dict) -> None:
    """The test group, 40 members strong when the platform counted them a minute ago."""
    fake_telegram.member_counts[GROUP_ID] = 40
    await configure(bot, **sections)
    await eventually(lambda: db(bot, _counted_a_minute_ago))


def _counted_a_minute_ago(session) -> bool:
    # Telegram dates joins in whole seconds: one in the second of the count would seem counted.
    group = session.scalar(select(Group).where(Group.chat_id == str(GROUP_ID)))
    if group.synced_at is None:
        return False
    group.synced_at -= timedelta(minutes=1)
    return True


def named(message: dict) -> list[str]:
    """The user ids a greeting mentions, in order (an introduction prompt names them again)."""
    return list(dict.fromkeys(re.findall(r"tg://user\?id=(\d+)", message["text"])))


async def greetings(fake_telegram) -> list[dict]:
    """Greetings sent (the messages with the greeting's buttons)."""
    return [
        m for m in fake_telegram.called("sendMessage") if "wl:rules" in str(m.get("reply_markup"))
    ]


async def greeting(bot, fake_telegram) -> dict:
    (sent,) = await eventually(lambda: greetings(fake_telegram))
    await quiet(bot)
    assert len(await greetings(fake_telegram)) == 1
    return sent


async def unsent_greetings(bot) -> list[OutboxAction]:
    return await rows(
        bot,
        OutboxAction,
        OutboxAction.idempotency_key.like("welcome:%"),
        OutboxAction.status.in_(("pending", "queued")),
    )


async def test_a_newcomer_who_leaves_before_the_greeting_is_neither_named_nor_counted(
    bot, fake_telegram
):
    await group_of_40(bot, fake_telegram, welcome=WINDOW)
    await bot.post_update(make_join_update(ANN, BEN))
    await bot.post_update(make_left_update(BEN))
    sent = await greeting(bot, fake_telegram)
    assert named(sent) == ["501"]
    assert "你是本群第 41 位成员" in sent["text"]


async def test_a_newcomer_an_admin_removes_is_not_named(bot, fake_telegram):
    # Heard of from a chat_member update alone.
    await group_of_40(bot, fake_telegram, welcome=WINDOW)
    await bot.post_update(make_join_update(ANN))
    await bot.post_update(make_join_update(BEN))
    await bot.post_update(make_chat_member_update(BEN, "member", "kicked", by=OP))
    sent = await greeting(bot, fake_telegram)
    assert named(sent) == ["501"]
    assert "你是本群第 41 位成员" in sent["text"]


async def test_no_greeting_when_everyone_it_would_greet_has_left(bot, fake_telegram):
    await group_of_40(bot, fake_telegram, welcome=WINDOW)
    await bot.post_update(make_join_update(ANN))
    await bot.post_update(make_join_update(BEN))
    await bot.post_update(make_left_update(ANN))
    await bot.post_update(make_chat_member_update(BEN, "member", "left"))
    await quiet(bot)
    # Nothing is left to go out later either, and the record says why.
    assert await unsent_greetings(bot) == []
    (dropped,) = await rows(bot, OutboxAction, OutboxAction.idempotency_key.like("welcome:%"))
    assert dropped.status == "cancelled" and "left" in dropped.error
    assert fake_telegram.called("sendMessage") == []


async def test_a_newcomer_the_ad_filter_bans_is_not_greeted(bot, fake_telegram):
    # The bot's own removal counts at once: the platform's notice of it may come too late.
    await group_of_40(bot, fake_telegram, welcome=WINDOW, adfilter={"ladder": ["ban"]})
    await bot.post_update(make_join_update(ANN, BEN))
    await bot.post_update(make_message_update(AD, sender=BEN))
    (ban,) = await fake_telegram.wait_for("banChatMember", 1)
    assert ban["user_id"] == 502
    sent = await greeting(bot, fake_telegram)
    assert named(sent) == ["501"]
    assert "你是本群第 41 位成员" in sent["text"]


async def test_a_newcomer_banned_by_command_drops_out_and_the_greeting_keeps_its_language(
    bot, fake_telegram
):
    # The group follows its speakers' language: the operator's Chinese /ban must not turn the
    # English newcomers' greeting into Chinese.
    await group_of_40(bot, fake_telegram, welcome=WINDOW)
    ann, ben = user(511, "Ann", language_code="en"), user(512, "Ben", language_code="en")
    await bot.post_update(make_join_update(ann, ben))
    await bot.post_update(make_message_update("/ban 512", sender=OP))
    await fake_telegram.wait_for("banChatMember", 1)
    sent = await greeting(bot, fake_telegram)
    assert named(sent) == ["511"]
    assert sent["text"].startswith('Welcome <a href="tg://user?id=511">Ann</a> to ')
    assert "You are member number 41." in sent["text"]


async def test_the_ceremony_names_only_who_stayed_and_their_own_inviter(bot, fake_telegram):
    await group_of_40(bot, fake_telegram, welcome=WINDOW, kind="super")
    await bot.post_update(make_join_update(ANN, sender=OP))  # Op added Ann
    await bot.post_update(make_join_update(BEN))  # Ben came by link
    await bot.post_update(make_left_update(ANN))
    sent = await greeting(bot, fake_telegram)
    assert named(sent) == ["502"]
    assert "成为第 41 位超级用户" in sent["text"]
    assert "邀请人：-" in sent["text"] and "Op" not in sent["text"]


async def test_a_greeting_waiting_through_a_restart_drops_who_left_meanwhile(
    bot, make_settings, fake_telegram
):
    # The window closes while nothing sends (the process is down, or another replica leads):
    # the leave still reaches the stored greeting, which goes out after the restart.
    await group_of_40(bot, fake_telegram, welcome={"batch_seconds": 0.0})
    sender = bot.runtime.sender
    await eventually(lambda: _running(sender))
    await sender.stop()
    await bot.post_update(make_join_update(ANN, BEN))
    await bot.post_update(make_left_update(BEN))
    await eventually(lambda: _drained(bot))
    await bot.stop()
    restarted = await BotHarness(make_settings()).start()
    try:
        sent = await greeting(restarted, fake_telegram)
        assert named(sent) == ["501"]
        assert "你是本群第 41 位成员" in sent["text"]
    finally:
        await restarted.close()


async def _running(loop) -> bool:
    return loop._task is not None


async def _drained(bot) -> bool:
    return await bot.count_open_inbox() == 0


async def test_a_newcomer_who_fails_verification_is_never_named(bot, fake_telegram):
    verify = {"enabled": True, "mode": "question", "timeout_seconds": 120}
    await group_of_40(bot, fake_telegram, welcome=WINDOW, verification=verify)
    await bot.post_update(make_join_update(ANN, BEN))
    challenges = await fake_telegram.wait_for("sendMessage", 2)
    await quiet(bot)
    pending = {p.user_id: p for p in await rows(bot, PendingVerification)}
    ann, ben = pending["501"], pending["502"]
    presses = [
        b["callback_data"]
        for m in challenges
        for r in m["reply_markup"]["inline_keyboard"]
        for b in r
    ]
    wrong = next(p for p in presses if p.startswith(f"vf:{ben.id}:") and p != right_answer(ben))
    await bot.post_update(make_callback_update(f"vf:{ann.id}:501:{ann.answer}", sender=ANN))
    await bot.post_update(make_callback_update(wrong, sender=BEN))
    await fake_telegram.wait_for("banChatMember", 1)
    sent = await greeting(bot, fake_telegram)
    assert named(sent) == ["501"]


def right_answer(pending: PendingVerification) -> str:
    return f"vf:{pending.id}:{pending.user_id}:{pending.answer}"


async def test_a_newcomer_who_leaves_while_restricted_is_not_named(bot, fake_telegram):
    # Telegram reports it as restricted -> restricted, with is_member false.
    await group_of_40(bot, fake_telegram, welcome=WINDOW)
    await bot.post_update(make_join_update(ANN, BEN))
    await bot.post_update(make_chat_member_update(BEN, "member", "restricted", by=OP))
    await bot.post_update(
        make_chat_member_update(BEN, "restricted", "restricted", new_is_member=False)
    )
    sent = await greeting(bot, fake_telegram)
    assert named(sent) == ["501"]
    assert "你是本群第 41 位成员" in sent["text"]


@pytest.mark.parametrize("cleanup", [600, None], ids=["cleanup-later", "kept-for-good"])
async def test_a_greeting_already_up_goes_when_everyone_it_greets_has_left(
    bot, fake_telegram, cleanup
):
    await group_of_40(bot, fake_telegram, welcome={**WINDOW, "delete_after_seconds": cleanup})
    await bot.post_update(make_join_update(ANN))
    await greeting(bot, fake_telegram)
    await bot.post_update(make_chat_member_update(ANN, "member", "kicked", by=OP))
    (deleted,) = await fake_telegram.wait_for("deleteMessage", 1)
    await quiet(bot)
    (posted,) = await rows(bot, OutboxAction, OutboxAction.kind == "send_message")
    assert str(deleted["message_id"]) == str(posted.result["message_id"])
    # The one deletion is the greeting's cleanup (brought forward): none is left to fail later.
    (deletion,) = await rows(bot, OutboxAction, OutboxAction.kind == "delete_message")
    assert deletion.idempotency_key == f"{posted.idempotency_key}:del:0"
    assert deletion.status == "done"


async def test_a_greeting_already_up_is_edited_to_name_only_who_stayed(bot, fake_telegram):
    await group_of_40(bot, fake_telegram, welcome=WINDOW)
    await bot.post_update(make_join_update(ANN, BEN))
    sent = await greeting(bot, fake_telegram)
    assert named(sent) == ["501", "502"] and "你是本群第 42 位成员" in sent["text"]
    await bot.post_update(make_left_update(BEN))
    (edit,) = await fake_telegram.wait_for("editMessageText", 1)
    (posted,) = await rows(bot, OutboxAction, OutboxAction.kind == "send_message")
    assert str(edit["message_id"]) == str(posted.result["message_id"])
    assert named(edit) == ["501"] and "你是本群第 41 位成员" in edit["text"]
    # Still HTML, and the buttons stay (an edit without them would take them away).
    assert edit["parse_mode"] == "HTML"
    assert edit["reply_markup"] == sent["reply_markup"]
    # Telegram tells of the same departure twice: the second notice changes nothing.
    await bot.post_update(make_chat_member_update(BEN, "member", "left"))
    await quiet(bot)
    assert len(fake_telegram.called("editMessageText")) == 1
    assert fake_telegram.called("deleteMessage") == []


async def test_a_greeting_on_its_way_when_a_newcomer_leaves_is_corrected_once_up(
    bot, fake_telegram
):
    # A 429 holds the greeting inside the sender, past the point where its row can be swapped
    # for another: it goes out as first written and is edited right after.
    await group_of_40(bot, fake_telegram, welcome=WINDOW)
    fake_telegram.fail_next("sendMessage", Failure(429, "Too Many Requests", retry_after=1))
    await bot.post_update(make_join_update(ANN, BEN))
    await fake_telegram.wait_for("sendMessage", 1)  # the refused try: now the sender holds it
    await bot.post_update(make_left_update(BEN))
    (edit,) = await fake_telegram.wait_for("editMessageText", 1)
    await quiet(bot)
    (posted,) = await rows(bot, OutboxAction, OutboxAction.kind == "send_message")
    assert str(edit["message_id"]) == str(posted.result["message_id"])
    assert named(edit) == ["501"] and "你是本群第 41 位成员" in edit["text"]
    assert edit["reply_markup"] == fake_telegram.called("sendMessage")[1]["reply_markup"]


async def test_a_greeting_on_its_way_when_everyone_left_is_taken_down_once_up(bot, fake_telegram):
    await group_of_40(bot, fake_telegram, welcome=WINDOW)
    fake_telegram.fail_next("sendMessage", Failure(429, "Too Many Requests", retry_after=1))
    await bot.post_update(make_join_update(ANN))
    await fake_telegram.wait_for("sendMessage", 1)
    await bot.post_update(make_left_update(ANN))
    (deleted,) = await fake_telegram.wait_for("deleteMessage", 1)
    await quiet(bot)
    (posted,) = await rows(bot, OutboxAction, OutboxAction.kind == "send_message")
    assert str(deleted["message_id"]) == str(posted.result["message_id"])
    # Its cleanup is that deletion: nothing is left to fail on a message already gone.
    (deletion,) = await rows(bot, OutboxAction, OutboxAction.kind == "delete_message")
    assert deletion.idempotency_key == f"{posted.idempotency_key}:del:0"
    assert fake_telegram.called("editMessageText") == []
