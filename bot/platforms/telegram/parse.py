"""Telegram Bot API updates → platform-neutral events.

Shapes follow the Bot API reference (Update, Message, ChatMemberUpdated, ChatJoinRequest,
CallbackQuery). Anything unexpected inside a known update type yields UnsupportedUpdate, never a
crash.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.core.events import (
    BOT_RIGHTS,
    Chat,
    ChatType,
    Event,
    EventKind,
    FileRef,
    User,
    posted_as_channel,
    split_command,
)
from bot.platforms.base import Envelope, UnsupportedUpdate

PLATFORM = "telegram"
MAX_ID = 2**63 - 1  # the inbox's update_id column
MAX_CHAT_KEY = 64  # the inbox's chat_key column
GONE = ("left", "kicked")  # ChatMember statuses of someone not in the chat

# Update field → where its chat lives inside the object.
UPDATE_TYPES = {
    "message": ("chat",),
    "edited_message": ("chat",),
    "chat_member": ("chat",),
    "my_chat_member": ("chat",),
    "chat_join_request": ("chat",),
    "callback_query": ("message", "chat"),
}

# What a person can post in a Message; one carrying none of these is a service message
# (pinned_message, new_chat_title, video_chat_started, forum_topic_created, boost_added...).
# Listed rather than the service fields, so a service message the Bot API adds later is not
# taken for something a member said.
CONTENT_FIELDS = frozenset({
    "text", "photo", "video", "animation", "audio", "document", "voice", "video_note",
    "sticker", "story", "paid_media", "poll", "dice", "game", "contact", "location", "venue",
    "checklist", "giveaway", "giveaway_winners", "invoice",
})

# Files other than photos that a message can carry with a caption (`Event.has_file`).
FILE_FIELDS = ("document", "video", "animation", "audio", "voice", "video_note")

KIND_TO_UPDATE = {
    EventKind.MESSAGE: "message",
    EventKind.MEMBER_JOINED: "message",
    EventKind.MEMBER_LEFT: "message",
    EventKind.CHAT_MIGRATED: "message",
    EventKind.EDITED_MESSAGE: "edited_message",
    EventKind.MEMBER_UPDATED: "chat_member",
    EventKind.JOIN_REQUEST: "chat_join_request",
    EventKind.CALLBACK: "callback_query",
    EventKind.BOT_MEMBERSHIP: "my_chat_member",
    # Made by our photo worker from a stored message: it needs no subscription of its own.
    EventKind.PHOTO_CHECKED: "message",
    # Made by our membership worker from a stored button press.
    EventKind.MEMBER_CHECKED: "callback_query",
    # Made by our file worker from a stored command.
    EventKind.FILE_READ: "message",
}


def envelope(data: Any) -> Envelope:
    """Check an update's outline: an integer update_id and one known update type with a chat."""
    if not isinstance(data, dict):
        raise UnsupportedUpdate("update is not a JSON object")
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise UnsupportedUpdate("update_id missing or not an integer")
    # Beyond the inbox's columns the insert would fail, and with it every update committed in
    # the same batch (each of them refused with a 503).
    if not 0 <= update_id <= MAX_ID:
        raise UnsupportedUpdate("update_id out of range")
    kinds = [key for key in data if key in UPDATE_TYPES]
    if len(kinds) != 1:
        raise UnsupportedUpdate(f"expected one known update type, got keys {sorted(data)}")
    obj: Any = data[kinds[0]]
    for step in UPDATE_TYPES[kinds[0]]:
        obj = obj.get(step) if isinstance(obj, dict) else None
    if kinds[0] == "callback_query" and obj is None:
        sender = data["callback_query"].get("from") if isinstance(data[kinds[0]], dict) else None
        obj = {"id": sender.get("id")} if isinstance(sender, dict) else None
    chat_id = obj.get("id") if isinstance(obj, dict) else None
    if not isinstance(chat_id, int | str) or isinstance(chat_id, bool):
        raise UnsupportedUpdate(f"{kinds[0]} without a chat id")
    if len(str(chat_id)) > MAX_CHAT_KEY or (isinstance(chat_id, int) and abs(chat_id) > MAX_ID):
        raise UnsupportedUpdate(f"{kinds[0]} with a chat id out of range")
    return Envelope(update_id=update_id, chat_key=str(chat_id))


def parse_update(
    data: dict[str, Any], me: User | None = None, received: datetime | None = None
) -> Event | None:
    """Parse a whole update for the bot `me` (commands addressed to another bot are no
    commands); raises UnsupportedUpdate for shapes we cannot read. A button press is dated
    `received` (now when not given): Telegram dates none."""
    try:
        return _parse(_without_nul(data), me, received or datetime.now(UTC))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, UnsupportedUpdate):
            raise
        raise UnsupportedUpdate(f"malformed update: {exc!r}") from exc


def _without_nul(value: Any) -> Any:
    """`value` with every U+0000 taken out of its strings. PostgreSQL stores no NUL in text or
    jsonb: a message, a name or a title holding one made every write of it fail, so an ad with
    a NUL slipped past the filter (its decision could not be stored) and a newcomer with one in
    their name was never greeted. Nobody reads the character; spammers insert it."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def _parse(data: dict[str, Any], me: User | None, received: datetime) -> Event | None:
    update_id = data["update_id"]
    if "message" in data or "edited_message" in data:
        edited = "edited_message" in data
        return _message(update_id, data["edited_message" if edited else "message"], edited, me)
    if "chat_member" in data or "my_chat_member" in data:
        mine = "my_chat_member" in data
        upd = data["my_chat_member" if mine else "chat_member"]
        link = upd.get("invite_link") or {}
        old, new = member_status(upd["old_chat_member"]), member_status(upd["new_chat_member"])
        actor = user_of(upd["from"])
        # Who brought a newcomer in: whoever made the change, unless it approved their own
        # request to join (the approving admin invited nobody).
        joined = old in GONE and new not in GONE and not upd.get("via_join_request")
        return Event(
            kind=EventKind.BOT_MEMBERSHIP if mine else EventKind.MEMBER_UPDATED,
            platform=PLATFORM,
            update_id=update_id,
            chat=_chat(upd["chat"]),
            user=actor,
            at=_time(upd["date"]),
            members=(user_of(upd["new_chat_member"]["user"]),),
            inviter=actor if joined and not mine else None,
            old_status=old,
            new_status=new,
            invite_link_name=link.get("name") or link.get("invite_link"),
            can_restrict=can_restrict(upd["new_chat_member"]) if mine else None,
            missing_rights=missing_rights(upd["new_chat_member"]) if mine else None,
            me=me,
            raw=data,
        )
    if "chat_join_request" in data:
        req = data["chat_join_request"]
        link = req.get("invite_link") or {}
        return Event(
            kind=EventKind.JOIN_REQUEST,
            platform=PLATFORM,
            update_id=update_id,
            chat=_chat(req["chat"]),
            user=user_of(req["from"]),
            at=_time(req["date"]),
            text=req.get("bio"),
            requester_chat_id=str(req["user_chat_id"]) if "user_chat_id" in req else None,
            invite_link_name=link.get("name") or link.get("invite_link"),
            me=me,
            raw=data,
        )
    if "callback_query" in data:
        query = data["callback_query"]
        sender = user_of(query["from"])
        message = query.get("message") or {}
        chat = (
            _chat(message["chat"])
            if "chat" in message
            else Chat(id=sender.id, type=ChatType.PRIVATE)
        )
        return Event(
            kind=EventKind.CALLBACK,
            platform=PLATFORM,
            update_id=update_id,
            chat=chat,
            user=sender,
            # A CallbackQuery has no date; its message's is when the button was posted, maybe
            # days before: a red packet grabbed today was paid on that day, off `/top week`.
            at=received,
            message_id=str(message["message_id"]) if "message_id" in message else None,
            thread_id=_topic(message),
            callback_id=str(query["id"]),
            callback_data=query.get("data"),
            me=me,
            raw=data,
        )
    raise UnsupportedUpdate(f"no known update type in keys {sorted(data)}")


def can_restrict(member: dict) -> bool | None:
    """Whether a ChatMember may restrict others: an administrator with the right ("Ban users"
    in Telegram's apps), never a plain or restricted member; None when it is gone or unsaid."""
    status = member["status"]
    if status == "creator":
        return True
    if status == "administrator":
        return member.get("can_restrict_members")
    return False if status in ("member", "restricted") else None


def missing_rights(member: dict) -> tuple[str, ...] | None:
    """Which of BOT_RIGHTS a ChatMember lacks (Telegram names each `can_<right>`): none for the
    owner, all for anyone not an admin; None when it is gone."""
    status = member_status(member)
    if status == "creator":
        return ()
    if status == "administrator":
        return tuple(right for right in BOT_RIGHTS if not member.get(f"can_{right}"))
    return None if status in GONE else BOT_RIGHTS


def member_status(member: dict) -> str:
    """A ChatMember's status; "left" for a restricted user no longer in the chat (Telegram keeps
    "restricted", with is_member false, for one who left while restricted)."""
    if member["status"] == "restricted" and member.get("is_member") is False:
        return "left"
    return member["status"]


def _message(update_id: int, msg: dict, edited: bool, me: User | None) -> Event:
    chat = _chat(msg["chat"])
    sender = user_of(msg["from"]) if "from" in msg else None
    common = {
        "platform": PLATFORM,
        "update_id": update_id,
        "chat": chat,
        "user": sender,
        # An edit happens when it is made: `date` stays the original post's time, and an ad
        # edited in after the ad window closed must not be judged as posted inside it.
        "at": _time(msg["edit_date"] if edited and msg.get("edit_date") else msg["date"]),
        "message_id": str(msg["message_id"]),
        "thread_id": _topic(msg),
        "me": me,
        "raw": {"message": msg} if not edited else {"edited_message": msg},
    }
    if msg.get("new_chat_members"):
        members = tuple(user_of(u) for u in msg["new_chat_members"])
        return Event(kind=EventKind.MEMBER_JOINED, members=members, inviter=sender, **common)
    if msg.get("left_chat_member"):
        return Event(
            kind=EventKind.MEMBER_LEFT, members=(user_of(msg["left_chat_member"]),), **common
        )
    if msg.get("migrate_to_chat_id"):
        return Event(
            kind=EventKind.CHAT_MIGRATED,
            migrate_to_chat_id=str(msg["migrate_to_chat_id"]),
            **common,
        )
    text = msg.get("text") if "text" in msg else msg.get("caption")
    entities = msg.get("entities") if "text" in msg else msg.get("caption_entities")
    command, args = (None, "")
    bot_command = "text" in msg and any(
        e.get("type") == "bot_command" and e.get("offset") == 0 for e in entities or ()
    )
    if bot_command:
        command, args = split_command(text, me.username if me else None)
    photo_file_id = _largest_photo(msg.get("photo")) or _image_file(msg)
    reply = msg.get("reply_to_message") or {}
    if "forum_topic_created" in reply:
        # In a forum every message sent in a topic carries the topic's opening service message
        # here, replied to or not: it is no reply ("/ban @bob" would aim at the topic's creator).
        reply = {}
    return Event(
        kind=EventKind.EDITED_MESSAGE if edited else EventKind.MESSAGE,
        text=text,
        command=command,
        args=args,
        urls=_urls(text or "", entities or ()) + _button_urls(msg),
        shared_text=_shared_text(msg),
        album_id=str(msg["media_group_id"]) if msg.get("media_group_id") else None,
        has_photo=bool(msg.get("photo")) or photo_file_id is not None,
        has_file=any(msg.get(name) for name in FILE_FIELDS),
        photo_file_id=photo_file_id,
        forwarded_from_chat=_forward_chat(msg),
        from_linked_channel=bool(msg.get("is_automatic_forward")),
        reply_from_linked_channel=bool(reply.get("is_automatic_forward")),
        reply_from_anonymous_admin=str((reply.get("sender_chat") or {}).get("id")) == chat.id,
        sender_chat=_chat(msg["sender_chat"]) if "sender_chat" in msg else None,
        reply_to_channel=posted_as_channel(
            chat,
            _chat(reply["sender_chat"]) if "sender_chat" in reply else None,
            bool(reply.get("is_automatic_forward")),
        ),
        reply_to_message_id=str(reply["message_id"]) if "message_id" in reply else None,
        reply_to_user=user_of(reply["from"]) if "from" in reply else None,
        reply_to_text=reply.get("text") if "text" in reply else reply.get("caption"),
        reply_to_at=_time(reply["date"]) if reply.get("date") else None,
        reply_to_shared_text=_shared_text(reply),
        document=_document(msg),
        reply_to_document=_document(reply),
        reply_to_album_id=str(reply["media_group_id"]) if reply.get("media_group_id") else None,
        migrate_from_chat_id=(
            str(msg["migrate_from_chat_id"]) if "migrate_from_chat_id" in msg else None
        ),
        service=CONTENT_FIELDS.isdisjoint(msg),
        bot_command=bot_command,
        **common,
    )


def _topic(msg: dict) -> str | None:
    """The forum topic a message is in (`Event.thread_id`). Outside forums a reply carries a
    `message_thread_id` too, naming its thread of replies, which is no topic to post in."""
    thread = msg.get("message_thread_id")
    return str(thread) if msg.get("is_topic_message") and thread is not None else None


def _urls(text: str, entities) -> tuple[str, ...]:
    # Entity offsets count UTF-16 code units, so slice the UTF-16 encoding, not the str.
    encoded = text.encode("utf-16-le")
    urls = []
    for entity in entities:
        if entity.get("type") == "text_link" and entity.get("url"):
            urls.append(entity["url"])
        elif entity.get("type") == "url":
            start, length = entity["offset"] * 2, entity["length"] * 2
            urls.append(encoded[start : start + length].decode("utf-16-le", errors="replace"))
    return tuple(urls)


def _document(msg: dict) -> FileRef | None:
    document = msg.get("document")
    if not isinstance(document, dict) or not document.get("file_id"):
        return None
    size = document.get("file_size")
    return FileRef(
        file_id=str(document["file_id"]),
        name=document.get("file_name") if isinstance(document.get("file_name"), str) else None,
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        mime=document.get("mime_type") if isinstance(document.get("mime_type"), str) else None,
    )


def _button_urls(msg: dict) -> tuple[str, ...]:
    """The links under a message's buttons. A member posting through an inline bot ("@bot
    ...") sends its result with the bot's buttons: the words say "look 👇", the group invite
    is the button's, hidden like a text link's."""
    keyboard = (msg.get("reply_markup") or {}).get("inline_keyboard")
    if not isinstance(keyboard, list):
        return ()
    return tuple(
        button["url"]
        for row in keyboard if isinstance(row, list)
        for button in row if isinstance(button, dict) and isinstance(button.get("url"), str)
    )


def _image_file(msg: dict) -> str | None:
    """The file id of a picture sent as a file (uncompressed), which is a photo to everyone
    who sees it: a QR-code ad sent this way otherwise skipped the photo check."""
    document = msg.get("document")
    if not isinstance(document, dict) or not document.get("file_id"):
        return None
    mime = document.get("mime_type")
    return str(document["file_id"]) if isinstance(mime, str) and mime.startswith("image/") else None


def _shared_text(msg: dict) -> str | None:
    """The words of a poll, a shared contact or a venue (see `Event.shared_text`)."""
    if isinstance(poll := msg.get("poll"), dict):
        options = [o.get("text") for o in poll.get("options") or () if isinstance(o, dict)]
        parts = [poll.get("question"), *options, poll.get("explanation")]
    elif isinstance(contact := msg.get("contact"), dict):
        # The vCard is left out: its markup reads as noise, and the name and number are the ad.
        parts = [contact.get("first_name"), contact.get("last_name"), contact.get("phone_number")]
    elif isinstance(venue := msg.get("venue"), dict):
        parts = [venue.get("title"), venue.get("address")]
    else:
        return None
    return "\n".join(part for part in parts if isinstance(part, str) and part) or None


def _largest_photo(sizes) -> str | None:
    # Telegram lists a photo's sizes smallest first; the largest decodes QR codes best.
    if not sizes or not isinstance(sizes[-1], dict):
        return None
    file_id = sizes[-1].get("file_id")
    return str(file_id) if file_id else None


def _forward_chat(msg: dict) -> Chat | None:
    origin = msg.get("forward_origin") or {}
    chat = origin.get("chat") if origin.get("type") == "channel" else msg.get("forward_from_chat")
    return _chat(chat) if chat else None


def _chat(chat: dict) -> Chat:
    title = chat.get("title") or " ".join(
        part for part in (chat.get("first_name"), chat.get("last_name")) if part
    )
    return Chat(
        id=str(chat["id"]),
        type=ChatType(chat["type"]),
        title=title or None,
        username=chat.get("username"),
    )


# Telegram's own service account: it copies a linked channel's posts into the discussion group
# and sends login codes. The API calls it a user (is_bot false), but no person is behind it, so
# it is read as a bot: never a member counted on /stats or in the digest.
SERVICE_ACCOUNT = 777000


def user_of(user: dict) -> User:
    name = " ".join(part for part in (user.get("first_name"), user.get("last_name")) if part)
    return User(
        id=str(user["id"]),
        name=name or user.get("username") or str(user["id"]),
        username=user.get("username"),
        is_bot=bool(user.get("is_bot")) or user["id"] == SERVICE_ACCOUNT,
        language_code=user.get("language_code"),
    )


def _time(timestamp: int) -> datetime:
    return datetime.fromtimestamp(int(timestamp), UTC)
