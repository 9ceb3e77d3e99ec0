"""An operators' chat upgraded to a supergroup gets a new id: every group sending its review
cards and operator notes there follows it, whether the bot learns of the move from the chat's
own notice or from the platform's answer to a message sent there."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Group
from tests.factories import GROUP_ID, make_callback_update, make_join_request_update, user
from tests.factories import make_migrate_update as migrate
from tests.handlers.entry_support import configure, configure_chat, db, quiet
from tests.handlers.test_screening import APPLICANT, review_card
from tests.harness import eventually

OLD_OPS, NEW_OPS = -4343, -1004343
OTHER_GROUP = -1005550003333
ADMIN = user(888, "GroupAdmin")


async def with_a_basic_operators_chat(bot) -> None:
    """Two groups sending their review cards and notes to one operators' chat, a basic group."""
    ops = {"review_chat_id": str(OLD_OPS)}
    await configure(bot, screening={"mode": "review", **ops},
                    raid={"alert_chat_id": str(OLD_OPS)}, operators=["888"])
    await configure_chat(bot, OTHER_GROUP, "Other group", raid={"alert_chat_id": str(OLD_OPS)})
    await configure_chat(bot, OLD_OPS, "Ops room", operators=["888"])


async def operators_chats(bot) -> dict[str, tuple[str | None, str | None]]:
    def read(session):
        return {
            g.chat_id: ((g.settings.get("screening") or {}).get("review_chat_id"),
                        (g.settings.get("raid") or {}).get("alert_chat_id"))
            for g in session.scalars(select(Group)) if g.chat_id not in (str(OLD_OPS),
                                                                          str(NEW_OPS))
        }

    return await db(bot, read)


def sent_to(fake_telegram, chat_id: int) -> list[dict]:
    return [m for m in fake_telegram.called("sendMessage") if m["chat_id"] == chat_id]


async def approve_from(bot, fake_telegram, card: dict, chat_id: int) -> dict:
    approve = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await bot.post_update(make_callback_update(approve, sender=ADMIN, chat_id=chat_id))
    (approved,) = await fake_telegram.wait_for("approveChatJoinRequest", 1)
    return approved


async def test_the_operators_chats_own_upgrade_notice_moves_every_group_sending_there(
    bot, fake_telegram
):
    # Regression: the groups kept the old id, so each card was first refused there, and a
    # press on it in the supergroup was refused as not coming from the group's review chat.
    await with_a_basic_operators_chat(bot)
    fake_telegram.migrated[OLD_OPS] = NEW_OPS
    await bot.post_update(migrate(OLD_OPS, NEW_OPS))
    await quiet(bot)
    assert await operators_chats(bot) == {
        str(GROUP_ID): (str(NEW_OPS), str(NEW_OPS)),
        str(OTHER_GROUP): (None, str(NEW_OPS)),
    }
    await bot.post_update(make_join_request_update(APPLICANT, bio="private answer"))
    card = await review_card(fake_telegram, NEW_OPS)
    assert sent_to(fake_telegram, OLD_OPS) == []
    approved = await approve_from(bot, fake_telegram, card, NEW_OPS)
    assert (approved["chat_id"], approved["user_id"]) == (GROUP_ID, 701)


async def test_a_card_posted_before_the_upgrade_is_decided_from_the_supergroup(
    bot, fake_telegram
):
    # Telegram moves the old chat's messages into the supergroup: presses on them come from
    # the new id.
    await with_a_basic_operators_chat(bot)
    await bot.post_update(make_join_request_update(APPLICANT, bio="private answer"))
    card = await review_card(fake_telegram, OLD_OPS)
    fake_telegram.migrated[OLD_OPS] = NEW_OPS
    await bot.post_update(migrate(OLD_OPS, NEW_OPS))
    approved = await approve_from(bot, fake_telegram, card, NEW_OPS)
    assert (approved["chat_id"], approved["user_id"]) == (GROUP_ID, 701)


async def test_the_platforms_answer_to_a_card_sent_to_the_old_id_moves_the_groups_too(
    bot, fake_telegram
):
    # The bot may never see the chat's notice (it lost it, or the chat's updates are not for
    # it): the platform's "upgraded to a supergroup" answer says the same.
    await with_a_basic_operators_chat(bot)
    fake_telegram.migrated[OLD_OPS] = NEW_OPS
    await bot.post_update(make_join_request_update(APPLICANT, bio="private answer"))
    card = await review_card(fake_telegram, NEW_OPS)
    assert len(sent_to(fake_telegram, OLD_OPS)) == 1  # refused, then sent to the new id

    async def moved():
        chats = await operators_chats(bot)
        return chats if chats[str(OTHER_GROUP)][1] == str(NEW_OPS) else None

    assert await eventually(moved) == {
        str(GROUP_ID): (str(NEW_OPS), str(NEW_OPS)),
        str(OTHER_GROUP): (None, str(NEW_OPS)),
    }
    approved = await approve_from(bot, fake_telegram, card, NEW_OPS)
    assert (approved["chat_id"], approved["user_id"]) == (GROUP_ID, 701)


# ---- the group itself upgraded: its cards name it by the old id ----------------------------

OLD_GROUP, NEW_GROUP = -5151, -1005151


async def card_for_a_basic_group(bot, fake_telegram, review_chat: int | None) -> dict:
    screening = {"mode": "review", "review_chat_id": str(review_chat) if review_chat else None}
    await configure_chat(bot, OLD_GROUP, "Study group", screening=screening, operators=["888"])
    if review_chat:
        await configure_chat(bot, review_chat, "Ops room", operators=["888"])
    await bot.post_update(make_join_request_update(APPLICANT, chat_id=OLD_GROUP, bio="hi"))
    card = await review_card(fake_telegram, review_chat or OLD_GROUP)
    fake_telegram.migrated[OLD_GROUP] = NEW_GROUP
    await bot.post_update(migrate(OLD_GROUP, NEW_GROUP))
    await quiet(bot)
    return card


async def test_a_card_in_a_group_upgraded_since_is_decided_in_the_supergroup(bot, fake_telegram):
    # Regression: the card's buttons name the group by its old id, which no group had any
    # more: the operator's press was refused.
    card = await card_for_a_basic_group(bot, fake_telegram, None)
    approved = await approve_from(bot, fake_telegram, card, NEW_GROUP)
    assert (approved["chat_id"], approved["user_id"]) == (NEW_GROUP, 701)


async def test_a_card_in_the_review_chat_for_a_group_upgraded_since_still_decides_for_it(
    bot, fake_telegram
):
    card = await card_for_a_basic_group(bot, fake_telegram, OTHER_GROUP)
    approved = await approve_from(bot, fake_telegram, card, OTHER_GROUP)
    assert (approved["chat_id"], approved["user_id"]) == (NEW_GROUP, 701)
