"""Icebreakers: recognise self-introductions, post topics of the day and question rounds.

An introduction is a message of at least `intro_min_chars` among a newcomer's first
`INTRO_MESSAGES` within `intro_within_hours` of joining, or any message tagged #自我介绍 /
#intro by someone not yet tagged; it is thanked and the member gets the tag "introduced".
Topics of the day can also be posted on a schedule (`handlers.icebreaker_schedule`). An
`/icebreaker` round's question goes out under a known outbox key, so replies to it are counted
until the round ends; then who answered is posted and paid (`handlers.icebreaker_rounds`).
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

from bot.core.actions import Action, SendMessage, over_limit, text_length
from bot.core.context import Context
from bot.core.events import Event, EventKind
from bot.core.router import COMMAND_MAX_AGE, Router
from bot.outbox.store import enqueue
from handlers.entry_config import IcebreakerConfig, load
from handlers.entry_texts import QUESTIONS, TOPICS
from handlers.icebreaker_rounds import count_reply, start_round
from handlers.icebreaker_schedule import schedule_topics
from handlers.welcome_batch import mention

router = Router("icebreaker")

# "#intro" or "#introduction" as a whole hashtag ("#introvert" is not one); a Chinese tag runs
# into the text after it ("#自我介绍一下").
INTRO_TAG = re.compile(r"#自我介绍|#intro(?:duction)?(?![a-z0-9_])", re.IGNORECASE)
INTRODUCED = "introduced"
# Newcomers often say "hi" (or "谢谢邀请") before they introduce themselves.
INTRO_MESSAGES = 3
_rng = random.SystemRandom()


def _plain_message(event: Event) -> bool:
    # Group chatter only: a private message is not an introduction, nor a "group only" error.
    return event.chat.is_group and event.command is None and bool(event.text)


def is_introduction(event: Event, ctx: Context) -> bool:
    """Whether this message is the member's self-introduction (see the module docstring)."""
    member = ctx.member
    if member is None or INTRODUCED in (member.tags or []):
        return False
    if event.user is None or event.user.is_bot:
        # Posted as a channel or by an anonymous admin: the member row is Telegram's placeholder,
        # the same for every such poster, so the first one tagged would speak for all.
        return False
    text = event.text or ""
    if INTRO_TAG.search(text):
        return True
    config = load(ctx.group, IcebreakerConfig)
    recent = member.joined_at is not None and ctx.now - member.joined_at <= timedelta(
        hours=config.intro_within_hours
    )
    early = member.message_count <= INTRO_MESSAGES
    return recent and early and len(text.strip()) >= config.intro_min_chars


@router.on(EventKind.MESSAGE, when=_plain_message, group_only=True)
async def on_message(event: Event, ctx: Context) -> list[Action]:
    """Thank introductions and count replies to a running icebreaker round."""
    actions: list[Action] = []
    introduced = is_introduction(event, ctx)
    if introduced:
        ctx.member.tags = [*(ctx.member.tags or []), INTRODUCED]
    # An introduction replayed from a backlog after downtime is tagged but not thanked: thanks
    # for a message long scrolled away read as the bot talking to itself.
    if introduced and ctx.now - event.at <= COMMAND_MAX_AGE:
        name = mention(event.user.id, event.user.name) if event.user else ""
        actions.append(
            SendMessage(
                chat_id=event.chat.id,
                text=ctx.t("intro.thanks", name=name),
                html=True,
                reply_to=event.message_id,
            )
        )
    await _count_round_reply(event, ctx)
    return actions


async def _count_round_reply(event: Event, ctx: Context) -> None:
    if not event.reply_to_message_id or event.user is None or ctx.group is None:
        return
    if event.user.is_bot:
        # Posted as a channel or by an anonymous admin: the sender is Telegram's placeholder,
        # one for every such poster, so no participant to name and pay.
        return
    # When it was sent, not when it is read: after downtime the backlog arrives late.
    await count_reply(
        ctx.session, ctx.group, event.user.id, event.reply_to_message_id, event.at, ctx.tz
    )


@router.command(
    "topic",
    description={"zh": "发布今日话题", "en": "Post a topic of the day"},
    operator_only=True,
    group_only=True,
)
async def topic_command(event: Event, ctx: Context) -> list[Action]:
    """`/topic [text]`: the operator's topic, or one from the shipped list;
    `/topic schedule <when>` posts the shipped topics in turn on that schedule."""
    verb, _, phrase = event.args.strip().partition(" ")
    if verb.lower() == "schedule":
        operator = event.user.id if event.user else None
        text = await schedule_topics(ctx, phrase.strip(), operator, event.thread_id)
        return [SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)]
    topic = event.args.strip() or _rng.choice(TOPICS[ctx.lang])
    text = ctx.t("topic.post", topic=topic)
    if refused := _too_long(event, ctx, text, topic, "topic.too_long"):
        return refused
    return [SendMessage(chat_id=event.chat.id, text=text)]


@router.command(
    "icebreaker",
    description={"zh": "开始一轮破冰问答", "en": "Start an icebreaker question round"},
    operator_only=True,
    group_only=True,
)
async def icebreaker_command(event: Event, ctx: Context) -> list[Action]:
    """Post a question; replies to it within `round_minutes` are counted, then the result is
    posted and paid. A round still running ends first, so its result comes before the question."""
    assert ctx.group is not None
    question = event.args.strip() or _rng.choice(QUESTIONS[ctx.lang])
    text = ctx.t("icebreaker.post", question=question)
    if refused := _too_long(event, ctx, text, question, "icebreaker.too_long"):
        return refused  # before the round: one never asked must not end the running one
    key = f"icebreaker:{ctx.group.id}:{event.update_id}"
    await start_round(
        ctx.session,
        ctx.group,
        question=question,
        question_key=f"{key}:0",
        at=ctx.now,
        now=ctx.now,
        lang=ctx.lang,
        tz=ctx.tz,
    )
    message = SendMessage(chat_id=event.chat.id, text=text, thread_id=event.thread_id)
    await enqueue(ctx.session, ctx.platform, [message], key=key, now=ctx.now)
    return []


def _too_long(event: Event, ctx: Context, text: str, given: str, key: str) -> list[Action]:
    """The refusal of `given` when `text`, the message it makes, is past the platform's limit
    (and would fail at the sender, unseen); the limit it names is the room `given` has."""
    over = over_limit(text)
    if over <= 0:
        return []
    length = text_length(given)
    refusal = ctx.t(key, limit=length - over, length=length)
    return [SendMessage(chat_id=event.chat.id, text=refusal, reply_to=event.message_id)]
