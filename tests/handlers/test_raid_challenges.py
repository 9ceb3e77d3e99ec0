"""Verification in raid mode through the webhook: one shared question, within the send budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bot.db.models import OutboxAction, utcnow
from handlers.entry_store import ChallengeBatch, PendingVerification
from tests.factories import (
    GROUP_ID,
    make_callback_update,
    make_chat_member_update,
    make_join_update,
    make_left_update,
    make_message_update,
    user,
)
from tests.fakes.telegram_api import CHAT_PERMISSIONS
from tests.handlers.entry_support import FAST_WELCOME, configure, db, quiet, rows
from tests.harness import BotHarness, eventually

RAID = {"threshold": 2, "window_seconds": 60}
VERIFY = {"enabled": True, "mode": "button", "timeout_seconds": 120, "raid_timeout_seconds": 60}
# One message a minute: the raid alert takes it, so the question waits and gathers everyone.
ONE_A_MINUTE = {**FAST_WELCOME, "enabled": False, "budget_per_minute": 1}
ANN, BEN, CAT = user(901, "Ann"), user(902, "Ben"), user(903, "Cat")


def group_posts(fake_telegram) -> list[dict]:
    return [m for m in fake_telegram.called("sendMessage") if m["chat_id"] == GROUP_ID]


def buttons(message: dict) -> list[str]:
    return [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def questions(bot) -> list[OutboxAction]:
    return await rows(bot, OutboxAction, OutboxAction.idempotency_key.startswith("verify-batch:"))


async def a_minute_passes(bot) -> None:
    """The shared question's turn in the send budget comes (without waiting a real minute)."""

    def due_now(session) -> None:
        session.execute(
            update(OutboxAction)
            .where(OutboxAction.idempotency_key.startswith("verify-batch:"))
            .values(next_attempt_at=utcnow())
        )

    await db(bot, due_now)


async def raid(bot, fake_telegram, *newcomers: dict) -> dict:
    """The first two join together (a raid at once), the rest one by one; returns the shared
    question once its turn has come and it is up."""
    await configure(bot, raid=RAID, verification=VERIFY, welcome=ONE_A_MINUTE)
    first, second, *rest = newcomers
    await bot.post_update(make_join_update(first, second))
    for who in rest:
        await bot.post_update(make_join_update(who))
    await fake_telegram.wait_for("restrictChatMember", len(newcomers))
    await quiet(bot)
    assert [m["text"][:1] for m in group_posts(fake_telegram)] == ["⚠"]  # the alert alone
    await a_minute_passes(bot)
    return (await fake_telegram.wait_for("sendMessage", 2))[1]


async def press(bot, fake_telegram, question: dict, who: dict, *, right: bool) -> dict:
    pending = next(p for p in await rows(bot, PendingVerification)
                   if p.user_id == str(who["id"]))
    data = next(d for d in buttons(question) if d.endswith(f":{pending.answer}") == right)
    await bot.post_update(make_callback_update(data, sender=who))
    return (await fake_telegram.wait_for("answerCallbackQuery", 1))[-1]


async def statuses(bot) -> dict[str, str]:
    return {p.user_id: p.status for p in await rows(bot, PendingVerification)}


async def shown_id(bot) -> int:
    (question,) = await questions(bot)
    return int(question.result["message_id"])


async def deadlines_pass(harness, fake_telegram, removals: int) -> None:
    later = datetime.now(UTC) + timedelta(seconds=200)
    harness.runtime.verification_timeouts.clock = lambda: later
    harness.runtime.verification_timeouts.notify()
    await fake_telegram.wait_for("banChatMember", removals)
    await eventually(harness.settled)


async def test_a_raid_of_20_joins_posts_no_more_than_the_send_budget(bot, fake_telegram):
    # Regression: each of a raid's newcomers got a challenge of their own, 20 messages in
    # seconds from a bot whose group budget is 6 a minute.
    await configure(bot, raid={"threshold": 5, "window_seconds": 60}, verification=VERIFY,
                    welcome=FAST_WELCOME)
    for uid in range(910, 930):
        await bot.post_update(make_join_update(user(uid, f"Bot{uid}")))
    await fake_telegram.wait_for("restrictChatMember", 20)
    await quiet(bot)
    assert len(group_posts(fake_telegram)) <= 6
    assert len({r["user_id"] for r in fake_telegram.called("restrictChatMember")}) == 20
    # The four before the raid as before; everyone after it asked in exactly one question.
    asked = [p for p in await rows(bot, PendingVerification) if p.batch_id is not None]
    assert sorted(int(p.user_id) for p in asked) == list(range(914, 930))
    texts = [row.payload["text"] for row in await questions(bot)]
    for p in asked:
        assert sum(f"tg://user?id={p.user_id}\"" in text for text in texts) == 1


async def test_one_question_asks_the_whole_raid_and_counts_past_twenty(bot, fake_telegram):
    newcomers = [user(uid, f"Bot{uid}") for uid in range(940, 962)]
    question = await raid(bot, fake_telegram, *newcomers)
    (batch,) = await rows(bot, ChallengeBatch)
    assert question["text"].count("tg://user?id=") == 20
    assert question["text"].endswith("（点选答案，答错或超时将被移出群）")
    assert "等另外 2 位新朋友" in question["text"]
    assert f"{batch.a} + {batch.b} = ?" in question["text"]
    assert buttons(question) == [f"vfs:{batch.id}:{n}" for n in batch.choices]
    # Each one's time runs from the question's turn (a minute later), not from their join.
    pending = await rows(bot, PendingVerification)
    assert len(pending) == 22
    assert batch.shows_at - batch.opened_at > timedelta(seconds=50)
    assert {p.deadline - batch.shows_at for p in pending} == {timedelta(seconds=60)}


async def test_a_right_answer_lets_in_only_the_presser(bot, fake_telegram):
    question = await raid(bot, fake_telegram, ANN, BEN, CAT)
    answer = await press(bot, fake_telegram, question, ANN, right=True)
    assert answer["text"] == "验证通过，欢迎！"
    lifted = (await fake_telegram.wait_for("restrictChatMember", 4))[3]
    assert lifted["user_id"] == 901 and lifted["permissions"] == dict.fromkeys(
        CHAT_PERMISSIONS, True
    )
    await quiet(bot)
    assert await statuses(bot) == {"901": "passed", "902": "pending", "903": "pending"}
    assert fake_telegram.called("deleteMessage") == []  # the others still need the question


async def test_someone_the_question_does_not_ask_is_told_it_is_not_for_them(bot, fake_telegram):
    question = await raid(bot, fake_telegram, ANN, BEN)
    await bot.post_update(make_callback_update(buttons(question)[0], sender=user(700, "Old")))
    (answer,) = await fake_telegram.wait_for("answerCallbackQuery", 1)
    assert answer["text"] == "这不是给你的按钮。"
    await quiet(bot)
    assert await statuses(bot) == {"901": "pending", "902": "pending"}


async def test_a_wrong_answer_removes_only_the_presser(bot, fake_telegram):
    question = await raid(bot, fake_telegram, ANN, BEN, CAT)
    answer = await press(bot, fake_telegram, question, BEN, right=False)
    assert answer["text"] == "回答错误。"
    (ban,) = await fake_telegram.wait_for("banChatMember", 1)
    assert ban["user_id"] == 902
    await quiet(bot)
    assert [u["user_id"] for u in fake_telegram.called("unbanChatMember")] == [902]
    assert await statuses(bot) == {"901": "pending", "902": "failed", "903": "pending"}
    deleted = {d["message_id"] for d in fake_telegram.called("deleteMessage")}
    assert await shown_id(bot) not in deleted


async def test_the_question_goes_once_the_last_newcomer_it_asks_is_resolved(bot, fake_telegram):
    question = await raid(bot, fake_telegram, ANN, BEN, CAT)
    await press(bot, fake_telegram, question, ANN, right=True)
    await quiet(bot)
    await deadlines_pass(bot, fake_telegram, 2)
    assert sorted(b["user_id"] for b in fake_telegram.called("banChatMember")) == [902, 903]
    assert await statuses(bot) == {"901": "passed", "902": "expired", "903": "expired"}
    deleted = [d["message_id"] for d in fake_telegram.called("deleteMessage")]
    assert deleted.count(await shown_id(bot)) == 1


async def test_newcomers_let_in_by_hand_or_by_verify_off_take_the_question_with_the_last(
    bot, fake_telegram
):
    await raid(bot, fake_telegram, ANN, BEN)
    admin = user(700, "Admin")
    await bot.post_update(make_chat_member_update(ANN, "restricted", "member", by=admin))
    await quiet(bot)
    assert await statuses(bot) == {"901": "released", "902": "pending"}
    assert fake_telegram.called("deleteMessage") == []  # Ben still needs it
    await bot.post_update(make_message_update("/verify off", sender=user(111, "Op")))
    (deleted,) = await fake_telegram.wait_for("deleteMessage", 1)
    assert deleted["message_id"] == await shown_id(bot)
    await quiet(bot)
    assert await statuses(bot) == {"901": "released", "902": "released"}
    assert fake_telegram.called("restrictChatMember")[-1]["user_id"] == 902


async def test_a_question_everyone_left_before_its_turn_is_never_posted(bot, fake_telegram):
    await configure(bot, raid=RAID, verification=VERIFY, welcome=ONE_A_MINUTE)
    await bot.post_update(make_join_update(ANN, BEN))
    await fake_telegram.wait_for("restrictChatMember", 2)
    await bot.post_update(make_left_update(ANN))
    await bot.post_update(make_left_update(BEN))
    await quiet(bot)
    (question,) = await questions(bot)
    assert question.status == "cancelled"
    await a_minute_passes(bot)
    await quiet(bot)
    assert len(group_posts(fake_telegram)) == 1  # the raid alert


async def test_a_restart_in_the_middle_of_a_raid_keeps_presses_and_deadlines(
    bot, make_settings, fake_telegram
):
    question = await raid(bot, fake_telegram, ANN, BEN, CAT)
    await bot.stop()
    restarted = await BotHarness(make_settings()).start()
    try:
        await eventually(lambda: _has_loop(restarted))
        answer = await press(restarted, fake_telegram, question, CAT, right=True)
        assert answer["text"] == "验证通过，欢迎！"
        await eventually(restarted.settled)
        await deadlines_pass(restarted, fake_telegram, 2)
        assert await statuses(restarted) == {"901": "expired", "902": "expired", "903": "passed"}
        deleted = [d["message_id"] for d in fake_telegram.called("deleteMessage")]
        assert await shown_id(restarted) in deleted
    finally:
        await restarted.close()


async def _has_loop(harness) -> bool:
    return harness.runtime.verification_timeouts._task is not None
