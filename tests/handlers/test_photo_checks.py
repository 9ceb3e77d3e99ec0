"""QR codes in newcomers' photos, through the webhook: the worker downloads the photo from the
(fake) Bot API, decodes it, and the ad filter acts as on a text ad; failed downloads are
recorded and retried a bounded number of times without holding up other photos. A photo a
member posts as a channel is checked too, and its QR ad is the channel's (deleted, warned,
then the channel banned)."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from datetime import UTC, datetime

import segno
from PIL import Image, ImageDraw
from sqlalchemy import select

from bot.db.models import Group, Member
from bot.media.photo_checks import PhotoChecks
from handlers.moderation_store import ModerationDecision, PhotoCheck
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
from tests.fakes.telegram_api import Failure
from tests.harness import BotHarness, eventually

ALICE = user(MEMBER_ID, "Alice", username="alice")
PROMO = channel(title="Promo Deals", username="promo_deals")
BOB = user(333, "Bob", username="bob")
OPERATOR = user(OPERATOR_ID, "Op")
WECHAT_AD = "https://u.wechat.com/EFxYz123abc"


def qr_photo(text: str) -> bytes:
    """A JPEG photo of a QR code on a white card, as a phone camera roll would hold it."""
    png = io.BytesIO()
    segno.make(text, error="m").save(png, kind="png", scale=10, border=4)
    image = Image.open(io.BytesIO(png.getvalue())).convert("RGB")
    canvas = Image.new("RGB", (image.width + 200, image.height + 300), (250, 248, 240))
    canvas.paste(image, (100, 150))
    ImageDraw.Draw(canvas).text((100, 40), "扫码加好友 领福利", fill=(200, 30, 30))
    out = io.BytesIO()
    canvas.save(out, format="JPEG", quality=90)
    return out.getvalue()


def plain_photo() -> bytes:
    """A photo without any code: a sunset-coloured gradient with a few shapes."""
    image = Image.new("RGB", (640, 480))
    draw = ImageDraw.Draw(image)
    for y in range(480):
        draw.line([(0, y), (640, y)], fill=(255, 120 + y // 6, 60))
    draw.ellipse((260, 120, 380, 240), fill=(255, 230, 120))
    draw.rectangle((0, 380, 640, 480), fill=(30, 60, 90))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def photo_sizes(file_id: str) -> list[dict]:
    return [
        {"file_id": f"{file_id}-thumb", "file_unique_id": "t", "width": 90, "height": 90},
        {"file_id": file_id, "file_unique_id": "b", "width": 800, "height": 800},
    ]


def photo_update(sender: dict, file_id: str, caption: str | None = "大家好，刚进群 🙂") -> dict:
    extra = {"caption": caption} if caption else {}
    return make_message_update(None, sender=sender, photo=photo_sizes(file_id), **extra)


def channel_photo_update(
    file_id: str, sender_chat: dict = PROMO, caption: str | None = "今日分享 🙂"
) -> dict:
    """A photo a member posted as `sender_chat`: sent by Telegram's Channel_Bot placeholder."""
    extra = {"caption": caption} if caption else {}
    return make_channel_message_update(
        None, sender_chat=sender_chat, photo=photo_sizes(file_id), **extra
    )


async def checks(bot) -> list[PhotoCheck]:
    query = select(PhotoCheck).order_by(PhotoCheck.id)
    return await bot.run_sync(lambda s: list(s.scalars(query)))


async def decisions(bot) -> list[ModerationDecision]:
    query = select(ModerationDecision).order_by(ModerationDecision.id)
    return await bot.run_sync(lambda s: list(s.scalars(query)))


async def checks_finished(bot, photos: int = 1) -> bool:
    """At least `photos` photos queued, every one done or given up, and everything that
    followed performed (a photo whose update is not processed yet has no row to wait on)."""
    rows = await checks(bot)
    return (
        len(rows) >= photos
        and all(r.status in ("done", "failed") for r in rows)
        and await bot.settled()
    )


def group_texts(fake_telegram) -> list[str]:
    return [b["text"] for b in fake_telegram.called("sendMessage") if b["chat_id"] < 0]


async def test_a_newcomers_qr_code_ad_photo_is_deleted_and_warned(bot, fake_telegram):
    fake_telegram.add_file("qr-ad", qr_photo(WECHAT_AD))
    update = photo_update(ALICE, "qr-ad")
    await bot.post_update(update)
    (deleted,) = await fake_telegram.wait_for("deleteMessage")
    await eventually(lambda: checks_finished(bot))
    assert deleted["message_id"] == update["message"]["message_id"]
    assert fake_telegram.called("getFile") == [{"file_id": "qr-ad"}]  # the largest size
    (warning,) = group_texts(fake_telegram)
    assert "@alice" in warning and "广告" in warning
    (decision,) = await decisions(bot)
    assert (decision.action, decision.source, decision.shadow) == ("delete", "filter", False)
    assert decision.message_id == str(update["message"]["message_id"])
    (qr,) = [v for v in decision.verdicts if v["spam"]]
    assert qr["name"] == "qr_code" and WECHAT_AD in qr["details"]
    (check,) = await checks(bot)
    assert (check.status, check.attempts, check.codes) == ("done", 1, [WECHAT_AD])


async def test_a_second_qr_ad_climbs_the_same_ladder_as_text_ads(bot, fake_telegram):
    await bot.post_update(make_message_update("加我微信 abc123 领取福利，名额有限", sender=ALICE))
    await fake_telegram.wait_for("deleteMessage")
    fake_telegram.add_file("qr-ad", qr_photo(WECHAT_AD))
    await bot.post_update(photo_update(ALICE, "qr-ad", caption=None))
    (mute,) = await fake_telegram.wait_for("restrictChatMember")
    await eventually(lambda: checks_finished(bot))
    assert mute["user_id"] == MEMBER_ID
    assert [d.action for d in await decisions(bot)] == ["delete", "mute"]


async def test_normal_photos_and_harmless_codes_are_untouched(bot, fake_telegram):
    fake_telegram.add_file("sunset", plain_photo())
    fake_telegram.add_file("menu", qr_photo("Table 12 - thanks for dining with us"))
    await bot.post_update(photo_update(ALICE, "sunset"))
    await bot.post_update(photo_update(BOB, "menu"))
    await eventually(lambda: checks_finished(bot, photos=2))
    assert len(fake_telegram.called("file")) == 2
    assert fake_telegram.called("deleteMessage") == []
    assert await decisions(bot) == []
    sunset, menu = await checks(bot)
    assert (sunset.status, sunset.codes) == ("done", [])
    assert (menu.status, menu.codes) == ("done", ["Table 12 - thanks for dining with us"])


async def test_shadow_mode_records_a_qr_ad_and_does_nothing(bot, fake_telegram):
    await bot.post_update(make_message_update("/filter shadow on", sender=OPERATOR))
    await fake_telegram.wait_for("sendMessage")
    fake_telegram.add_file("qr-ad", qr_photo(WECHAT_AD))
    await bot.post_update(photo_update(ALICE, "qr-ad"))
    await eventually(lambda: checks_finished(bot))
    assert fake_telegram.called("deleteMessage") == []
    assert len(fake_telegram.called("sendMessage")) == 1
    (decision,) = await decisions(bot)
    assert (decision.shadow, decision.source) == (True, "filter")


async def test_a_failed_download_is_retried_and_recorded(bot, fake_telegram):
    fake_telegram.add_file("qr-ad", qr_photo(WECHAT_AD))
    fake_telegram.fail_next("file", Failure(502, "Bad Gateway"), times=2)
    await bot.post_update(photo_update(ALICE, "qr-ad"))
    await fake_telegram.wait_for("deleteMessage")
    await eventually(lambda: checks_finished(bot))
    (check,) = await checks(bot)
    assert (check.status, check.attempts) == ("done", 3)
    assert len(fake_telegram.called("file")) == 3


async def test_downloads_that_keep_failing_stop_after_three_attempts(bot, fake_telegram):
    fake_telegram.add_file("broken", qr_photo(WECHAT_AD))
    fake_telegram.fail_next("file:broken", Failure(500, "Internal Server Error"), times=10)
    await bot.post_update(photo_update(ALICE, "broken"))
    await eventually(lambda: checks_finished(bot))
    (check,) = await checks(bot)
    assert (check.status, check.attempts) == ("failed", 3)
    assert check.error == "file download: HTTP 500"
    assert len(fake_telegram.called("file")) == 3
    assert fake_telegram.called("deleteMessage") == []


async def test_a_photo_that_is_gone_fails_at_once(bot, fake_telegram):
    await bot.post_update(photo_update(ALICE, "never-uploaded"))
    await eventually(lambda: checks_finished(bot))
    (check,) = await checks(bot)
    assert (check.status, check.attempts) == ("failed", 1)
    assert check.error == "getFile: Bad Request: invalid file_id"


async def test_a_photo_over_the_size_cap_is_not_downloaded(make_settings, fake_telegram):
    bot = await BotHarness(make_settings(photo_max_bytes=2000)).start()  # QUNBOT_PHOTO_MAX_BYTES
    try:
        fake_telegram.add_file("huge", qr_photo(WECHAT_AD))
        await bot.post_update(photo_update(ALICE, "huge"))
        await eventually(lambda: checks_finished(bot))
        (check,) = await checks(bot)
        assert check.status == "failed" and check.error.startswith("getFile: ")
        assert "over 2000" in check.error
        assert fake_telegram.called("file") == []
    finally:
        await bot.close()


async def test_a_stalled_download_never_holds_up_the_next_photo(bot, fake_telegram):
    worker = bot.runtime.photo_checks
    worker.limits = replace(worker.limits, time_limit=0.3, max_attempts=2)
    fake_telegram.add_file("stalled", qr_photo(WECHAT_AD))
    fake_telegram.file_delays["stalled"] = 30
    fake_telegram.add_file("qr-ad", qr_photo(WECHAT_AD))
    await bot.post_update(photo_update(ALICE, "stalled"))
    second = photo_update(BOB, "qr-ad")
    await bot.post_update(second)
    (deleted,) = await fake_telegram.wait_for("deleteMessage", timeout=5)
    assert deleted["message_id"] == second["message"]["message_id"]
    await eventually(lambda: checks_finished(bot, photos=2))
    stalled, done = await checks(bot)
    assert (stalled.status, stalled.attempts) == ("failed", 2)
    assert stalled.error.startswith("file download: timeout")
    assert done.status == "done"


async def test_the_token_never_reaches_the_logs(bot, fake_telegram, caplog):
    fake_telegram.add_file("broken", qr_photo(WECHAT_AD))
    fake_telegram.fail_next("file:broken", Failure(500, "Internal Server Error"), times=10)
    await bot.post_update(photo_update(ALICE, "broken"))
    await eventually(lambda: checks_finished(bot))
    # The records as logged, before the redacting formatter: nothing to redact in them.
    assert "photo_check.download_failed" in caplog.text
    assert fake_telegram.token not in caplog.text and "/file/bot" not in caplog.text


async def queue_crashed_check(bot, file_id: str) -> None:
    """A photo the previous process claimed and never finished (it died mid-download)."""

    def work(session):
        group = Group(platform="telegram", chat_id=str(GROUP_ID), chat_type="supergroup")
        session.add(group)
        session.flush()
        session.add(Member(group_id=group.id, user_id=str(MEMBER_ID), username="alice", tags=[]))
        session.add(
            PhotoCheck(
                group_id=group.id,
                user_id=str(MEMBER_ID),
                message_id="4242",
                file_id=file_id,
                status="checking",
                attempts=1,
                claimed_at=datetime.now(UTC),
                at=datetime.now(UTC),
            )
        )

    await bot.run_sync(work)


async def test_a_check_interrupted_by_a_restart_is_finished_once(bot, fake_telegram):
    await bot.stop()
    fake_telegram.add_file("qr-ad", qr_photo(WECHAT_AD))
    await queue_crashed_check(bot, "qr-ad")
    await bot.start()
    (deleted,) = await fake_telegram.wait_for("deleteMessage")
    await eventually(lambda: checks_finished(bot))
    assert deleted["message_id"] == 4242
    (check,) = await checks(bot)
    assert (check.status, check.attempts) == ("done", 2)
    assert len(await decisions(bot)) == 1


async def test_competing_workers_check_a_photo_once(bot, fake_telegram):
    fake_telegram.add_file("qr-ad", qr_photo(WECHAT_AD))
    runtime = bot.runtime
    rivals = [
        PhotoChecks(runtime.sessions, runtime.platforms, runtime.dispatcher, 0.05) for _ in range(2)
    ]
    await bot.post_update(photo_update(ALICE, "qr-ad"))
    # The app's own worker races these two for the row.
    while not await checks(bot):
        await asyncio.sleep(0.01)
    await asyncio.gather(*(rival.run_once() for rival in rivals))
    await eventually(lambda: checks_finished(bot))
    assert len(fake_telegram.called("file")) == 1
    assert len(fake_telegram.called("deleteMessage")) == 1
    assert len(await decisions(bot)) == 1


async def test_an_edited_caption_does_not_queue_the_photo_again(bot, fake_telegram):
    fake_telegram.add_file("sunset", plain_photo())
    fake_telegram.add_file("qr-ad", qr_photo(WECHAT_AD))
    update = photo_update(ALICE, "sunset")
    await bot.post_update(update)
    await eventually(lambda: checks_finished(bot))
    edited = {
        **update["message"],
        "caption": "大家好，刚进群 🙂 周末愉快",
        "edit_date": update["message"]["date"],
    }
    await bot.post_update(make_update("edited_message", edited))
    # Replacing the photo itself is a new photo to check.
    swapped = {**edited, "photo": [{"file_id": "qr-ad", "width": 800, "height": 800}]}
    await bot.post_update(make_update("edited_message", swapped))
    (deleted,) = await fake_telegram.wait_for("deleteMessage")
    await eventually(lambda: checks_finished(bot))
    assert deleted["message_id"] == update["message"]["message_id"]
    assert [c.file_id for c in await checks(bot)] == ["sunset", "qr-ad"]
    assert fake_telegram.called("getFile") == [{"file_id": "sunset"}, {"file_id": "qr-ad"}]


# ---- photos posted as a channel ------------------------------------------------------------


def no_member_punished(fake_telegram) -> bool:
    """Neither Telegram's placeholder account nor anyone else was muted or banned, nor told."""
    private = [b for b in fake_telegram.called("sendMessage") if b["chat_id"] > 0]
    return not (
        fake_telegram.called("restrictChatMember")
        or fake_telegram.called("banChatMember")
        or private
    )


async def test_a_channels_qr_code_photo_is_deleted_then_the_channel_banned(bot, fake_telegram):
    fake_telegram.add_file("qr-ad", qr_photo(WECHAT_AD))
    first = channel_photo_update("qr-ad")
    await bot.post_update(first)
    (removed,) = await fake_telegram.wait_for("deleteMessage")
    await eventually(lambda: checks_finished(bot))
    assert removed["message_id"] == first["message"]["message_id"]
    (warning,) = group_texts(fake_telegram)
    assert "@promo_deals" in warning and "频道" in warning
    assert fake_telegram.called("banChatSenderChat") == []
    fake_telegram.add_file("qr-ad-2", qr_photo(WECHAT_AD + "2"))
    second = channel_photo_update("qr-ad-2", caption=None)
    await bot.post_update(second)
    (ban,) = await fake_telegram.wait_for("banChatSenderChat")
    await eventually(lambda: checks_finished(bot, photos=2))
    assert ban == {"chat_id": GROUP_ID, "sender_chat_id": CHANNEL_ID}
    assert [b["message_id"] for b in fake_telegram.called("deleteMessage")] == [
        first["message"]["message_id"],
        second["message"]["message_id"],
    ]
    assert no_member_punished(fake_telegram)
    stored = await decisions(bot)
    assert [(d.user_id, d.user_name, d.action, d.source) for d in stored] == [
        (str(CHANNEL_ID), "@promo_deals", "delete", "filter"),
        (str(CHANNEL_ID), "@promo_deals", "ban_chat", "filter"),
    ]
    assert all("qr_code" in {v["name"] for v in d.verdicts if v["spam"]} for d in stored)


async def test_a_channels_photo_is_queued_with_the_channel_and_a_plain_one_left_alone(
    bot, fake_telegram
):
    fake_telegram.add_file("sunset", plain_photo())
    await bot.post_update(channel_photo_update("sunset"))
    await eventually(lambda: checks_finished(bot))
    assert fake_telegram.called("getFile") == [{"file_id": "sunset"}]
    assert fake_telegram.called("deleteMessage") == []
    assert await decisions(bot) == []
    (check,) = await checks(bot)
    assert (check.user_id, check.status, check.codes) == (str(CHANNEL_BOT["id"]), "done", [])
    assert (check.channel_id, check.channel_title, check.channel_username) == (
        str(CHANNEL_ID),
        "Promo Deals",
        "promo_deals",
    )


async def test_anonymous_admins_and_linked_channel_photos_pass_and_a_channels_does_not(
    bot, fake_telegram
):
    fake_telegram.add_file("qr-ad", qr_photo(WECHAT_AD))
    sizes = photo_sizes("qr-ad")
    # An anonymous admin posts as the group itself; the linked channel's posts are forwarded
    # in automatically by Telegram's service account. Both are the owners' own.
    announcement = message(None, sender=ANONYMOUS_ADMIN, sender_chat=chat(), photo=sizes)
    ours = channel(-100999, "Our Channel", username="our_channel")
    service = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
    forwarded = message(
        None,
        sender=service,
        sender_chat=ours,
        photo=sizes,
        is_automatic_forward=True,
        forward_origin={"type": "channel", "chat": ours, "message_id": 7, "date": 1},
    )
    await bot.post_update(make_update("message", announcement))
    await bot.post_update(make_update("message", forwarded))
    post = channel_photo_update("qr-ad")
    await bot.post_update(post)
    (removed,) = await fake_telegram.wait_for("deleteMessage")
    await eventually(lambda: checks_finished(bot))
    assert removed["message_id"] == post["message"]["message_id"]
    assert len(fake_telegram.called("deleteMessage")) == 1
    assert [c.channel_id for c in await checks(bot)] == [str(CHANNEL_ID)]
    assert [d.user_id for d in await decisions(bot)] == [str(CHANNEL_ID)]


async def queue_channel_checks(bot, *checks: dict, adfilter: dict | None = None) -> None:
    """Photos a previous process queued for channels and never finished (it stopped)."""

    def work(session):
        group = Group(
            platform="telegram",
            chat_id=str(GROUP_ID),
            chat_type="supergroup",
            settings={"adfilter": adfilter or {}},
        )
        session.add(group)
        session.flush()
        session.add(
            Member(
                group_id=group.id,
                user_id=str(CHANNEL_BOT["id"]),
                display_name="Channel",
                username="Channel_Bot",
                is_bot=True,
                tags=[],
            )
        )
        for fields in checks:
            session.add(
                PhotoCheck(
                    group_id=group.id,
                    user_id=str(CHANNEL_BOT["id"]),
                    at=datetime.now(UTC),
                    **fields,
                )
            )

    await bot.run_sync(work)


async def test_a_channels_check_interrupted_by_a_restart_bans_the_channel(bot, fake_telegram):
    await bot.stop()
    fake_telegram.add_file("qr-ad", qr_photo(WECHAT_AD))
    await queue_channel_checks(
        bot,
        dict(
            message_id="4242",
            file_id="qr-ad",
            status="checking",
            attempts=1,
            claimed_at=datetime.now(UTC),
            channel_id=str(CHANNEL_ID),
            channel_title="Promo Deals",
            channel_username="promo_deals",
        ),
        adfilter={"ladder": ["ban"]},
    )
    await bot.start()
    (ban,) = await fake_telegram.wait_for("banChatSenderChat")
    await eventually(lambda: checks_finished(bot))
    assert ban == {"chat_id": GROUP_ID, "sender_chat_id": CHANNEL_ID}
    assert [b["message_id"] for b in fake_telegram.called("deleteMessage")] == [4242]
    (warning,) = group_texts(fake_telegram)
    assert "@promo_deals" in warning
    assert no_member_punished(fake_telegram)
    (decision,) = await decisions(bot)
    assert (decision.user_id, decision.action) == (str(CHANNEL_ID), "ban_chat")
    (check,) = await checks(bot)
    assert (check.status, check.attempts) == ("done", 2)


async def test_a_channel_allowed_while_its_photo_waited_is_spared(bot, fake_telegram):
    # The gate asked before queueing; the operators may have allowed the channel since.
    await bot.stop()
    fake_telegram.add_file("qr-ad", qr_photo(WECHAT_AD))
    queued = dict(file_id="qr-ad", status="pending", channel_title="News")
    await queue_channel_checks(
        bot,
        dict(queued, message_id="4242", channel_id=str(CHANNEL_ID)),
        dict(queued, message_id="4243", channel_id="-100321"),
        adfilter={"allowed_users": [str(CHANNEL_ID)]},
    )
    await bot.start()
    await fake_telegram.wait_for("deleteMessage")
    await eventually(lambda: checks_finished(bot, photos=2))
    assert [b["message_id"] for b in fake_telegram.called("deleteMessage")] == [4243]
    (warning,) = group_texts(fake_telegram)
    assert "News" in warning  # a channel without a username is named by its title
    assert [d.user_id for d in await decisions(bot)] == ["-100321"]


async def test_a_qr_code_ad_sent_as_a_file_is_checked_like_a_photo(bot, fake_telegram):
    # Sent uncompressed ("as a file"), a picture arrives as a document, not a photo, and a
    # newcomer's QR-code ad passed unchecked; other files are no pictures and are left alone.
    fake_telegram.add_file("qr-file", qr_photo(WECHAT_AD))
    picture = {"file_id": "qr-file", "file_unique_id": "q", "file_name": "IMG_0412.jpg",
               "mime_type": "image/jpeg", "file_size": 48213}
    update = make_message_update(None, sender=ALICE, document=picture)
    manual = {"file_id": "pdf", "file_unique_id": "p", "file_name": "manual.pdf",
              "mime_type": "application/pdf"}
    await bot.post_update(make_message_update(None, sender=BOB, document=manual))
    await bot.post_update(update)
    (deleted,) = await fake_telegram.wait_for("deleteMessage")
    await eventually(lambda: checks_finished(bot))
    assert deleted["message_id"] == update["message"]["message_id"]
    assert fake_telegram.called("getFile") == [{"file_id": "qr-file"}]
    (decision,) = await decisions(bot)
    assert [v["name"] for v in decision.verdicts if v["spam"]] == ["qr_code"]


async def test_an_album_of_qr_code_ads_is_one_offence_removed_whole(bot, fake_telegram):
    # Each photo of an album is a message of its own, checked on its own: a newcomer's album
    # of three QR-code photos was three offences, deleted, then muted, then banned for one post.
    for n in (1, 2, 3):
        fake_telegram.add_file(f"qr-{n}", qr_photo(WECHAT_AD))
    album = [
        message(None, sender=ALICE, media_group_id="8642", photo=photo_sizes(f"qr-{n}"))
        for n in (1, 2, 3)
    ]
    for part in album:
        await bot.post_update(make_update("message", part))
    await fake_telegram.wait_for("deleteMessage", 3)
    # A photo arriving after another one's ad was found goes as the rest of a removed album,
    # never queued: two checks or three, as the worker's pace falls.
    await eventually(lambda: checks_finished(bot, photos=1))
    deleted = {b["message_id"] for b in fake_telegram.called("deleteMessage")}
    assert deleted == {part["message_id"] for part in album}
    assert [d.action for d in await decisions(bot)] == ["delete"]
    assert fake_telegram.called("restrictChatMember") == []
    assert fake_telegram.called("banChatMember") == []
    assert len(group_texts(fake_telegram)) == 1
