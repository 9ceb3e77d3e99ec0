"""Folding one group record into another when Telegram turns a group into a supergroup.

The upgrade gives the chat a new id. Updates of the old and the new chat are queued per chat,
so the new chat's first messages (and its `migrate_from_chat_id` notice) can be processed before
the old chat's `migrate_to_chat_id` notice, and old-chat backlog can even recreate a record for
the old id after the move. Whenever two records exist for one chat, everything the absorbed
record owns moves onto the survivor; nothing is deleted except true duplicates:

- members: one row per person, counts summed, the most recent status and the higher role kept;
- a row that would break a UNIQUE constraint of its table (the same day's check-in, the same
  `ref` already paid in the points ledger, the same report) exists on both sides: the
  survivor's copy is kept, so a thing is never paid twice;
- everything else (ledger rows, homework, red packets, verifications, jobs...) moves as is,
  so a member's points are the sum of both records;
- check-in streaks are recomputed over the merged days, so a streak spanning the upgrade lives on;
- numbers a group gives its rows (countdown #1) are shifted past the survivor's highest
  (`bot.groups.numbering`), so the merged group has no two #1s;
- settings: the survivor's sections win, sections only the absorbed record had are kept.

Tables are found from the metadata (every table with a foreign key to `groups.id`), so a
capability added later is carried along without touching this module. So are lists of group
ids kept inside a JSON column (a job's target, `{"groups": [ids]}`): a table names them in
`info["group_lists"]` (column name -> key of the list), and the absorbed id in them becomes
the survivor's.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import String, Table, and_, bindparam, cast, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import Base
from bot.db.models import Group, Member
from bot.groups.numbering import renumber_absorbed

ROLE_RANK = {"member": 0, "operator": 1, "admin": 2, "owner": 3}


def group_tables() -> list[tuple[Table, str]]:
    """(table, column) for every column that references `groups.id`."""
    found = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == Group.__tablename__ and fk.column.name == "id":
                found.append((table, fk.parent.name))
    return found


async def merge_groups(session: AsyncSession, survivor: Group, absorbed: Group) -> None:
    """Move everything `absorbed` owns onto `survivor`, then delete `absorbed`."""
    await _merge_members(session, survivor.id, absorbed.id)
    streak_users = await _users_with_checkins_on_both(session, survivor.id, absorbed.id)
    await renumber_absorbed(session, survivor, absorbed)
    for table, column in group_tables():
        if table.name == Member.__tablename__:
            continue
        await _move_rows(session, table, column, survivor.id, absorbed.id)
    await _repoint_group_lists(session, survivor.id, absorbed.id)
    survivor.settings = {**(absorbed.settings or {}), **(survivor.settings or {})}
    survivor.title = survivor.title or absorbed.title
    await session.flush()
    # The absorbed row owns nothing any more, so its cascades have nothing left to delete.
    await session.execute(delete(Group).where(Group.id == absorbed.id))
    session.expunge(absorbed)
    await recompute_streaks(session, survivor.id, streak_users)


async def _merge_members(session: AsyncSession, keep: int, drop: int) -> None:
    rows = list(await session.scalars(select(Member).where(Member.group_id.in_((keep, drop)))))
    kept = {m.user_id: m for m in rows if m.group_id == keep}
    for other in (m for m in rows if m.group_id == drop):
        mine = kept.get(other.user_id)
        if mine is None:
            other.group_id = keep
            continue
        _fold_member(mine, other)
        await session.delete(other)
    await session.flush()


def _fold_member(mine: Member, other: Member) -> None:
    """Combine two rows of one person; the more recently seen row says what is current."""
    mine.message_count = (mine.message_count or 0) + (other.message_count or 0)
    if ROLE_RANK.get(other.role, 0) > ROLE_RANK.get(mine.role, 0):
        mine.role = other.role
    mine.tags = list(dict.fromkeys([*(mine.tags or []), *(other.tags or [])]))
    mine.source = mine.source or other.source
    joins = [at for at in (mine.joined_at, other.joined_at) if at is not None]
    mine.joined_at = min(joins) if joins else None
    mutes = [at for at in (mine.muted_until, other.muted_until) if at is not None]
    mine.muted_until = max(mutes) if mutes else None
    if other.last_seen_at and (mine.last_seen_at is None or other.last_seen_at > mine.last_seen_at):
        mine.last_seen_at = other.last_seen_at
        mine.status, mine.left_at = other.status, other.left_at
        mine.display_name = other.display_name or mine.display_name
        mine.username = other.username or mine.username


async def _move_rows(session: AsyncSession, table: Table, column: str, keep: int, drop: int):
    """Re-point `table.column` from `drop` to `keep`, dropping rows a UNIQUE makes duplicates."""
    for columns in _unique_sets_with(table, column):
        twin = table.alias("twin")
        same = [twin.c[column] == keep] + [twin.c[name] == table.c[name] for name in columns]
        await session.execute(
            delete(table)
            .where(table.c[column] == drop, exists(select(twin.c[column]).where(and_(*same))))
            .execution_options(synchronize_session=False)
        )
    await session.execute(
        update(table)
        .where(table.c[column] == drop)
        .values({column: keep})
        .execution_options(synchronize_session=False)
    )


async def _repoint_group_lists(session: AsyncSession, keep: int, drop: int) -> None:
    for table in Base.metadata.sorted_tables:
        for name, key in table.info.get("group_lists", {}).items():
            column = table.c[name]
            # The text test only narrows the rows read; each list is then checked id by id.
            rows = await session.execute(
                select(table.c.id, column).where(cast(column, String).contains(str(drop)))
            )
            for row_id, doc in rows.all():
                ids = [int(i) for i in (doc or {}).get(key) or ()]
                if drop not in ids:
                    continue
                kept = list(dict.fromkeys(keep if i == drop else i for i in ids))
                await session.execute(
                    update(table).where(table.c.id == row_id).values({name: {**doc, key: kept}})
                    .execution_options(synchronize_session=False)
                )


def _unique_sets_with(table: Table, column: str) -> list[list[str]]:
    """The other columns of each UNIQUE constraint of `table` that includes `column`."""
    sets = []
    for constraint in table.constraints:
        if type(constraint).__name__ != "UniqueConstraint":
            continue
        names = [c.name for c in constraint.columns]
        if column in names:
            sets.append([name for name in names if name != column])
    return sets


async def _users_with_checkins_on_both(session: AsyncSession, keep: int, drop: int) -> set[str]:
    table = Base.metadata.tables.get("checkins")
    if table is None:
        return set()
    users: dict[int, set[str]] = {keep: set(), drop: set()}
    for group_id, user_id in await session.execute(
        select(table.c.group_id, table.c.user_id).where(table.c.group_id.in_((keep, drop)))
    ):
        users[group_id].add(user_id)
    return users[keep] & users[drop]


async def recompute_streaks(session: AsyncSession, group_id: int, user_ids: set[str]) -> None:
    """Streaks again from the calendar days: consecutive days continue, a gap restarts at 1."""
    table = Base.metadata.tables.get("checkins")
    if table is None or not user_ids:
        return
    rows = await session.execute(
        select(table.c.id, table.c.user_id, table.c.local_date, table.c.streak)
        .where(table.c.group_id == group_id, table.c.user_id.in_(sorted(user_ids)))
        .order_by(table.c.user_id, table.c.local_date)
    )
    previous: tuple[str, object, int] | None = None
    fixes = []
    for row_id, user_id, day, streak in rows.all():
        alive = previous is not None and previous[0] == user_id
        alive = alive and previous[1] == day - timedelta(days=1)
        fixed = previous[2] + 1 if alive else 1
        if fixed != streak:
            fixes.append({"row_id": row_id, "fixed": fixed})
        previous = (user_id, day, fixed)
    if fixes:
        # One statement executed for many rows, not one round trip per row.
        await session.execute(
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values(streak=bindparam("fixed"))
            .execution_options(synchronize_session=False),
            fixes,
        )
