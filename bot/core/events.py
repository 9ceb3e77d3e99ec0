"""Platform-neutral events: what happened in a chat, as handlers see it.

Adapters turn platform updates into these; handlers never see platform payloads except via
`raw`, which exists for debugging and for capabilities a platform alone offers.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# The admin rights the bot works with: removing ads, holding and banning members, approving
# join requests, pinning countdowns.
BOT_RIGHTS = ("delete_messages", "restrict_members", "invite_users", "pin_messages")


class EventKind(StrEnum):
    MESSAGE = "message"
    EDITED_MESSAGE = "edited_message"
    MEMBER_JOINED = "member_joined"
    MEMBER_LEFT = "member_left"
    MEMBER_UPDATED = "member_updated"
    JOIN_REQUEST = "join_request"
    CALLBACK = "callback"
    BOT_MEMBERSHIP = "bot_membership"
    CHAT_MIGRATED = "chat_migrated"
    # Not from the platform: the photo worker reports what it decoded from a message's photo,
    # so the moderation handlers judge it like any other message.
    PHOTO_CHECKED = "photo_checked"
    # Not from the platform either: the membership worker reports what the platform said of
    # someone whose button press waited for it (`handlers.membership_store`).
    MEMBER_CHECKED = "member_checked"
    FILE_READ = "file_read"


class ChatType(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    SUPERGROUP = "supergroup"
    CHANNEL = "channel"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class User(_Frozen):
    id: str
    name: str = ""
    username: str | None = None
    is_bot: bool = False
    language_code: str | None = None


class Chat(_Frozen):
    id: str
    type: ChatType
    title: str | None = None
    username: str | None = None

    @property
    def is_group(self) -> bool:
        return self.type in (ChatType.GROUP, ChatType.SUPERGROUP)


class FileRef(_Frozen):
    """A file a message carries, as the platform describes it before anyone downloads it."""

    file_id: str
    name: str | None = None
    size: int | None = None  # bytes, when the platform says
    mime: str | None = None


class Event(_Frozen):
    """One thing that happened, in a chat, at a time.

    Fields not meaningful for a kind stay at their defaults; e.g. `members` is set only for
    MEMBER_JOINED/MEMBER_LEFT, `callback_*` only for CALLBACK. `reply_to_text` is the text (or
    caption) of the replied-to message; `photo_file_id` names the platform's best copy of a photo
    for downloading (a picture sent as a file is a photo too, `has_photo`); `has_file` marks
    any other file a caption can describe (a document, video, animation, audio or voice
    message), which members hand homework in as; `photo_codes`
    (PHOTO_CHECKED only) are the QR codes found in that photo.
    `shared_text` holds the words a message carries outside its text and caption: a poll's
    question and options, a shared contact's name and number, a venue's name and address. Ads
    come in these shapes too; it is kept apart from `text` so a poll asking "签到?" checks
    nobody in. `album_id` is shared by the messages of one album (photos or videos sent
    together, arriving one by one, the caption on one of them).
    `migrate_from_chat_id` is set on the first message of a group upgraded to a supergroup;
    `requester_chat_id` (JOIN_REQUEST) is the private chat the platform opened to the requester.
    `from_linked_channel` marks a post the platform copied in from the channel the group is the
    discussion group of (the group's own channel, not a member forwarding something).
    `reply_from_linked_channel`: the replied-to message is such a post.
    `reply_from_anonymous_admin`: the replied-to message was posted as the group itself, by an
    admin who hides behind it (its `reply_to_user` is the platform's placeholder account).
    `sender_chat` is the chat a message was posted on behalf of: the group itself for an
    anonymous admin, the linked channel for its automatic forwards, or a channel a member chose
    to post as (see `sent_as_channel`). `reply_to_channel` is the channel the replied-to message
    was posted as, by the same rule.
    `service` marks a notice the platform posted about the chat (a pin, a new title or photo, a
    call started...), which nobody wrote; joins, leaves and moves have kinds of their own.
    `bot_command` marks a command to a bot, this one or another (`command` is set only for a
    command this bot should answer).
    `document` is a file sent as one (not a photo or a video), `reply_to_document` the
    replied-to message's. FILE_READ (a file an operator handed a command, downloaded by a
    worker): `file_text` its text, or `file_error` why there is none ("too_big", "not_text",
    "download_failed"); `message_id` is the command's.
    MEMBER_CHECKED: `new_status` is the platform's word on whether `user` is in the group
    ("member", "left"...), `callback_data` and `message_id` the button press that asked.
    `can_restrict` (BOT_MEMBERSHIP only): whether the bot may now restrict members; None when
    the platform did not say (the bot left, or the update names no rights).
    `missing_rights` (BOT_MEMBERSHIP only): which of BOT_RIGHTS the bot now lacks (all of them
    when it is not an admin); None when it is gone.
    `me` is the bot's own account on the platform, as the adapter knows it (its id, and its
    @username once learned), so handlers can tell when an operator aims a command at the bot.
    `thread_id` is the forum topic a message was posted in (for a button press, the topic of
    the button's message); None outside forums and in a forum's General topic.
    """

    kind: EventKind
    platform: str
    update_id: int
    chat: Chat
    user: User | None = None
    at: datetime
    message_id: str | None = None
    text: str | None = None
    command: str | None = None
    args: str = ""
    reply_to_message_id: str | None = None
    reply_to_user: User | None = None
    reply_to_text: str | None = None
    reply_to_at: datetime | None = None  # when the replied-to message was posted
    urls: tuple[str, ...] = ()
    has_photo: bool = False
    has_file: bool = False
    photo_file_id: str | None = None
    photo_codes: tuple[str, ...] = ()
    document: FileRef | None = None
    reply_to_document: FileRef | None = None
    file_text: str | None = None
    file_error: str | None = None
    shared_text: str | None = None
    reply_to_shared_text: str | None = None  # `shared_text` of the replied-to message
    album_id: str | None = None
    reply_to_album_id: str | None = None  # `album_id` of the replied-to message
    forwarded_from_chat: Chat | None = None
    from_linked_channel: bool = False
    reply_from_linked_channel: bool = False
    reply_from_anonymous_admin: bool = False
    sender_chat: Chat | None = None
    reply_to_channel: Chat | None = None
    members: tuple[User, ...] = ()
    inviter: User | None = None
    invite_link_name: str | None = None
    old_status: str | None = None
    new_status: str | None = None
    callback_id: str | None = None
    callback_data: str | None = None
    migrate_to_chat_id: str | None = None
    migrate_from_chat_id: str | None = None
    requester_chat_id: str | None = None
    service: bool = False
    bot_command: bool = False
    can_restrict: bool | None = None
    missing_rights: tuple[str, ...] | None = None
    me: User | None = None
    thread_id: str | None = None
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)

    @property
    def sent_as_channel(self) -> Chat | None:
        """The channel a member posted this message as, which answers for it instead of them.

        None for a person, for an anonymous admin (who posts as the group itself) and for the
        linked channel's automatic forwards (the group owners' own posts).
        """
        return posted_as_channel(self.chat, self.sender_chat, self.from_linked_channel)

    @property
    def replied_sender(self) -> User | Chat | None:
        """Who answers for the replied-to message: the channel it was posted as, else its
        sender (None when this is no reply)."""
        return self.reply_to_channel or self.reply_to_user

    def is_me(self, who: User | Chat | str) -> bool:
        """Whether `who` (an account or chat, a user id, or an `@username` in any case) is the
        bot itself."""
        me = self.me
        if me is None:
            return False
        if isinstance(who, str) and who.startswith("@"):
            return me.username is not None and who[1:].lower() == me.username.lower()
        return (who if isinstance(who, str) else who.id) == me.id


def posted_as_channel(
    chat: Chat, sender_chat: Chat | None, automatic_forward: bool
) -> Chat | None:
    """The rule of `Event.sent_as_channel`, for a message in `chat` sent on behalf of
    `sender_chat`; adapters apply it to replied-to messages too."""
    if sender_chat is None or sender_chat.id == chat.id or automatic_forward:
        return None
    return sender_chat


def split_command(text: str | None, bot_username: str | None = None) -> tuple[str | None, str]:
    """Split `/cmd@bot args` into (`cmd`, `args`); commands aimed at another bot are ignored,
    and so is any command aimed at a bot while `bot_username` (ours) is not known.

    The command ends at any whitespace, as Telegram reads it: "/homework" with the work typed
    on the next line is the homework command, not a command named "homework\n..."."""
    if not text or not text.startswith("/"):
        return None, ""
    head, *tail = re.split(r"\s", text[1:], maxsplit=1)
    rest = tail[0] if tail else ""
    name, _, target = head.partition("@")
    if target and (not bot_username or target.lower() != bot_username.lower()):
        return None, ""
    if not name:
        return None, ""
    return name.lower(), rest.strip()
