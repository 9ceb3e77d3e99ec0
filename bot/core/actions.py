"""Actions: the decisions handlers return, executed later through the outbox.

Each action is plain data with a `kind` discriminator so it round-trips through the outbox's
JSON column unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class _Action(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    chat_id: str

    @property
    def is_message(self) -> bool:
        """Whether the platform counts this call against its per-chat message limits."""
        return False


class Button(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    data: str | None = None
    url: str | None = None


# The longest text one message may carry (Telegram's limit): a longer one is refused whenever
# it is sent, so it is refused when it is given instead.
MAX_TEXT = 4096


def text_length(text: str) -> int:
    """`text`'s length as Telegram counts it: UTF-16 code units, so an emoji beyond the Basic
    Multilingual Plane ("😀") is two where Python's `len` says one."""
    return len(text.encode("utf-16-le")) // 2


def over_limit(text: str) -> int:
    """How far `text` is past MAX_TEXT as Telegram counts it (0 or less: it fits in one
    message); the one check of a message's length."""
    return text_length(text) - MAX_TEXT


class SendMessage(_Action):
    kind: Literal["send_message"] = "send_message"
    text: str
    reply_to: str | None = None
    # The forum topic it goes to (`Event.thread_id`); None: the General topic. Refused for
    # the topic (gone), it is sent to the General topic, and `topic_of` (a record's ref, as
    # `_Settled.ref`: "job:<id>") is told, so what it stands for posts there from then on.
    thread_id: str | None = None
    topic_of: str | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()
    html: bool = False
    # Follow-ups the sender schedules once the platform has assigned a message id.
    pin: bool = False
    delete_after_seconds: int | None = None
    # Sent instead when this one fails for good: a person's private chat is closed to the bot
    # until they have started it, and a note for them must then reach them elsewhere.
    otherwise: tuple[SendMessage, ...] = ()

    @property
    def is_message(self) -> bool:
        return True


class SendPoll(_Action):
    kind: Literal["send_poll"] = "send_poll"
    question: str = Field(min_length=1, max_length=300)
    options: tuple[str, ...] = Field(min_length=2, max_length=10)
    anonymous: bool = True
    # The forum topic it goes to, and who is told if it is gone, as for SendMessage.
    thread_id: str | None = None
    topic_of: str | None = None

    @property
    def is_message(self) -> bool:
        return True


class EditMessageText(_Action):
    """Replace the text of a message the bot sent (a countdown updating one message, a greeting
    naming fewer newcomers)."""

    kind: Literal["edit_message_text"] = "edit_message_text"
    message_id: str
    text: str
    html: bool = False
    # The buttons the message keeps: an edit without them takes the message's buttons away.
    buttons: tuple[tuple[Button, ...], ...] = ()

    @property
    def is_message(self) -> bool:
        return True


class DeleteMessage(_Action):
    kind: Literal["delete_message"] = "delete_message"
    message_id: str


class PinMessage(_Action):
    kind: Literal["pin_message"] = "pin_message"
    message_id: str
    silent: bool = True


class UnpinMessage(_Action):
    """Take one message off the chat's pinned ones (a countdown's, once it has ended)."""

    kind: Literal["unpin_message"] = "unpin_message"
    message_id: str


class Restrict(_Action):
    """Take away the right to post until `until` (forever when None)."""

    kind: Literal["restrict"] = "restrict"
    user_id: str
    until: datetime | None = None




class Ban(_Action):
    kind: Literal["ban"] = "ban"
    user_id: str
    until: datetime | None = None
    revoke_messages: bool = False




class BanSenderChat(_Action):
    """Stop a channel posting in the group: members can post as their channels, which cannot
    be muted, and banning the member would leave the channel (and its other admins) free."""

    kind: Literal["ban_sender_chat"] = "ban_sender_chat"
    sender_chat_id: str


class UnbanSenderChat(_Action):
    kind: Literal["unban_sender_chat"] = "unban_sender_chat"
    sender_chat_id: str


class AnswerCallback(_Action):
    """A button press answered; `text` shows as a popup (`show_alert`) or a brief notice, and
    must fit `POPUP_LIMIT` (`fit_popup`)."""

    kind: Literal["answer_callback"] = "answer_callback"
    callback_id: str
    text: str | None = None
    show_alert: bool = False


POPUP_LIMIT = 200  # characters Telegram shows in a callback answer; it refuses longer ones


def fit_popup(text: str, more: str) -> str:
    """`text`, or as much as fits with an ellipsis and `more` (where to read the rest): a cut
    popup read as the whole of it, ending mid-sentence."""
    if len(text) <= POPUP_LIMIT:
        return text
    tail = "…" + more
    return text[: POPUP_LIMIT - len(tail)] + tail


# What may follow an action once the platform has answered it (`_Settled`).
FollowUp = Annotated[SendMessage | AnswerCallback | DeleteMessage, Field(discriminator="kind")]


class _Settled(_Action):
    """An action whose consequences wait for the platform's answer: `then` go out once it is
    done, `otherwise` once it failed for good (`bot.outbox.sender`). A join request withdrawn,
    or decided by an admin in the app, is refused when the bot decides it, and its requester
    must not then be told they were let in.

    `refused` replaces `otherwise` for a refusal of one kind (`PlatformError.why`: a request
    gone, a requester already in). `ref` names the record the outcome is written on
    (`bot.outbox.sender.Recorder`), e.g. "entry:<application id>"."""

    then: tuple[FollowUp, ...] = ()
    otherwise: tuple[FollowUp, ...] = ()
    refused: dict[str, tuple[FollowUp, ...]] = Field(default_factory=dict)
    ref: str | None = None


class ApproveJoinRequest(_Settled):
    kind: Literal["approve_join_request"] = "approve_join_request"
    user_id: str


class DeclineJoinRequest(_Settled):
    kind: Literal["decline_join_request"] = "decline_join_request"
    user_id: str


class Unrestrict(_Settled):
    """Lift a member's restriction. `if_held`: the platform is asked first whether they are
    restricted at all, and when not nothing is lifted and `refused["nothing_to_lift"]` follows
    (an operator's /unmute of someone not muted is told so, not "lifted")."""

    kind: Literal["unrestrict"] = "unrestrict"
    user_id: str
    if_held: bool = False


class Unban(_Settled):
    """Lift a ban; used after a ban to remove a member without banning them for good.
    `if_held` as for `Unrestrict`, for a member not banned."""

    kind: Literal["unban"] = "unban"
    user_id: str
    if_held: bool = False


class SetChatPermissions(_Action):
    """Open or close the whole group for posting (ends a flash group's countdown with `close`)."""

    kind: Literal["set_chat_permissions"] = "set_chat_permissions"
    can_send_messages: bool


class LeaveChat(_Action):
    """The bot leaves the group (the last step of dissolving a flash group)."""

    kind: Literal["leave_chat"] = "leave_chat"


class SendInviteLink(_Action):
    """Make a one-use invite link to the group `chat_id` and send `notice` with it as a button
    labelled `button`: a removed member's way back into a private group, which has no other.
    When the platform makes none (the bot may not invite users, or the platform has no such
    links), the messages `otherwise` go instead (`bot.outbox.sender`)."""

    kind: Literal["send_invite_link"] = "send_invite_link"
    notice: SendMessage
    button: str
    expire: datetime | None = None
    otherwise: tuple[SendMessage, ...] = ()


class Halt(BaseModel):
    """Not sent anywhere: tells the dispatcher to run no further handlers for this event."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["halt"] = "halt"
    reason: str


Action = Annotated[
    SendMessage
    | SendPoll
    | EditMessageText
    | DeleteMessage
    | PinMessage
    | UnpinMessage
    | Restrict
    | Unrestrict
    | Ban
    | Unban
    | BanSenderChat
    | UnbanSenderChat
    | ApproveJoinRequest
    | DeclineJoinRequest
    | AnswerCallback
    | SetChatPermissions
    | LeaveChat
    | SendInviteLink,
    Field(discriminator="kind"),
]

ACTION_ADAPTER: TypeAdapter[Action] = TypeAdapter(Action)


def action_to_json(action: Action) -> dict:
    return action.model_dump(mode="json")


def action_from_json(data: dict) -> Action:
    return ACTION_ADAPTER.validate_python(data)
