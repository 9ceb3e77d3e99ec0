"""Topic of the day on a schedule: `/topic schedule <when>` (e.g. `每天 09:00`, `daily 21:00`).

The shipped topics become a looping content series per language (`topics-zh` / `topics-en`,
shared by every group, like any series), and a series job posts the group's next topic at each
firing, from the series of the group's language at that moment (a group switched to English
mid-way gets English topics); so the schedule is listed, paused and removed with `/schedule`
like every other post.
"""

from __future__ import annotations

import random

from sqlalchemy.exc import IntegrityError

from bot.core.actions import Action, SendMessage
from bot.core.context import Context
from bot.core.i18n import LANGUAGES, translate
from handlers.entry_texts import QUESTIONS, TOPICS
from handlers.icebreaker_rounds import start_round
from schedules import models as _models  # noqa: F401  (registers the tables on Base.metadata)
from schedules import texts as _texts  # noqa: F401  (registers the texts)
from schedules.describe import describe
from schedules.errors import ScheduleError
from schedules.models import ICEBREAKER_ROUND, SERIES, ContentSeries
from schedules.posts import register_kind
from schedules.series import add_item, create_series, find_series
from schedules.store import create_job, firing_key
from schedules.syntax import parse_schedule


async def topic_series(ctx: Context, lang: str) -> ContentSeries:
    """The shipped topics of `lang` as a series, created on first use."""
    name = f"topics-{lang}"
    found = await find_series(ctx.session, name)
    if found is not None:
        return found
    try:
        async with ctx.session.begin_nested():
            series = await create_series(ctx.session, name, ctx.now, reserved_ok=True)
            for topic in TOPICS[lang]:
                await add_item(ctx.session, series, translate(lang, "topic.post", topic=topic))
        return series
    except (IntegrityError, ScheduleError):
        # Another group created it at the same moment: use theirs.
        found = await find_series(ctx.session, name)
        assert found is not None
        return found


async def schedule_topics(
    ctx: Context, phrase: str, operator_id: str | None, thread_id: str | None = None
) -> str:
    """Create the group's topic-of-the-day job, posting in the forum topic `thread_id` if
    given (the one the command was typed in); returns the reply text."""
    assert ctx.group is not None
    try:
        parsed = parse_schedule(phrase, ctx.tz, now=ctx.now)
    except ScheduleError as exc:
        return exc.message(ctx.lang)
    if parsed.text.strip():
        return ctx.t("topic.schedule_usage")
    by_lang = {lang: (await topic_series(ctx, lang)).id for lang in LANGUAGES}
    try:
        job = await create_job(
            ctx.session,
            spec=parsed.spec,
            now=ctx.now,
            group=ctx.group,
            kind=SERIES,
            # Topics go round for ever: no "starting again" note in the group at each round.
            payload={
                "series_id": by_lang[ctx.lang],
                "series_by_lang": by_lang,
                "loop": True,
                "quiet_end": True,
                "text": "",
            },
            phrase=phrase,
            created_by=operator_id,
            thread_id=thread_id,
        )
    except ScheduleError as exc:
        return exc.message(ctx.lang)
    when = describe(parsed.spec, ctx.lang, ctx.tz.key)
    next_run = (
        job.next_run_at.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M") if job.next_run_at else "-"
    )
    return ctx.t("topic.scheduled", id=job.id, when=when, next=next_run)


_rng = random.SystemRandom()


async def scheduled_round(session, job, group, fire_at, lang, tz) -> list[Action]:
    """An icebreaker round posted by a job (`/schedule add 每天 15:00 破冰`): the question, and
    a round like a `/icebreaker` one, ending (result, points) the one still running first."""
    question = _rng.choice(QUESTIONS[lang])
    await start_round(
        session,
        group,
        question=question,
        question_key=f"{firing_key(job.id, fire_at)}:0",
        at=fire_at,
        now=fire_at,
        lang=lang,
        tz=tz,
    )
    text = translate(lang, "icebreaker.post", question=question)
    return [SendMessage(chat_id=group.chat_id, text=text)]


register_kind(ICEBREAKER_ROUND, scheduled_round)
