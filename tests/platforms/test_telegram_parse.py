"""Telegram updates of every type we subscribe to become the right platform-neutral events."""

from __future__ import annotations

import pytest

from bot.core.actions import (
    AnswerCallback,
    ApproveJoinRequest,
    Ban,
    BanSenderChat,
    DeclineJoinRequest,
    PinMessage,
    Unban,
    UnbanSenderChat,
    UnpinMessage,
    Unrestrict,
)
from bot.core.events import BOT_RIGHTS, ChatType, EventKind
from bot.platforms.base import UnsupportedUpdate
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.platforms.telegram.parse import envelope, parse_update
from bot.platforms.telegram.requests import to_request
from tests.factories import (
    ANONYMOUS_ADMIN,
    CHANNEL_BOT,
    CHANNEL_ID,
    GROUP_ID,
    OPERATOR_ID,
    channel,
    chat,
    make_callback_update,
    make_channel_message_update,
    make_chat_member_update,
    make_join_request_update,
    make_join_update,
    make_left_update,
    make_message_update,
    make_migrate_update,
    make_update,
    message,
    user,
)


def test_text_message():
    event = parse_update(make_message_update("hi there"))
    assert event.kind is EventKind.MESSAGE
    assert event.chat.id == str(GROUP_ID) and event.chat.type is ChatType.SUPERGROUP
    assert event.text == "hi there" and event.command is None
    assert event.at.tzinfo is not None


def test_command_with_bot_mention_and_arguments():
    me = TelegramPlatform(api=None, bot_id="123", bot_username="qunbot_test_bot").me
    event = parse_update(make_message_update("/Settings@QunBot_test_bot language en"), me)
    assert (event.command, event.args) == ("settings", "language en")
    assert parse_update(make_message_update("/settings@other_bot"), me).command is None


def test_service_messages_and_commands_to_any_bot_are_marked():
    me = TelegramPlatform(api=None, bot_id="123", bot_username="qunbot_test_bot").me
    notices = [
        {"pinned_message": message("置顶")},
        {"new_chat_title": "新群名"},
        {"new_chat_photo": [{"file_id": "p", "width": 90, "height": 90}]},
        {"video_chat_started": {}},
        {"boost_added": {"boost_count": 1}},
    ]
    for notice in notices:
        event = parse_update(make_update("message", message(None, **notice)), me)
        assert (event.kind, event.service, event.bot_command) == (EventKind.MESSAGE, True, False)
    posts = [
        make_message_update("hi"),
        make_message_update(None, photo=[{"file_id": "p", "width": 9, "height": 9}], caption="x"),
        make_message_update(None, sticker={"file_id": "s", "type": "regular"}),
        make_message_update(None, poll={"id": "1", "question": "?", "options": []}),
    ]
    for update in posts:
        event = parse_update(update, me)
        assert (event.service, event.bot_command) == (False, False)
    for text in ("/me", "/help@other_bot", "/top@qunbot_test_bot week"):
        event = parse_update(make_message_update(text), me)
        assert (event.service, event.bot_command) == (False, True)
    # A slash in the middle of a text, or no bot_command entity, is no command.
    assert not parse_update(make_message_update("a/b and 1/2"), me).bot_command


def test_events_carry_the_bot_itself_so_handlers_know_a_command_aimed_at_it():
    platform = TelegramPlatform(api=None, bot_id="123")
    bot_account = {"id": 123, "is_bot": True, "first_name": "Qunbot", "username": "qunbot"}
    own = message("welcome!", sender=bot_account)
    reply = platform.parse(make_message_update("/ban", reply_to_message=own))
    assert reply.is_me(reply.replied_sender) and reply.is_me("123")
    assert not reply.is_me("@qunbot")  # the @username is known only once getMe answered
    # ... and until then a command aimed at a bot may be another bot's: left alone.
    assert platform.parse(make_message_update("/ban@qunbot @alice")).command is None
    assert platform.parse(make_message_update("/ban @alice")).command == "ban"
    platform.bot_username = "qunbot"
    assert platform.parse(make_message_update("/ban@qunbot @alice")).command == "ban"
    assert platform.parse(make_message_update("hi")).is_me("@QunBot")
    placeholder = message("buy now", sender=CHANNEL_BOT)
    other = platform.parse(make_message_update("/ban", reply_to_message=placeholder))
    assert not other.is_me(other.replied_sender) and not other.is_me("1234")
    assert parse_update(make_message_update("hi")).me is None
    assert not parse_update(make_message_update("hi")).is_me("123")


def test_urls_are_read_by_utf16_offsets():
    text = "看这里 😀 https://spam.example/x 和 链接"
    start = len("看这里 😀 ".encode("utf-16-le")) // 2
    update = make_message_update(
        text,
        entities=[
            {"type": "url", "offset": start, "length": len("https://spam.example/x")},
            {"type": "text_link", "offset": 0, "length": 3, "url": "https://t.me/+abc"},
        ],
    )
    assert parse_update(update).urls == ("https://spam.example/x", "https://t.me/+abc")


def test_photo_caption_and_forward_from_channel():
    update = make_message_update(
        None,
        caption="限时优惠",
        photo=[{"file_id": "f", "file_unique_id": "u", "width": 90, "height": 90}],
        forward_origin={
            "type": "channel",
            "date": 1,
            "chat": {"id": -1009, "type": "channel", "title": "Ads"},
            "message_id": 3,
        },
    )
    event = parse_update(update)
    assert event.text == "限时优惠" and event.has_photo
    assert event.forwarded_from_chat.id == "-1009"


def test_reply_carries_the_replied_to_member():
    original = message("spam!", sender=user(999, "Spammer"))
    event = parse_update(make_message_update("/spam", reply_to_message=original))
    assert event.reply_to_user.id == "999"
    assert event.reply_to_message_id == str(original["message_id"])
    assert event.reply_to_text == "spam!"


def test_a_message_posted_as_a_channel_names_the_channel_not_telegrams_placeholder():
    promo = channel(title="Promo Deals", username="promo_deals")
    event = parse_update(make_channel_message_update("买买买", sender_chat=promo))
    assert event.user.is_bot and event.sender_chat.id == str(CHANNEL_ID)
    assert event.sent_as_channel.username == "promo_deals"
    assert event.sent_as_channel.title == "Promo Deals"
    replied = message("买买买", sender=event.raw["message"]["from"], sender_chat=promo)
    reply = parse_update(make_message_update("/spam", reply_to_message=replied))
    assert reply.reply_to_channel.id == str(CHANNEL_ID)
    assert parse_update(make_message_update("hi")).sent_as_channel is None


def test_anonymous_admins_and_the_linked_channels_forwards_are_no_channel_senders():
    # An anonymous admin posts as the group itself; the linked channel's posts are forwarded
    # in automatically. Neither is a member hiding behind a channel.
    anonymous = message("公告", sender=ANONYMOUS_ADMIN, sender_chat=chat())
    forward = message("新课上线", sender=user(777000, "Telegram"), sender_chat=channel(),
                      is_automatic_forward=True)
    for posted in (anonymous, forward):
        assert parse_update(make_update("message", posted)).sent_as_channel is None
        reply = parse_update(make_message_update("/report", reply_to_message=posted))
        assert reply.reply_to_channel is None
    assert parse_update(make_update("message", anonymous)).sender_chat.id == str(GROUP_ID)


def test_reply_to_a_photo_carries_its_caption_and_a_photo_its_largest_size():
    sizes = [{"file_id": "s", "width": 90, "height": 90}, {"file_id": "l", "width": 1280}]
    photo = message(None, sender=user(999, "Spammer"), photo=sizes, caption="扫码领福利")
    event = parse_update(make_message_update("/report", reply_to_message=photo))
    assert event.reply_to_text == "扫码领福利" and event.photo_file_id is None
    posted = parse_update(make_update("message", photo))
    assert posted.has_photo and posted.photo_file_id == "l" and posted.text == "扫码领福利"
    assert parse_update(make_message_update("no reply")).reply_to_text is None


def test_new_members_joined_and_left():
    joined = parse_update(make_join_update(user(1, "A"), user(2, "B"), sender=user(OPERATOR_ID)))
    assert joined.kind is EventKind.MEMBER_JOINED
    assert [m.id for m in joined.members] == ["1", "2"]
    assert joined.inviter.id == str(OPERATOR_ID)
    left = parse_update(make_left_update(user(1, "A")))
    assert left.kind is EventKind.MEMBER_LEFT and left.members[0].id == "1"


def test_chat_member_and_my_chat_member():
    event = parse_update(
        make_chat_member_update(user(5), "left", "member", invite_link_name="spring-campaign")
    )
    assert event.kind is EventKind.MEMBER_UPDATED
    assert (event.old_status, event.new_status) == ("left", "member")
    assert event.invite_link_name == "spring-campaign"
    mine = parse_update(
        make_chat_member_update(user(123456789), "member", "administrator", kind="my_chat_member")
    )
    assert mine.kind is EventKind.BOT_MEMBERSHIP and mine.new_status == "administrator"
    # Telegram names each right can_<right>; one left out is not granted.
    assert mine.missing_rights == BOT_RIGHTS
    pinless = parse_update(make_chat_member_update(
        user(123456789), "member", "administrator", kind="my_chat_member",
        new_rights={f"can_{right}": right != "pin_messages" for right in BOT_RIGHTS},
    ))
    assert pinless.missing_rights == ("pin_messages",)


def test_a_restricted_member_who_is_no_longer_in_the_chat_has_left():
    # Telegram keeps the status "restricted" for one who left while restricted (is_member false),
    # and reports their coming back the same way: read as left, they are not taken as present.
    gone = parse_update(
        make_chat_member_update(user(5), "restricted", "restricted", new_is_member=False)
    )
    assert (gone.old_status, gone.new_status) == ("restricted", "left")
    back = parse_update(
        make_chat_member_update(user(5), "restricted", "restricted", old_is_member=False)
    )
    assert (back.old_status, back.new_status) == ("left", "restricted")


def test_join_request_and_callback():
    request = parse_update(make_join_request_update(user(7), bio="I love tea"))
    assert request.kind is EventKind.JOIN_REQUEST and request.user.id == "7"
    assert request.text == "I love tea" and request.requester_chat_id == "7"
    callback = parse_update(make_callback_update("verify:7", sender=user(7)))
    assert callback.kind is EventKind.CALLBACK and callback.callback_data == "verify:7"
    assert callback.chat.id == str(GROUP_ID)


def test_migration_to_supergroup():
    event = parse_update(make_migrate_update(-55, -1007))
    assert event.kind is EventKind.CHAT_MIGRATED
    assert (event.chat.id, event.migrate_to_chat_id) == ("-55", "-1007")


def test_first_message_of_an_upgraded_supergroup_names_the_old_chat():
    msg = message(None, sender=user(OPERATOR_ID, "Op"))
    msg["migrate_from_chat_id"] = -55
    event = parse_update(make_update("message", msg))
    assert event.kind is EventKind.MESSAGE and event.migrate_from_chat_id == "-55"
    assert parse_update(make_message_update("hi")).migrate_from_chat_id is None


@pytest.mark.parametrize(
    "body",
    [
        {"update_id": 1},
        {"update_id": 1, "poll": {}},
        {"update_id": True, "message": {"chat": {"id": 1}}},
        {"update_id": 1, "message": {"text": "no chat"}},
        {"update_id": 1, "message": {"chat": {"id": 1}}, "edited_message": {"chat": {"id": 1}}},
        "not an object",
    ],
)
def test_envelope_rejects_unknown_shapes(body):
    with pytest.raises(UnsupportedUpdate):
        envelope(body)


def test_broken_insides_of_a_known_type_are_unsupported_not_a_crash():
    with pytest.raises(UnsupportedUpdate):
        parse_update(make_update("message", {"chat": {"id": 1, "type": "weird"}, "date": 1}))


@pytest.mark.parametrize(
    ("action", "method", "expected"),
    [
        (PinMessage(chat_id="-1", message_id="5"), "pinChatMessage", {"message_id": 5}),
        (UnpinMessage(chat_id="-1", message_id="5"), "unpinChatMessage", {"message_id": 5}),
        (Unrestrict(chat_id="-1", user_id="9"), "restrictChatMember", {"user_id": 9}),
        (Ban(chat_id="-1", user_id="9"), "banChatMember", {"until_date": 0}),
        (Unban(chat_id="-1", user_id="9"), "unbanChatMember", {"only_if_banned": True}),
        (
            BanSenderChat(chat_id="-1", sender_chat_id="-1009"),
            "banChatSenderChat",
            {"chat_id": -1, "sender_chat_id": -1009},
        ),
        (
            UnbanSenderChat(chat_id="-1", sender_chat_id="-1009"),
            "unbanChatSenderChat",
            {"chat_id": -1, "sender_chat_id": -1009},
        ),
        (ApproveJoinRequest(chat_id="-1", user_id="9"), "approveChatJoinRequest", {"user_id": 9}),
        (DeclineJoinRequest(chat_id="-1", user_id="9"), "declineChatJoinRequest", {"user_id": 9}),
        (
            AnswerCallback(chat_id="-1", callback_id="abc", text="ok"),
            "answerCallbackQuery",
            {"callback_query_id": "abc", "text": "ok"},
        ),
    ],
)
def test_actions_map_to_bot_api_methods(action, method, expected):
    name, body = to_request(action)
    assert name == method
    assert expected.items() <= body.items()
