"""A member's message count is their ordinary messages: never commands, never ads removed (an
operator's undo gives one back). It decides who is still inside the ad filter's strict
new-member window, so a newcomer cannot leave it by sending commands or by having ads removed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db.models import Group, Member
from bot.groups.activity import Tally, tally
from handlers.moderation_store import ModerationDecision
from tests.factories import (
    OPERATOR_ID,
    make_callback_update,
    make_message_update,
    user,
)
from tests.fakes.telegram_api import BOT_USERNAME
from tests.handlers.test_photo_checks import WECHAT_AD, photo_update, qr_photo
from tests.harness import eventually

OPERATOR = user(OPERATOR_ID, "Op")
BOB, CAROL, DAVE = user(333, "Bob"), user(444, "Carol"), user(555, "Dave")
AD = "加我微信 abc123 领取福利，名额有限"
PITCH = "周末有空来我店里坐坐"
PROMO = {"id": -100777, "type": "channel", "title": "Promo Deals", "username": "promo_deals"}


def forward_of_a_channel_post(sender: dict) -> dict:
    """What the new-member rules remove and a regular member may post."""
    origin = {"type": "channel", "chat": PROMO, "message_id": 5, "date": 1}
    return make_message_update("今晚的直播回放", sender=sender, forward_origin=origin)


async def post_all(bot, *updates) -> None:
    for update in updates:
        await bot.post_update(update)
    await eventually(bot.settled)


async def count_of(bot, who: dict) -> int:
    query = select(Member.message_count).where(Member.user_id == str(who["id"]))
    return await bot.run_sync(lambda session: session.scalar(query))


async def day_tally(bot) -> Tally:
    now = datetime.now(UTC)
    async with bot.sessions() as session:
        group_id = await session.scalar(select(Group.id))
        return await tally(session, group_id, now - timedelta(days=1), now + timedelta(minutes=1))


def deleted_ids(fake_telegram) -> list[int]:
    return [body["message_id"] for body in fake_telegram.called("deleteMessage")]


async def still_a_newcomer(bot, fake_telegram, who: dict) -> None:
    """`who` is still judged as a newcomer: their forwarded channel post is removed (the only
    removal so far) and their message count is 0."""
    forward = forward_of_a_channel_post(who)
    await bot.post_update(forward)
    await fake_telegram.wait_for("deleteMessage")
    await eventually(bot.settled)
    assert deleted_ids(fake_telegram) == [forward["message"]["message_id"]]
    assert await count_of(bot, who) == 0


async def test_commands_do_not_take_a_newcomer_out_of_the_new_member_window(bot, fake_telegram):
    await fake_telegram.wait_for("getMe")  # the bot knows its @username
    await post_all(
        bot,
        make_message_update("/checkin", sender=BOB),
        make_message_update(f"/me@{BOT_USERNAME}", sender=BOB),
        make_message_update("/help@SomeBot", sender=BOB),
    )
    # No ordinary message yet: still a newcomer, whose forwarded channel post goes.
    await still_a_newcomer(bot, fake_telegram, BOB)


async def test_check_in_words_and_claims_do_not_take_a_newcomer_out_of_the_window(
    bot, fake_telegram
):
    # 签到 and 抢 are commands typed as words, with punctuation or not: a spammer sending them
    # three times has said nothing yet. An operator's own check-in word reads the same.
    await post_all(
        bot,
        make_message_update("/settings checkin.keywords 冒泡", sender=OPERATOR),
        make_message_update("签到！", sender=BOB),
        make_message_update("打卡", sender=BOB),
        make_message_update("冒泡", sender=BOB),
        make_message_update("抢！", sender=BOB),
    )
    await still_a_newcomer(bot, fake_telegram, BOB)
    assert await day_tally(bot) == Tally(messages=0, ads_removed=1)


async def test_bare_stickers_and_media_do_not_take_a_newcomer_out_of_the_window(
    bot, fake_telegram
):
    # Three stickers made a spammer an established member, free to forward channel posts.
    sticker = {"file_id": "st-1", "file_unique_id": "u1", "type": "regular", "width": 512,
               "height": 512, "is_animated": False, "is_video": False}
    video = {"file_id": "vid-1", "file_unique_id": "u2", "width": 640, "height": 360,
             "duration": 3}
    await post_all(
        bot,
        make_message_update(None, sender=BOB, sticker=sticker),
        make_message_update(None, sender=BOB, sticker=sticker),
        make_message_update(None, sender=BOB, video=video),
        make_message_update(None, sender=BOB, video=video, caption=" "),
    )
    await still_a_newcomer(bot, fake_telegram, BOB)
    # They are still the group's messages, in the digest's and /stats' figures.
    assert await day_tally(bot) == Tally(messages=4, ads_removed=1)
    await post_all(bot, make_message_update("/stats", sender=OPERATOR))
    stats = fake_telegram.called("sendMessage")[-1]["text"]
    assert "\n发言成员：1 人\n" in stats
    # A caption is words: with one, the video counts.
    await post_all(bot, make_message_update(None, sender=BOB, video=video, caption="周末露营"))
    assert await count_of(bot, BOB) == 1


async def test_ads_removed_do_not_take_a_newcomer_out_of_the_new_member_window(
    bot, fake_telegram
):
    ad = make_message_update(AD, sender=CAROL)
    await bot.post_update(ad)
    await fake_telegram.wait_for("deleteMessage")
    await post_all(
        bot,
        make_message_update("大家好", sender=CAROL),
        make_message_update("请问群公告在哪里看", sender=CAROL),
    )
    # Two ordinary messages of three: still a newcomer, whose forwarded post goes.
    forward = forward_of_a_channel_post(CAROL)
    await bot.post_update(forward)
    await fake_telegram.wait_for("deleteMessage", 2)
    await eventually(bot.settled)
    assert deleted_ids(fake_telegram) == [
        ad["message"]["message_id"],
        forward["message"]["message_id"],
    ]
    assert await count_of(bot, CAROL) == 2


async def test_in_shadow_mode_nothing_is_removed_so_an_ad_counts(bot, fake_telegram):
    await post_all(
        bot,
        make_message_update("/filter shadow on", sender=OPERATOR),
        make_message_update(AD, sender=DAVE),
    )
    assert fake_telegram.called("deleteMessage") == []
    assert await count_of(bot, DAVE) == 1
    assert await day_tally(bot) == Tally(messages=1, ads_removed=0)


async def test_a_photo_found_to_be_an_ad_after_it_was_counted_stops_counting(bot, fake_telegram):
    # A newcomer's photo passes at once; the photo worker then finds a QR-code ad in it.
    fake_telegram.add_file("qr-ad", qr_photo(WECHAT_AD))
    await bot.post_update(photo_update(DAVE, "qr-ad"))
    await fake_telegram.wait_for("deleteMessage", timeout=10)
    await eventually(bot.settled)
    assert await count_of(bot, DAVE) == 0
    assert await day_tally(bot) == Tally(messages=0, ads_removed=1)


async def test_an_undone_ad_decision_counts_the_message_as_the_members_again(
    bot, fake_telegram
):
    # The filter removes an ad before it is counted; an operator's /spam removes a message that
    # was counted as Bob's. Both are undone, one by the warning's button, one by command.
    await bot.post_update(make_message_update(AD, sender=BOB))
    await fake_telegram.wait_for("deleteMessage")
    pitch = make_message_update(PITCH, sender=BOB)
    await post_all(bot, pitch)
    assert await count_of(bot, BOB) == 1
    await bot.post_update(
        make_message_update("/spam", sender=OPERATOR, reply_to_message=pitch["message"])
    )
    await fake_telegram.wait_for("deleteMessage", 2)
    await eventually(bot.settled)
    assert await count_of(bot, BOB) == 0
    assert await day_tally(bot) == Tally(messages=0, ads_removed=2)
    query = select(ModerationDecision.id).order_by(ModerationDecision.id)
    filtered, marked = await bot.run_sync(lambda session: list(session.scalars(query)))
    await post_all(
        bot,
        make_callback_update(f"adf:notspam:{filtered}", sender=OPERATOR),
        make_message_update(f"/undo {marked}", sender=OPERATOR),
    )
    assert await day_tally(bot) == Tally(messages=2, ads_removed=0)
    assert await count_of(bot, BOB) == 2
