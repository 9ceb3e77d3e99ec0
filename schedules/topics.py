"""Forum topics of jobs: a job made by a command typed in a topic posts there, not in the
group's General topic (where members of a forum reading that topic would never see it)."""

from __future__ import annotations

from bot.core.actions import Action, SendMessage, SendPoll
from schedules.models import ScheduledJob


def in_topic(job: ScheduledJob, chat: str, actions: list[Action]) -> list[Action]:
    """`actions` with the messages and polls they post in `chat` sent to the forum topic of
    `job` (a job's own group, not the chats of its operator notes); what follows a post (its
    pin, edits, unpin) names the message and needs no topic. A post the topic refuses goes to
    the General topic, and the job is told (`topic_gone`)."""
    if job.thread_id is None:
        return actions
    return [_to_topic(action, chat, job.thread_id, f"job:{job.id}") for action in actions]


def _to_topic(action: Action, chat: str, thread_id: str, ref: str) -> Action:
    update: dict = {}
    mine = isinstance(action, SendMessage | SendPoll) and action.chat_id == chat
    if mine and action.thread_id is None:
        update |= {"thread_id": thread_id, "topic_of": ref}
    if isinstance(action, SendMessage) and action.otherwise:
        # An operator note the creator's private chat refuses goes to the group: to the topic
        # the job was made in, where the operator made it.
        update["otherwise"] = tuple(_to_topic(o, chat, thread_id, ref) for o in action.otherwise)
    return action.model_copy(update=update) if update else action
