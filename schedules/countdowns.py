"""Countdowns as job rows: one one-off job per reminder mark and one for the end action.

All rows of a countdown share `countdown_id`, the number operators see in `/countdown list`
and the API, and pass to `/countdown cancel`: the group's countdowns numbered 1, 2, 3...
One countdown is several jobs, so numbering them by a job's id had the numbers skip (3, 7,
12) and an operator typing one had to look it up. A number is never given twice in a group,
not even once its countdown is cancelled or over (`bot.groups.numbering`): an operator's note
"cancel #3" must not cancel a newer countdown.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Group
from bot.groups.numbering import next_number
from bot.web.pages import Page
from schedules.countdown import CountdownRequest
from schedules.models import COUNTDOWN_EDIT, COUNTDOWN_END, COUNTDOWN_MARK, ScheduledJob
from schedules.spec import Once
from schedules.store import create_job, firing_key, record_change

_PIN = re.compile(r"pin|置顶", re.IGNORECASE)
_UPDATE = re.compile(r"update|单条", re.IGNORECASE)
_OPTION = re.compile(r"(?:marks|提醒|end|结束)[=＝]\S+", re.IGNORECASE)


def split_flags(args: str) -> tuple[str, bool, bool]:
    """Take the `pin` (置顶) and `update` (单条) flags off the end of the arguments: (the rest,
    pin, update).

    Flags follow the text (`/countdown <deadline> <text> [marks=..] [end=..] [pin] [update]`),
    so only trailing words, among the options, are read as flags: "Big update launch" keeps
    its word, and the text keeps its lines.
    """
    pin = update = False
    cuts: list[tuple[int, int]] = []
    for word in reversed(list(re.finditer(r"\S+", args))):
        if _PIN.fullmatch(word[0]):
            pin = True
        elif _UPDATE.fullmatch(word[0]):
            update = True
        elif _OPTION.fullmatch(word[0]):
            continue
        else:
            break
        cuts.append(word.span())
    for start, end in cuts:  # last first, so earlier offsets stay valid
        args = args[:start] + args[end:]
    return args.strip(), pin, update


async def create_countdown(
    session: AsyncSession,
    group: Group,
    request: CountdownRequest,
    *,
    pin: bool,
    now: datetime,
    created_by: str | None = None,
    update: bool = False,
    thread_id: str | None = None,
) -> tuple[ScheduledJob, int]:
    """Store the end job and the reminder jobs still ahead, posting in the forum topic
    `thread_id` if given; returns (end job, reminders).

    With `update`, the first reminder posts a message and each later one edits it (its payload
    names the first one's outbox key), so the group sees one message counting down; the end
    edits it to say the countdown is over, and unpins it.
    """
    fires = request.plan(now)  # raises for a past deadline before anything is stored
    number = str(await next_number(session, group, ScheduledJob.countdown_id,
                                   ScheduledJob.group_id))
    end = await create_job(
        session,
        spec=Once(at=request.deadline, tz=request.tz),
        now=now,
        group=group,
        kind=COUNTDOWN_END,
        payload={"text": request.text, "end": request.end, "pin": pin},
        # Closing or dissolving must happen however late the scheduler gets to it.
        grace=None,
        created_by=created_by,
        thread_id=thread_id,
    )
    end.countdown_id = number
    first_key: str | None = None
    for fire in sorted(fires, key=lambda f: f.at):
        payload = {
            "text": request.text,
            "left_seconds": int(fire.left.total_seconds()),
            "pin": pin,
        }
        kind = COUNTDOWN_MARK
        if update and first_key is not None:
            kind, payload["edit_key"] = COUNTDOWN_EDIT, first_key
        mark = await create_job(
            session,
            spec=Once(at=fire.at, tz=request.tz),
            now=now,
            group=group,
            kind=kind,
            payload=payload,
            countdown_id=end.countdown_id,
            created_by=created_by,
            thread_id=thread_id,
        )
        if update and first_key is None:
            await session.flush()
            assert mark.next_run_at is not None
            first_key = f"{firing_key(mark.id, mark.next_run_at)}:0"
            # The end edits that message too: a pinned "1 hour left" must not outlive the end.
            end.payload = {**end.payload, "edit_key": first_key}
    await session.flush()
    return end, len(fires)


async def running_countdowns(
    session: AsyncSession, group_id: int, page: Page | None = None
) -> list[ScheduledJob]:
    """End jobs of the group's countdowns that have not ended yet, soonest first; with `page`,
    that page of them (and one more, see `Page.of`)."""
    statement = (
        select(ScheduledJob)
        .where(
            ScheduledJob.group_id == group_id,
            ScheduledJob.kind == COUNTDOWN_END,
            ScheduledJob.next_run_at.is_not(None),
        )
        # The id breaks ties so that pages neither skip nor repeat countdowns ending together.
        .order_by(ScheduledJob.next_run_at, ScheduledJob.id)
    )
    rows = await session.scalars(page.of(statement) if page else statement)
    return list(rows)


async def cancel_countdown(
    session: AsyncSession, group_id: int, countdown_id: str, now: datetime
) -> list[int]:
    """Delete every job of the countdown; returns their ids (none when the group has no such
    countdown), so the caller can drop their timers."""
    mine = (ScheduledJob.group_id == group_id, ScheduledJob.countdown_id == countdown_id)
    ids = list(await session.scalars(select(ScheduledJob.id).where(*mine)))
    for job_id in ids:
        record_change(session, job_id, now)
    await session.execute(delete(ScheduledJob).where(*mine))
    return ids
