"""Leased work on files members posted (a photo to check for QR codes, a member list to
import): rows are claimed like any leased check, and each file is fetched through its group's
platform within the worker's size and time limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import leases
from bot.db.models import Group, utcnow
from bot.dispatch import Dispatcher
from bot.leases import Clock
from bot.platforms.base import PermanentError, Platform


@runtime_checkable
class FileDownloads(Protocol):
    """A platform that can hand us the bytes of a file members posted."""

    async def download_file(self, file_id: str, *, max_bytes: int, time_limit: float) -> bytes:
        """The file's bytes; PlatformError subclasses say whether a retry can help."""


@dataclass(frozen=True)
class FileClaim(leases.Claim):
    file_id: str | None


@dataclass(frozen=True)
class DownloadLimits(leases.LeaseLimits):
    max_bytes: int = 10 * 1024 * 1024
    time_limit: float = 30.0  # seconds for one download, start to last byte


class DownloadedFiles(leases.LeasedChecks):
    """A leased check whose rows (`model`: `group_id`, `file_id`) each name a file to fetch."""

    limits: DownloadLimits
    default_limits: type[DownloadLimits] = DownloadLimits

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        platforms: dict[str, Platform],
        dispatcher: Dispatcher,
        poll_interval: float,
        limits: DownloadLimits | None = None,
        on_outbox: Callable[[], None] = lambda: None,
        clock: Clock = utcnow,
    ) -> None:
        super().__init__(sessions, dispatcher, poll_interval, limits or self.default_limits(),
                         on_outbox, clock)
        self._platforms = platforms

    async def _claim(self) -> list[FileClaim]:
        now = self.clock()
        model = self.model
        query = (
            select(model, Group.platform)
            .join(Group, Group.id == model.group_id)
            .where(leases.due(model, now, self.limits.lease))
            .order_by(model.id)
            .limit(self.limits.batch)
            .with_for_update(skip_locked=True, of=model)
        )
        async with self._sessions.begin() as session:
            rows = (await session.execute(query)).all()
            claims = []
            for row, platform in rows:
                leases.take(row, now)
                claims.append(FileClaim(row.id, now, row.attempts, platform, row.file_id))
        return claims

    async def _download(self, claim: FileClaim) -> bytes:
        platform = self._platforms.get(claim.platform)
        if not isinstance(platform, FileDownloads):
            raise PermanentError(f"platform {claim.platform!r} cannot download files")
        if not claim.file_id:
            raise PermanentError("the message named no file")
        return await platform.download_file(
            claim.file_id, max_bytes=self.limits.max_bytes, time_limit=self.limits.time_limit
        )
