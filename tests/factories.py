"""Updates shaped exactly like the Telegram Bot API's (Update, Message, ChatMemberUpdated...)."""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

_update_ids = itertools.count(10_000)
_message_ids = itertools.count(500)

GROUP_ID = -1001234567890
OPERATOR_ID = 111
MEMBER_ID = 222
CHANNEL_ID = -1009876543210
# Telegram's placeholder senders: `from` of a message posted as a channel, and of an anonymous
# group admin's message (whose `sender_chat` is the group itself).
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}
ANONYMOUS_ADMIN = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


def user(user_id: int = MEMBER_ID, first_name: str = "Alice", **extra: Any) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, **extra}


def chat(chat_id: int = GROUP_ID, title: str = "Qunbot Test Group") -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Alice"}
    return {"id": chat_id, "type": "supergroup", "title": title}


def channel(
    chat_id: int = CHANNEL_ID, title: str = "Promo Deals", **extra: Any
) -> dict[str, Any]:
    return {"id": chat_id, "type": "channel", "title": title, **extra}


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def message(
    text: str | None = "hello",
    *,
    chat_id: int = GROUP_ID,
    sender: dict[str, Any] | None = None,
    date: int | None = None,
    **fields: Any,
) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "message_id": next(_message_ids),
        "from": sender or user(),
        "chat": chat(chat_id),
        "date": int(date if date is not None else time.time()),
    }
    if text is not None:
        msg["text"] = text
        if text.startswith("/"):
            command = re.split(r"\s", text, maxsplit=1)[0]  # as Telegram marks it
            msg["entities"] = [{"offset": 0, "length": _utf16_len(command), "type": "bot_command"}]
    msg.update(fields)
    return msg


def make_update(kind: str, obj: dict[str, Any], update_id: int | None = None) -> dict[str, Any]:
    return {"update_id": update_id if update_id is not None else next(_update_ids), kind: obj}


def make_message_update(text: str | None = "hello", **kwargs: Any) -> dict[str, Any]:
    update_id = kwargs.pop("update_id", None)
    return make_update("message", message(text, **kwargs), update_id)


def make_private_update(text: str, sender: dict[str, Any]) -> dict[str, Any]:
    """`sender` writing to the bot in their private chat, whose id is theirs."""
    return make_message_update(text, chat_id=sender["id"], sender=sender)


def make_channel_message_update(
    text: str | None = "hello", sender_chat: dict[str, Any] | None = None, **kwargs: Any
) -> dict[str, Any]:
    """A message a member posted in the group as one of their channels."""
    return make_message_update(
        text, sender=CHANNEL_BOT, sender_chat=sender_chat or channel(), **kwargs
    )


def make_join_update(*members: dict[str, Any], chat_id: int = GROUP_ID, **kw) -> dict[str, Any]:
    joined = list(members) or [user()]
    msg = message(None, chat_id=chat_id, sender=kw.pop("sender", joined[0]), **kw)
    msg["new_chat_members"] = joined
    return make_update("message", msg)


def make_left_update(member: dict[str, Any], chat_id: int = GROUP_ID) -> dict[str, Any]:
    msg = message(None, chat_id=chat_id, sender=member)
    msg["left_chat_member"] = member
    return make_update("message", msg)


def make_chat_member_update(
    member: dict[str, Any],
    old: str,
    new: str,
    *,
    chat_id: int = GROUP_ID,
    by: dict[str, Any] | None = None,
    invite_link_name: str | None = None,
    kind: str = "chat_member",
    old_is_member: bool = True,
    new_is_member: bool = True,
    new_rights: dict[str, bool] | None = None,
) -> dict[str, Any]:
    """A ChatMemberUpdated; `*_is_member` tell whether a restricted user is still in the chat
    (one who leaves while restricted stays "restricted", with is_member false); `new_rights`
    are an administrator's rights after the change (`can_restrict_members`...)."""
    obj: dict[str, Any] = {
        "chat": chat(chat_id),
        "from": by or member,
        "date": int(time.time()),
        "old_chat_member": _chat_member(old, member, old_is_member),
        "new_chat_member": {**_chat_member(new, member, new_is_member), **(new_rights or {})},
    }
    if invite_link_name:
        obj["invite_link"] = {
            "invite_link": "https://t.me/+AbCdEf",
            "creator": user(OPERATOR_ID, "Op"),
            "creates_join_request": False,
            "is_primary": False,
            "is_revoked": False,
            "name": invite_link_name,
        }
    return make_update(kind, obj)


def _chat_member(status: str, member: dict[str, Any], is_member: bool) -> dict[str, Any]:
    obj: dict[str, Any] = {"status": status, "user": member}
    if status == "restricted":
        obj.update(is_member=is_member, until_date=0, can_send_messages=False)
    return obj


def make_join_request_update(
    member: dict[str, Any] | None = None, chat_id: int = GROUP_ID, bio: str | None = None
) -> dict[str, Any]:
    member = member or user()
    obj = {
        "chat": chat(chat_id),
        "from": member,
        "user_chat_id": member["id"],
        "date": int(time.time()),
    }
    if bio:
        obj["bio"] = bio
    return make_update("chat_join_request", obj)


def make_callback_update(
    data: str, sender: dict[str, Any] | None = None, chat_id: int = GROUP_ID,
    posted: int | None = None,
) -> dict[str, Any]:
    """A press of a button with `data`, on a message posted at `posted` (now by default)."""
    return make_update(
        "callback_query",
        {
            "id": str(next(_update_ids)),
            "from": sender or user(),
            "message": message("a message with buttons", chat_id=chat_id, date=posted),
            "chat_instance": "-42",
            "data": data,
        },
    )


def make_migrate_update(old_chat_id: int, new_chat_id: int) -> dict[str, Any]:
    msg = message(None, sender=user(OPERATOR_ID, "Op"))
    msg["chat"] = {"id": old_chat_id, "type": "group", "title": "Old group"}
    msg["migrate_to_chat_id"] = new_chat_id
    return make_update("message", msg)
