"""Numbers a group gives its own things (countdown #1, #2, #3), never given twice.

Operators keep notes ("cancel #3"), so a number once given names that thing for good: a new
one takes one past the highest the group ever gave, which the group's settings remember
(`numbers.<column>`), as rows cancelled or deleted no longer show it. A table numbering its
rows this way says so in `info["group_numbers"]` (the column holding the number, as text), so a
supergroup upgrade merging two records renumbers the absorbed record's rows past the survivor's
highest (`bot.groups.merge`) instead of leaving two #1s.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, Table, cast, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import Base
from bot.db.models import Group

SECTION = "numbers"


def _remembered(settings: dict | None, column: str) -> int:
    value = ((settings or {}).get(SECTION) or {}).get(column)
    return value if isinstance(value, int) else 0


async def _highest_row(session: AsyncSession, number: Column, group_column: Column,
                       group_id: int) -> int:
    highest = await session.scalar(
        select(func.max(cast(number, Integer))).where(
            group_column == group_id, number.is_not(None)
        )
    )
    return int(highest or 0)


def _remember(group: Group, column: str, value: int) -> None:
    settings = group.settings or {}
    group.settings = {**settings, SECTION: {**(settings.get(SECTION) or {}), column: value}}


async def next_number(session: AsyncSession, group: Group, number: Column,
                      group_column: Column) -> int:
    """The group's next number in `number`, with the group's row locked until the caller's
    transaction ends, so two made at once (the chat and the API) get two numbers."""
    stored = await session.scalar(
        select(Group.settings).where(Group.id == group.id).with_for_update()
    )
    name = number.name
    given = max(_remembered(stored, name), _remembered(group.settings, name),
                await _highest_row(session, number, group_column, group.id))
    _remember(group, name, given + 1)
    return given + 1


def numbered_tables() -> list[tuple[Table, str, str]]:
    """(table, number column, group column) for every table numbering rows per group."""
    found = []
    for table in Base.metadata.sorted_tables:
        for name in table.info.get("group_numbers", ()):
            for fk in table.foreign_keys:
                if fk.column.table.name == Group.__tablename__:
                    found.append((table, name, fk.parent.name))
    return found


async def renumber_absorbed(session: AsyncSession, survivor: Group, absorbed: Group) -> None:
    """Before `absorbed`'s rows move onto `survivor`: shift their numbers past the highest
    `survivor` gave, order kept, and have `survivor` remember the highest of both."""
    for table, name, group_column in numbered_tables():
        number, owner = table.c[name], table.c[group_column]
        base = max(_remembered(survivor.settings, name),
                   await _highest_row(session, number, owner, survivor.id))
        theirs = max(_remembered(absorbed.settings, name),
                     await _highest_row(session, number, owner, absorbed.id))
        if theirs == 0:
            continue
        await session.execute(
            update(table)
            .where(owner == absorbed.id, number.is_not(None))
            .values({name: cast(cast(number, Integer) + base, number.type)})
            .execution_options(synchronize_session=False)
        )
        _remember(survivor, name, base + theirs)
