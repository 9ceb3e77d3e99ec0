"""Red packet buttons pressed by people the bot has not seen in the group, through the webhook:
in a group the bot joined late, members who have said nothing since are confirmed with the
(fake) platform's getChatMember and paid, shown on the round's message; strangers who can see a
public group's buttons are not, and nothing is posted for them."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from sqlalchemy import insert

import handlers.membership_store
from bot.db.engine import create_engine
from bot.db.models import Group, Member, utcnow
from bot.retention import Pruner
from handlers.membership_store import EXPIRY, MembershipCheck
from handlers.points_store import PointsEntry
from handlers.redpacket import RedPacketClaim
from tests.conftest import PG_URL
from tests.factories import (
    GROUP_ID,
    OPERATOR_ID,
    make_callback_update,
    make_left_update,
    make_message_update,
    user,
)
from tests.fakes.telegram_api import BOT_ID, Failure
from tests.handlers.checkin_points_support import quiet, round_shows, rows
from tests.harness import eventually

OPERATOR = user(OPERATOR_ID, "Op")
BOB = user(333, "Bob")  # in the group since before the bot, silent since
EVE = user(666, "Eve")  # not in the group: she found its public link
DAVE = user(555, "Dave")
CHECKING = ("Checking that you are a member of this group. If you get a share, it will "
            "show on the red packet's message shortly.")
NOT_MEMBER = "Only members of this group can grab a share."
UNCHECKED = ("Only members of this group can grab a share. Already in it? Say something or "
             "check in in the group first, then try again.")


def in_group(fake_telegram, person: dict, status: str = "member", **extra) -> None:
    """What getChatMember answers for `person` in the group."""
    fake_telegram.chat_members[GROUP_ID, person["id"]] = {"status": status, "user": person,
                                                          **extra}


async def open_packet(bot, fake_telegram, args: str, opened: int = 1) -> str:
    """Open a red packet in English; the callback data of the `opened`-th packet's button."""
    await bot.post_update(make_message_update("/settings language en", sender=OPERATOR))
    await bot.post_update(make_message_update(f"/redpacket {args}", sender=OPERATOR))

    async def packets():
        sent = fake_telegram.called("sendMessage")
        found = [b for b in sent if b["text"].startswith("🧧 A red packet")]
        return found if len(found) >= opened else None

    body = (await eventually(packets))[opened - 1]
    return body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]


async def checks_done(bot) -> list[MembershipCheck]:
    """Every membership check, once none waits for the platform and the bot is quiet."""

    async def done():
        found = await rows(bot, MembershipCheck)
        return found if all(c.status in ("done", "failed") for c in found) else None

    found = await eventually(done)
    await quiet(bot)
    return found


async def press(bot, fake_telegram, data: str, presser: dict) -> dict:
    """Press the button; the bot's answer to this press (answerCallbackQuery's body)."""
    update = make_callback_update(data, sender=presser)
    await bot.post_update(update)

    async def answered():
        calls = fake_telegram.called("answerCallbackQuery")
        return next((c for c in calls if c["callback_query_id"] == update["callback_query"]["id"]),
                    None)

    return await eventually(answered)


def asked_about(fake_telegram) -> list[int]:
    """Whom the bot asked getChatMember about in the group (its own rights aside)."""
    calls = fake_telegram.called("getChatMember")
    return [c["user_id"] for c in calls if c["chat_id"] == GROUP_ID and c["user_id"] != BOT_ID]


async def own_rights_read(fake_telegram) -> bool:
    return any(c["user_id"] == BOT_ID for c in fake_telegram.called("getChatMember"))


def sent_after_packets(fake_telegram) -> list[str]:
    """Texts the bot posted after the operator's setup (language reply, first packet)."""
    return [b["text"] for b in fake_telegram.called("sendMessage")[2:]]


async def test_a_silent_member_from_before_the_bot_is_confirmed_and_paid(bot, fake_telegram):
    in_group(fake_telegram, BOB)
    data = await open_packet(bot, fake_telegram, "10 1 1")
    update = make_callback_update(data, sender=BOB)
    await bot.post_update(update)
    (answer,) = await fake_telegram.wait_for("answerCallbackQuery")
    assert (answer["text"], answer["show_alert"]) == (CHECKING, True)
    (check,) = await checks_done(bot)
    assert (check.status, check.member_status, check.attempts) == ("done", "member", 1)
    assert asked_about(fake_telegram) == [BOB["id"]]
    # Shown on the red packet's message: the press was answered already.
    assert "· Bob +10" in await round_shows(bot, fake_telegram, 0, "Claimed 1/1:")
    assert sent_after_packets(fake_telegram) == [
        "🧧 The red packet is all claimed! Luckiest: Bob (10 points)",
    ]
    assert [(c.user_id, c.amount) for c in await rows(bot, RedPacketClaim)] == [("333", 10)]
    (entry,) = await rows(bot, PointsEntry, PointsEntry.reason == "redpacket")
    assert (entry.user_id, entry.delta) == ("333", 10)
    (member,) = await rows(bot, Member, Member.user_id == "333")
    assert member.confirmed_at is not None
    # Confirmed once, Bob grabs the next packet at once, without asking the platform again.
    data = await open_packet(bot, fake_telegram, "6 1 1", opened=2)
    assert (await press(bot, fake_telegram, data, BOB))["text"] == "You grabbed 6 points!"
    assert len(asked_about(fake_telegram)) == 1


async def test_a_share_grabbed_today_counts_today_however_old_its_button(bot, fake_telegram):
    # Regression: a press was dated by its button's message, so a member confirmed and paid
    # for a red packet posted ten days ago was paid ten days ago, and missed `/top week`.
    in_group(fake_telegram, BOB)
    data = await open_packet(bot, fake_telegram, "10 1 1")
    ten_days_ago = int(time.time()) - 10 * 86400
    await bot.post_update(make_callback_update(data, sender=BOB, posted=ten_days_ago))
    await checks_done(bot)
    await bot.post_update(make_message_update("/top week", sender=OPERATOR))
    await eventually(lambda: asyncio.sleep(0, len(fake_telegram.called("sendMessage")) >= 4))
    await quiet(bot)
    assert fake_telegram.called("sendMessage")[-1]["text"] == (
        "Leaderboard (this week):\n1. Bob — 10")
    (paid,) = await rows(bot, PointsEntry, PointsEntry.reason == "redpacket")
    assert paid.at.timestamp() > time.time() - 60


@pytest.mark.parametrize(
    ("status", "extra"), [("left", {}), ("kicked", {}), ("restricted", {"is_member": False})]
)
async def test_a_stranger_is_asked_about_once_and_nothing_is_posted(
    bot, fake_telegram, status, extra
):
    in_group(fake_telegram, EVE, status, **extra)
    await bot.post_update(make_message_update("大家好", sender=DAVE))
    data = await open_packet(bot, fake_telegram, "10 1 1")
    assert (await press(bot, fake_telegram, data, EVE))["text"] == CHECKING
    (check,) = await checks_done(bot)
    assert check.member_status == ("left" if status == "restricted" else status)
    assert sent_after_packets(fake_telegram) == []
    assert await rows(bot, RedPacketClaim) == []
    (eve,) = await rows(bot, Member, Member.user_id == "666")
    assert (eve.status, eve.confirmed_at) == ("left" if status == "restricted" else status, None)
    # Pressing again gets the refusal, without asking the platform a second time.
    assert (await press(bot, fake_telegram, data, EVE))["text"] == NOT_MEMBER
    assert len(asked_about(fake_telegram)) == 1
    # The share is still there for a member.
    assert (await press(bot, fake_telegram, data, DAVE))["text"] == "You grabbed 10 points!"


async def test_a_member_seen_leaving_who_is_back_unseen_is_paid(bot, fake_telegram):
    # Dave left while the bot watched, then came back through a way it did not see.
    await bot.post_update(make_message_update("大家好", sender=DAVE))
    await bot.post_update(make_left_update(DAVE))
    in_group(fake_telegram, DAVE)
    data = await open_packet(bot, fake_telegram, "10 1 1")
    assert (await press(bot, fake_telegram, data, DAVE))["text"] == CHECKING
    await checks_done(bot)
    assert "· Dave +10" in await round_shows(bot, fake_telegram, 0, "Claimed 1/1:")
    (dave,) = await rows(bot, Member, Member.user_id == "555")
    assert dave.status == "member"


async def test_a_check_the_platform_fails_is_retried_or_given_up(bot, fake_telegram):
    in_group(fake_telegram, BOB)
    data = await open_packet(bot, fake_telegram, "10 2 1")
    # The group's first sync asks about the bot's own rights: the failure is for Bob's check.
    await eventually(lambda: own_rights_read(fake_telegram))
    fake_telegram.fail_next("getChatMember", Failure(502, "Bad Gateway"))
    assert (await press(bot, fake_telegram, data, BOB))["text"] == CHECKING
    (check,) = await checks_done(bot)
    assert (check.status, check.attempts) == ("done", 2)
    assert "· Bob +" in await round_shows(bot, fake_telegram, 0, "Claimed 1/2:")
    # A refusal that no retry can mend ends the check; the presser is told the old way.
    fake_telegram.fail_next("getChatMember", Failure(400, "Bad Request: user not found"))
    assert (await press(bot, fake_telegram, data, EVE))["text"] == CHECKING
    _, check = await checks_done(bot)
    assert (check.status, check.attempts) == ("failed", 1)
    assert check.error == "getChatMember: Bad Request: user not found"
    assert len(await rows(bot, RedPacketClaim)) == 1
    assert (await press(bot, fake_telegram, data, EVE))["text"] == UNCHECKED


async def test_a_check_interrupted_by_a_restart_is_finished_once(bot, fake_telegram):
    in_group(fake_telegram, BOB)
    data = await open_packet(bot, fake_telegram, "10 1 1")
    gate = fake_telegram.hold("getChatMember")
    assert (await press(bot, fake_telegram, data, BOB))["text"] == CHECKING

    async def claimed():
        (check,) = await rows(bot, MembershipCheck)
        return check.status == "checking"

    await eventually(claimed)
    await bot.stop()  # dies waiting for the platform's answer
    gate.set()
    await bot.start()
    (check,) = await checks_done(bot)
    assert (check.status, check.attempts) == ("done", 2)
    assert [(c.user_id, c.amount) for c in await rows(bot, RedPacketClaim)] == [("333", 10)]
    assert "· Bob +10" in await round_shows(bot, fake_telegram, 0, "Claimed 1/1:")
    finished = "🧧 The red packet is all claimed! Luckiest: Bob (10 points)"
    assert sent_after_packets(fake_telegram).count(finished) == 1


async def test_a_crowd_of_strangers_cannot_queue_checks_without_end(
    bot, fake_telegram, monkeypatch
):
    monkeypatch.setattr(handlers.membership_store, "MAX_OPEN_PER_GROUP", 2)
    data = await open_packet(bot, fake_telegram, "10 1 1")
    gate = fake_telegram.hold("getChatMember")  # the platform is slow to answer
    strangers = [user(900 + n, f"Visitor {n}") for n in range(3)]
    for stranger in strangers:
        in_group(fake_telegram, stranger, "left")
    answers = [(await press(bot, fake_telegram, data, s))["text"] for s in strangers]
    assert answers == [CHECKING, CHECKING, UNCHECKED]
    gate.set()
    assert [c.user_id for c in await checks_done(bot)] == ["900", "901"]
    assert sent_after_packets(fake_telegram) == []


async def test_answered_checks_are_pruned_after_a_month_and_waiting_ones_kept(
    bot, fake_telegram
):
    in_group(fake_telegram, EVE, "left")
    data = await open_packet(bot, fake_telegram, "10 1 1")
    await press(bot, fake_telegram, data, EVE)
    await checks_done(bot)
    gate = fake_telegram.hold("getChatMember")
    in_group(fake_telegram, BOB)
    await press(bot, fake_telegram, data, BOB)
    month_on = Pruner(bot.sessions, [EXPIRY], clock=lambda: utcnow() + timedelta(days=31))
    assert await month_on.run_once() == 1
    assert [c.user_id for c in await rows(bot, MembershipCheck)] == ["333"]
    gate.set()


@pytest.mark.skipif(not PG_URL, reason="row locks: SQLite runs one writer at a time anyway")
async def test_a_press_racing_another_replicas_check_of_it_shares_that_check(bot, fake_telegram):
    # Another replica is storing the check of this very press (a redelivery, or a second tap
    # handled there): this one waits on the unique key, then answers from the stored check.
    in_group(fake_telegram, BOB)
    data = await open_packet(bot, fake_telegram, "10 1 1")
    (group,) = await rows(bot, Group)
    engine = create_engine(PG_URL)
    try:
        async with engine.connect() as replica:
            storing = await replica.begin()
            await replica.execute(insert(MembershipCheck).values(
                group_id=group.id, user_id="333", message_id=None, callback_data=data,
                status="pending", attempts=0, at=utcnow()))
            answered = asyncio.ensure_future(press(bot, fake_telegram, data, BOB))
            await asyncio.sleep(0.5)  # the press reaches the unique key meanwhile, and waits
            assert not answered.done()
            await storing.commit()
    finally:
        await engine.dispose()
    assert (await answered)["text"] == CHECKING
    (check,) = await checks_done(bot)
    assert check.member_status == "member"
    assert [(c.user_id, c.amount) for c in await rows(bot, RedPacketClaim)] == [("333", 10)]
