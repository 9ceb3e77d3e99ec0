"""Actions → Telegram Bot API method calls (method name and JSON body)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.actions import (
    Action,
    AnswerCallback,
    ApproveJoinRequest,
    Ban,
    BanSenderChat,
    Button,
    DeclineJoinRequest,
    DeleteMessage,
    EditMessageText,
    LeaveChat,
    PinMessage,
    Restrict,
    SendInviteLink,
    SendMessage,
    SendPoll,
    SetChatPermissions,
    Unban,
    UnbanSenderChat,
    UnpinMessage,
    Unrestrict,
)

MUTED = {
    "can_send_messages": False,
    "can_send_audios": False,
    "can_send_documents": False,
    "can_send_photos": False,
    "can_send_videos": False,
    "can_send_video_notes": False,
    "can_send_voice_notes": False,
    "can_send_polls": False,
    "can_send_other_messages": False,
    "can_add_web_page_previews": False,
}
UNMUTED = {key: True for key in MUTED}
# What lifts a member's restriction: Telegram takes an omitted permission as False, and a member
# left with any permission False stays "restricted" (an exception in the group's member list:
# no adding members, no pinning where the group allows it) after an unmute, an undone ad
# decision or a passed verification. Only every permission true makes them a plain member again.
LIFTED = UNMUTED | {
    "can_change_info": True,
    "can_invite_users": True,
    "can_pin_messages": True,
    "can_manage_topics": True,
}


def chat_ref(chat_id: str) -> int | str:
    """Telegram takes numeric ids as integers and public chats as `@username` strings."""
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


# Telegram reads an end less than 30 seconds away, or past, as "forever": a short mute that
# waited in the outbox (a 429 pause, retries) until its end was near would never end.
SHORTEST = timedelta(seconds=35)


def _until(when: datetime | None) -> int:
    # 0 means "forever" to Telegram.
    if when is None:
        return 0
    return int(max(when, datetime.now(UTC) + SHORTEST).timestamp())


def _keyboard(buttons: tuple[tuple[Button, ...], ...]) -> dict[str, Any]:
    return {
        "inline_keyboard": [
            [
                {"text": b.text, "url": b.url}
                if b.url
                else {"text": b.text, "callback_data": b.data or b.text}
                for b in row
            ]
            for row in buttons
        ]
    }


def to_request(action: Action) -> tuple[str, dict[str, Any]]:
    chat = chat_ref(action.chat_id)
    match action:
        case SendMessage():
            body: dict[str, Any] = {"chat_id": chat, "text": action.text}
            if action.thread_id:
                body["message_thread_id"] = int(action.thread_id)
            if action.reply_to:
                body["reply_parameters"] = {
                    "message_id": int(action.reply_to),
                    "allow_sending_without_reply": True,
                }
            if action.buttons:
                body["reply_markup"] = _keyboard(action.buttons)
            if action.html:
                body["parse_mode"] = "HTML"
            return "sendMessage", body
        case SendPoll():
            body = {
                "chat_id": chat,
                "question": action.question,
                "options": [{"text": option} for option in action.options],
                "is_anonymous": action.anonymous,
            }
            if action.thread_id:
                body["message_thread_id"] = int(action.thread_id)
            return "sendPoll", body
        case EditMessageText():
            body = {"chat_id": chat, "message_id": int(action.message_id), "text": action.text}
            if action.buttons:
                body["reply_markup"] = _keyboard(action.buttons)
            if action.html:
                body["parse_mode"] = "HTML"
            return "editMessageText", body
        case DeleteMessage():
            return "deleteMessage", {"chat_id": chat, "message_id": int(action.message_id)}
        case PinMessage():
            return "pinChatMessage", {
                "chat_id": chat,
                "message_id": int(action.message_id),
                "disable_notification": action.silent,
            }
        case UnpinMessage():
            return "unpinChatMessage", {"chat_id": chat, "message_id": int(action.message_id)}
        case Restrict():
            return "restrictChatMember", {
                "chat_id": chat,
                "user_id": int(action.user_id),
                "permissions": MUTED,
                "until_date": _until(action.until),
            }
        case Unrestrict():
            return "restrictChatMember", {
                "chat_id": chat,
                "user_id": int(action.user_id),
                "permissions": LIFTED,
            }
        case Ban():
            return "banChatMember", {
                "chat_id": chat,
                "user_id": int(action.user_id),
                "until_date": _until(action.until),
                "revoke_messages": action.revoke_messages,
            }
        case Unban():
            return "unbanChatMember", {
                "chat_id": chat,
                "user_id": int(action.user_id),
                "only_if_banned": True,
            }
        case BanSenderChat():
            return "banChatSenderChat", {
                "chat_id": chat,
                "sender_chat_id": int(action.sender_chat_id),
            }
        case UnbanSenderChat():
            return "unbanChatSenderChat", {
                "chat_id": chat,
                "sender_chat_id": int(action.sender_chat_id),
            }
        case ApproveJoinRequest():
            return "approveChatJoinRequest", {"chat_id": chat, "user_id": int(action.user_id)}
        case DeclineJoinRequest():
            return "declineChatJoinRequest", {"chat_id": chat, "user_id": int(action.user_id)}
        case AnswerCallback():
            body = {"callback_query_id": action.callback_id, "show_alert": action.show_alert}
            if action.text:
                body["text"] = action.text
            return "answerCallbackQuery", body
        case SetChatPermissions():
            permissions = UNMUTED if action.can_send_messages else MUTED
            return "setChatPermissions", {"chat_id": chat, "permissions": permissions}
        case LeaveChat():
            return "leaveChat", {"chat_id": chat}
        case SendInviteLink():  # the link only: the sender sends the notice once it is made
            body = {"chat_id": chat, "member_limit": 1}
            if action.expire:
                body["expire_date"] = int(action.expire.timestamp())
            return "createChatInviteLink", body
    raise TypeError(f"no Telegram request for {type(action).__name__}")
