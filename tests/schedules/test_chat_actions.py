"""The end-of-countdown actions map onto the Bot API methods Telegram offers."""

from __future__ import annotations

from bot.core.actions import LeaveChat, SetChatPermissions, action_from_json, action_to_json
from bot.platforms.telegram.requests import to_request


def test_closing_a_group_is_set_chat_permissions_without_sending_rights():
    method, body = to_request(SetChatPermissions(chat_id="-1001", can_send_messages=False))
    assert method == "setChatPermissions"
    assert body["chat_id"] == -1001
    assert body["permissions"]["can_send_messages"] is False
    assert not any(body["permissions"].values())


def test_reopening_a_group_grants_sending_again():
    _, body = to_request(SetChatPermissions(chat_id="-1001", can_send_messages=True))
    assert body["permissions"]["can_send_messages"] is True


def test_leaving_a_chat():
    assert to_request(LeaveChat(chat_id="-1001")) == ("leaveChat", {"chat_id": -1001})


def test_new_actions_round_trip_through_the_outbox_json():
    for action in (
        SetChatPermissions(chat_id="-1", can_send_messages=False),
        LeaveChat(chat_id="-1"),
    ):
        assert action_from_json(action_to_json(action)) == action
