"""Forum topics of jobs: a job made by a command typed in a topic posts there, not in the
group's General topic (where members of a forum reading that topic would never see it)."""

from __future__ import annotations

from bot.core.actions import Action, SendMessage, SendPoll


def in_topic(thread_id: str | None, chat: str, actions: list[Action]) -> list[Action]:
    """`actions` with the messages and polls they post in `chat` sent to the forum topic
    `thread_id` (a job's own group, not the chats of its operator notes); what follows a post
    (its pin, edits, unpin) names the message and needs no topic."""
    if thread_id is None:
        return actions
    return [_to_topic(action, chat, thread_id) for action in actions]


def _to_topic(action: Action, chat: str, thread_id: str) -> Action:
    update: dict = {}
    mine = isinstance(action, SendMessage | SendPoll) and action.chat_id == chat
    if mine and action.thread_id is None:
        update["thread_id"] = thread_id
    if isinstance(action, SendMessage) and action.otherwise:
        # An operator note the creator's private chat refuses goes to the group: to the topic
        # the job was made in, where the operator made it.
        update["otherwise"] = tuple(_to_topic(o, chat, thread_id) for o in action.otherwise)
    return action.model_copy(update=update) if update else action
