"""A mute outlasts leaving and rejoining: the newcomer gate lets a muted member in still muted,
to the mute's end, whether the operators' /mute or the ad filter's muted them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.db.models import Member
from handlers.moderation_store import ModerationDecision
from tests.factories import (
    MEMBER_ID,
    OPERATOR_ID,
    make_callback_update,
    make_chat_member_update,
    make_join_update,
    make_left_update,
    make_message_update,
    user,
)
from tests.handlers.entry_support import FAST_WELCOME, configure, db, quiet, rows

OPERATOR = user(OPERATOR_ID, "Op")
ALICE = user(MEMBER_ID, "Alice", username="alice")
VERIFY = {"enabled": True, "mode": "button", "timeout_seconds": 120}
AD = "Add me on WeChat abc123 for free crypto signals, limited spots, DM me now"


def until_of(restricted: dict) -> datetime:
    return datetime.fromtimestamp(restricted["until_date"], UTC)


def lifted(restricted: dict) -> bool:
    return restricted["permissions"]["can_send_messages"] is True


async def muted_by_operator(bot, fake_telegram) -> datetime:
    """Alice, known to the group, muted for a day by /mute; the time the mute was given."""
    await configure(bot, verification=VERIFY, welcome=FAST_WELCOME)
    await bot.post_update(make_message_update("hi", sender=ALICE))
    await quiet(bot)
    at = datetime.now(UTC)
    await bot.post_update(make_message_update("/mute @alice 1d 刷屏", sender=OPERATOR))
    await fake_telegram.wait_for("restrictChatMember", 1)
    await quiet(bot)
    return at


async def rejoin(bot, fake_telegram, who: dict) -> str:
    """`who` leaves and joins again, and is held by the gate; the button of their challenge."""
    held = len(fake_telegram.called("restrictChatMember")) + 1
    await bot.post_update(make_left_update(who))
    await bot.post_update(make_join_update(who))
    await fake_telegram.wait_for("restrictChatMember", held)
    await quiet(bot)
    challenge = [m for m in fake_telegram.called("sendMessage")
                 if "vf:" in str(m.get("reply_markup"))][-1]
    return challenge["reply_markup"]["inline_keyboard"][0][0]["callback_data"]


async def rejoin_and_pass(bot, fake_telegram, who: dict) -> dict:
    """`who` rejoins and presses their button; the restriction the press sends."""
    data = await rejoin(bot, fake_telegram, who)
    sent = len(fake_telegram.called("restrictChatMember")) + 1
    await bot.post_update(make_callback_update(data, sender=who))
    await fake_telegram.wait_for("restrictChatMember", sent)
    await quiet(bot)
    return fake_telegram.called("restrictChatMember")[-1]


async def test_rejoining_and_passing_does_not_lift_an_operators_mute(bot, fake_telegram):
    # Regression: the pass lifted every restriction, the mute Telegram kept across the rejoin
    # with it, so leaving and rejoining ended any mute.
    at = await muted_by_operator(bot, fake_telegram)
    kept = await rejoin_and_pass(bot, fake_telegram, ALICE)
    assert kept["user_id"] == MEMBER_ID and not lifted(kept)
    day = timedelta(days=1)
    assert at + day - timedelta(minutes=1) <= until_of(kept) <= at + day + timedelta(minutes=1)
    assert not any(lifted(r) for r in fake_telegram.called("restrictChatMember"))


async def test_rejoining_and_passing_does_not_lift_the_ad_filters_mute(bot, fake_telegram):
    await configure(bot, verification=VERIFY, welcome=FAST_WELCOME)
    bob = user(333, "Bob", username="bob")
    await bot.post_update(make_message_update(AD, sender=bob))
    await bot.post_update(make_message_update(AD + " again", sender=bob))
    (muted,) = await fake_telegram.wait_for("restrictChatMember", 1)
    await quiet(bot)
    assert [d.action for d in await rows(bot, ModerationDecision)] == ["delete", "mute"]
    kept = await rejoin_and_pass(bot, fake_telegram, bob)
    assert kept["user_id"] == 333 and not lifted(kept)
    assert abs(kept["until_date"] - muted["until_date"]) <= 1


async def test_after_unmute_a_rejoining_member_is_let_in_in_full(bot, fake_telegram):
    await muted_by_operator(bot, fake_telegram)
    await bot.post_update(make_message_update("/unmute @alice", sender=OPERATOR))
    await fake_telegram.wait_for("restrictChatMember", 2)
    await quiet(bot)
    assert lifted(await rejoin_and_pass(bot, fake_telegram, ALICE))


async def test_after_the_ad_filters_mute_is_undone_a_rejoining_member_is_let_in_in_full(
    bot, fake_telegram
):
    await configure(bot, verification=VERIFY, welcome=FAST_WELCOME)
    await bot.post_update(make_message_update(AD, sender=ALICE))
    await bot.post_update(make_message_update(AD + " again", sender=ALICE))
    await fake_telegram.wait_for("restrictChatMember", 1)
    await quiet(bot)
    mute = (await rows(bot, ModerationDecision))[-1]
    await bot.post_update(make_message_update(f"/undo {mute.id}", sender=OPERATOR))
    await fake_telegram.wait_for("restrictChatMember", 2)
    await quiet(bot)
    assert lifted(await rejoin_and_pass(bot, fake_telegram, ALICE))


async def test_a_mute_that_has_ended_does_not_hold_a_rejoining_member(bot, fake_telegram):
    await muted_by_operator(bot, fake_telegram)
    ended = datetime.now(UTC) - timedelta(minutes=5)

    def end_the_mute(session) -> None:  # the day is over
        session.execute(update(Member).where(Member.user_id == str(MEMBER_ID))
                        .values(muted_until=ended))

    await db(bot, end_the_mute)
    assert lifted(await rejoin_and_pass(bot, fake_telegram, ALICE))


async def test_turning_verification_off_keeps_a_waiting_members_mute(bot, fake_telegram):
    at = await muted_by_operator(bot, fake_telegram)
    await rejoin(bot, fake_telegram, ALICE)
    await bot.post_update(make_message_update("/verify off", sender=OPERATOR))
    (*_, kept) = await fake_telegram.wait_for("restrictChatMember", 3)
    await quiet(bot)
    assert kept["user_id"] == MEMBER_ID and not lifted(kept)
    assert until_of(kept) >= at + timedelta(hours=23, minutes=59)


async def test_an_admin_letting_a_muted_newcomer_in_by_hand_keeps_the_mute(bot, fake_telegram):
    at = await muted_by_operator(bot, fake_telegram)
    await rejoin(bot, fake_telegram, ALICE)
    admin = user(700, "Admin")
    await bot.post_update(make_chat_member_update(ALICE, "restricted", "member", by=admin))
    (*_, kept) = await fake_telegram.wait_for("restrictChatMember", 3)
    await quiet(bot)
    assert kept["user_id"] == MEMBER_ID and not lifted(kept)
    assert until_of(kept) >= at + timedelta(hours=23, minutes=59)


async def test_a_mute_an_admin_lifted_by_hand_is_not_put_back_at_a_rejoin(bot, fake_telegram):
    # Lifting the restriction in Telegram's member list ends the mute as /unmute does.
    await muted_by_operator(bot, fake_telegram)
    admin = user(700, "Admin")
    await bot.post_update(make_chat_member_update(ALICE, "restricted", "member", by=admin))
    await quiet(bot)
    (until,) = await db(bot, lambda s: list(s.scalars(
        select(Member.muted_until).where(Member.user_id == str(MEMBER_ID)))))
    assert until is None
    assert lifted(await rejoin_and_pass(bot, fake_telegram, ALICE))
