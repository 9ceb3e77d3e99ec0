"""Where a note meant for a group's operators goes, never in front of its members.

A series run out, an inactivity check's report, raid alerts, verification paused for want of a
right: members have no use for these, and reading "to the operators: the group is quiet" in the
group does it no good. Every such note is made here, and goes

1. to the group's operators' chat (`raid.alert_chat`) when one is set;
2. else privately to the operator who made what the note is about (a job's creator), when
   known; Telegram lets a bot write only to people who started it, so a note refused there
   goes to the group instead (`SendMessage.otherwise`);
3. else to the group.

A note shown outside its group names it: one operators' chat, or one operator, may serve many.
A note may carry buttons (a member's appeal card): whatever handles them takes a press in the
group or in its operators' chat, and checks that the presser operates the group.
"""

from __future__ import annotations

from bot.core.actions import Button, SendMessage
from bot.core.i18n import define, translate
from bot.db.models import Group
from handlers.entry_config import RaidConfig, load

define({"note.for": {"zh": "【{group}】", "en": "[{group}]"}})


def operators_chat(group: Group) -> str | None:
    """The group's operators' chat, when it has one apart from itself."""
    chat = load(group, RaidConfig).alert_chat_id
    return chat if chat and chat != group.chat_id else None


def naming(group: Group, lang: str, text: str) -> str:
    """`text` headed by the name of `group`, for a chat other than the group itself."""
    return translate(lang, "note.for", group=group.title or group.chat_id) + "\n" + text


def operator_note(group: Group, lang: str, text: str, *, creator: str | None = None,
                  buttons: tuple[tuple[Button, ...], ...] = ()) -> SendMessage:
    """The message carrying `text` to the operators of `group` (see the module's docstring).

    `creator`: the platform user id of the operator who made what the note is about; anything
    else (None, "api") is no one to write to. A note with `buttons` should have none: a press
    in a private chat has no group to be checked against.
    """
    in_group = SendMessage(chat_id=group.chat_id, text=text, buttons=buttons)
    named = naming(group, lang, text)
    chat = operators_chat(group)
    if chat is not None:
        return SendMessage(chat_id=chat, text=named, buttons=buttons)
    if creator and creator.isdecimal():
        return SendMessage(chat_id=creator, text=named, buttons=buttons, otherwise=(in_group,))
    return in_group
