"""The leader reads each group's administrators and member count from the platform.

A platform tells a bot about members only from the moment it is in a group, so the admins a
group had before the bot arrived looked like ordinary members (their commands refused, their
first announcements judged by the ad filter's new-member rules), and a greeting counted only the
members the bot had seen ("member number 3" in a group of 500). Both are read when the group is
first seen, again every `interval` (changes can be missed while the bot is down), and soon after
the bot's own membership changes, and on taking the lead (a restart). So are the bot's own
rights, which the platform otherwise tells only as they change: granted while the bot was down,
the right to restrict would stay unknown (verification paused) until the next change, and a
right taken away would go untold to the operators. What the rights read means is the
capabilities' business (`on_rights`); the notes it returns are sent through the outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.actions import Action
from bot.core.events import User
from bot.db.models import Group, Member, utcnow
from bot.groups.repository import ADMIN_STATUSES, GONE
from bot.loop import DrainLoop
from bot.outbox.pacing import Pacer
from bot.outbox.store import enqueue
from bot.platforms.base import (
    BotRights,
    Platform,
    PlatformError,
    RetryAfter,
    TransientError,
)

log = structlog.get_logger(__name__)

# Records what the platform says of the bot's rights in a group, returning what to tell
# (operator notes); the capabilities that depend on them decide where they are kept.
RightsRecorder = Callable[[Group, BotRights], Sequence[Action]]

GROUP_TYPES = ("group", "supergroup")
ADMIN_ROLES = frozenset(ADMIN_STATUSES.values())


async def apply_admins(
    session: AsyncSession, group_id: int, admins: list[tuple[User, str]]
) -> None:
    """Make the member rows of a group agree with its list of (admin, platform status)."""
    listed = {user.id: (user, ADMIN_STATUSES[status]) for user, status in admins}
    rows = await session.scalars(
        select(Member).where(
            Member.group_id == group_id,
            or_(Member.user_id.in_(listed), Member.role.in_(ADMIN_ROLES)),
        )
    )
    known = set()
    for member in rows:
        known.add(member.user_id)
        if member.role == "operator":
            continue  # named by the group's own settings, which outrank the platform
        if member.user_id in listed:
            member.role = listed[member.user_id][1]
        else:
            member.role = "member"  # demoted while no update told us
    for user_id, (user, role) in listed.items():
        if user_id not in known:
            session.add(
                Member(
                    group_id=group_id,
                    user_id=user_id,
                    display_name=user.name,
                    username=user.username,
                    is_bot=user.is_bot,
                    role=role,
                    tags=[],
                )
            )


class GroupSync(DrainLoop):
    """Reads the administrators and member count of groups not read for `interval`, a few
    groups a round."""

    name = "group-sync"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        platforms: Mapping[str, Platform],
        pacer: Pacer,
        poll_interval: float = 30.0,
        interval: timedelta = timedelta(hours=6),
        retry: timedelta = timedelta(minutes=5),
        batch: int = 5,
        clock: Callable[[], datetime] = utcnow,
        on_rights: RightsRecorder | None = None,
        on_outbox: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(poll_interval)
        self._sessions = sessions
        self._platforms = platforms
        self._pacer = pacer  # the sender's: these calls share the bot's rate limit with sends
        self.interval = interval
        self.retry = retry
        self.batch = batch
        self.clock = clock
        self._on_rights = on_rights
        self._on_outbox = on_outbox

    async def read_all_soon(self) -> None:
        """Make every group the bot is in due now: what changed while no replica led (admins,
        the bot's own rights) is read, at the loop's pace."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(Group)
                .where(or_(Group.bot_status.is_(None), Group.bot_status.not_in(list(GONE))))
                .values(sync_after=None)
            )

    async def run_once(self) -> int:
        now = self.clock()
        async with self._sessions() as session:
            due = (
                await session.execute(
                    select(Group.id, Group.platform, Group.chat_id)
                    .where(
                        Group.chat_type.in_(GROUP_TYPES),
                        Group.platform.in_(list(self._platforms)),
                        or_(Group.bot_status.is_(None), Group.bot_status.not_in(list(GONE))),
                        or_(Group.sync_after.is_(None), Group.sync_after <= now),
                    )
                    .order_by(Group.id)
                    .limit(self.batch)
                )
            ).all()
        for group_id, platform_name, chat_id in due:
            await self._sync(group_id, self._platforms[platform_name], chat_id, now)
        return len(due)

    async def _sync(self, group_id: int, platform: Platform, chat_id: str, now: datetime) -> None:
        admins: list[tuple[User, str]] | None = None
        count: int | None = None
        rights: BotRights | None = None
        sync_after = now + self.interval
        try:
            await self._pacer.acquire(chat_id, is_message=False, is_group=True)
            admins = await platform.get_administrators(chat_id)
            if self._on_rights is not None:
                await self._pacer.acquire(chat_id, is_message=False, is_group=True)
                rights = await platform.bot_rights(chat_id)
            await self._pacer.acquire(chat_id, is_message=False, is_group=True)
            count = await platform.member_count(chat_id)
            read_at = self.clock()  # joins recorded after this are not in `count`
        except RetryAfter as exc:
            self._pacer.pause(exc.seconds)
            sync_after = now + self.retry
        except TransientError as exc:
            log.info("group.sync_later", chat=chat_id, reason=exc.description)
            sync_after = now + self.retry
        except PlatformError as exc:
            # The bot was removed, or the chat is gone: try again only after a full interval.
            log.info("group.unreadable", chat=chat_id, reason=exc.description)
        async with self._sessions() as session, session.begin():
            # Locked: a handler's change to the group's settings under way commits before they
            # are read here, so writing the rights into them does not undo it.
            group = await session.get(Group, group_id, with_for_update=True)
            if group is None:
                return
            if admins is not None:
                await apply_admins(session, group_id, admins)
                log.info("group.synced", chat=chat_id, admins=len(admins), members=count,
                         rights=rights)
            notes: Sequence[Action] = ()
            if rights is not None and self._on_rights is not None:
                notes = self._on_rights(group, rights)
                # Keyed by the read: a note is made once per change, as `on_rights` decides.
                await enqueue(session, group.platform, notes,
                              key=f"rights:{group_id}:{now.timestamp()}", now=now)
            if count is not None:
                group.member_count, group.synced_at = count, read_at
            group.sync_after = sync_after
        if notes:
            self._on_outbox()
