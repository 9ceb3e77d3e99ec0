"""Content series: a named, ordered library of posts (a 21-day course, daily tips) that a
series job walks through one item per firing, each group keeping its own place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.pages import Page
from schedules.errors import ScheduleError
from schedules.models import ContentSeries, SeriesItem, SeriesPosition

MAX_NAME = 128
# Series the bot itself ships and shares (topic of the day): a group's admin must not be able to
# claim the name first and so put their own posts into every group's topics.
RESERVED_PREFIXES = ("topics-",)


@dataclass(frozen=True)
class SeriesStep:
    """The item one firing posts: its text, its number (1-based) and the series length."""

    text: str
    number: int
    total: int

    @property
    def last(self) -> bool:
        """True when this is the final item."""
        return self.number == self.total


def clean_name(name: str) -> str:
    """A series name as stored: one word, no surrounding space; bad names raise."""
    name = name.strip()
    if not name or len(name) > MAX_NAME or any(c.isspace() for c in name):
        raise ScheduleError("bad_series_name", name=name[:40])
    return name


async def find_series(session: AsyncSession, name: str) -> ContentSeries | None:
    """A series by its exact name."""
    return await session.scalar(select(ContentSeries).where(ContentSeries.name == name))


async def need_series(session: AsyncSession, name: str) -> ContentSeries:
    """A series by name, or a ScheduleError naming it (with how to create it)."""
    series = await find_series(session, name)
    if series is None:
        raise ScheduleError("no_series", name=name[:40])
    return series


async def create_series(
    session: AsyncSession,
    name: str,
    now: datetime,
    owner_group_id: int | None = None,
    *,
    reserved_ok: bool = False,
) -> ContentSeries:
    """A new empty series (shared when `owner_group_id` is None); a taken or (unless
    `reserved_ok`) reserved name raises."""
    name = clean_name(name)
    if not reserved_ok and name.lower().startswith(RESERVED_PREFIXES):
        raise ScheduleError("series_reserved", name=name)
    if await find_series(session, name) is not None:
        raise ScheduleError("series_exists", name=name)
    series = ContentSeries(name=name, created_at=now, owner_group_id=owner_group_id)
    session.add(series)
    await session.flush()
    return series


def check_series_rights(series: ContentSeries, group_id: int, global_operator: bool,
                        *, using: bool = False) -> None:
    """Raise unless this group may change (or, with `using`, schedule) the series.

    A group's admins change only their group's series; a shared series may be scheduled by
    any group but changed only by the bot's global operators.
    """
    if global_operator or series.owner_group_id == group_id:
        return
    if using and series.owner_group_id is None:
        return
    raise ScheduleError("series_not_yours", name=series.name)


async def add_item(session: AsyncSession, series: ContentSeries, text: str) -> int:
    """Append `text` to the series; returns its number (1-based)."""
    text = text.strip()
    if not text:
        raise ScheduleError("empty_series_item", name=series.name)
    last = await session.scalar(
        select(func.max(SeriesItem.position)).where(SeriesItem.series_id == series.id)
    )
    position = 0 if last is None else last + 1
    session.add(SeriesItem(series_id=series.id, position=position, text=text))
    await session.flush()
    return await item_count(session, series.id)


async def item_count(session: AsyncSession, series_id: int) -> int:
    """How many items the series has."""
    count = await session.scalar(
        select(func.count()).select_from(SeriesItem).where(SeriesItem.series_id == series_id)
    )
    return int(count or 0)


def _visible_to(group_id: int):
    owner = ContentSeries.owner_group_id
    return or_(owner.is_(None), owner == group_id)


async def all_series(
    session: AsyncSession, group_id: int | None = None, page: Page | None = None
) -> list[tuple[ContentSeries, int]]:
    """Every series with its item count, by name; with `group_id`, only the shared ones and
    that group's own; with `page`, that page of them (and one more, see `Page.of`)."""
    counts = (
        select(SeriesItem.series_id, func.count().label("n"))
        .group_by(SeriesItem.series_id)
        .subquery()
    )
    statement = (
        select(ContentSeries, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.series_id == ContentSeries.id)
        .where(true() if group_id is None else _visible_to(group_id))
        # Groups may each have a series of the same name: the id keeps pages from overlapping.
        .order_by(ContentSeries.name, ContentSeries.id)
    )
    rows = await session.execute(page.of(statement) if page else statement)
    return [(series, int(n)) for series, n in rows]


async def next_step(
    session: AsyncSession, series_id: int, group_id: int, *, loop: bool = False
) -> SeriesStep | None:
    """The group's next item, advancing its position; None once it has had them all (with
    `loop`, the series starts again from the first item instead)."""
    position = await session.scalar(
        select(SeriesPosition).where(
            SeriesPosition.series_id == series_id, SeriesPosition.group_id == group_id
        )
    )
    if position is None:
        position = SeriesPosition(series_id=series_id, group_id=group_id, next_position=0)
        session.add(position)
    items = list(
        await session.execute(
            select(SeriesItem.position, SeriesItem.text)
            .where(SeriesItem.series_id == series_id)
            .order_by(SeriesItem.position)
        )
    )
    if not items:
        return None
    index = next(
        (i for i, item in enumerate(items) if item.position >= position.next_position), None
    )
    if index is None:
        if not loop:
            return None
        index = 0
    position.next_position = items[index].position + 1
    return SeriesStep(items[index].text, index + 1, len(items))
