"""The leader's worker that reads member lists handed to `/allowlist import` as files.

It claims queued `AllowlistFile` rows (`bot.leases`), downloads each through its platform
(1 MiB at most, a time limit), decodes it (`handlers.allowlist_files.decode`) and hands the
text to the dispatcher as a FILE_READ event, whose handler imports it as pasted text and
answers the command. Unlike a photo, the operator waits for an answer: a file too big, not
text, or that could not be downloaded after the last attempt is handed over too, as the
event's `file_error`, so the reply says why nothing was imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import leases
from bot.core.events import Event, EventKind
from bot.db.models import Group, utcnow
from bot.dispatch import Dispatcher
from bot.leases import Clock
from bot.media.photo_checks import FileDownloads
from bot.platforms.base import (
    FileTooLarge,
    PermanentError,
    Platform,
    PlatformError,
    RetryAfter,
)
from handlers.allowlist_files import MAX_BYTES, AllowlistFile, decode

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class AllowlistFileLimits(leases.LeaseLimits):
    concurrency: int = 1  # operators import now and then
    max_bytes: int = MAX_BYTES
    time_limit: float = 30.0  # seconds for one download, start to last byte


@dataclass(frozen=True)
class _Claim(leases.Claim):
    file_id: str


class AllowlistFiles(leases.LeasedChecks):
    name = "allowlist-files"
    model = AllowlistFile
    key_prefix = "allowlist-file"
    failed_event = "allowlist_file.download_failed"
    limits: AllowlistFileLimits

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        platforms: dict[str, Platform],
        dispatcher: Dispatcher,
        poll_interval: float,
        limits: AllowlistFileLimits | None = None,
        on_outbox: Callable[[], None] = lambda: None,
        clock: Clock = utcnow,
    ) -> None:
        super().__init__(sessions, dispatcher, poll_interval, limits or AllowlistFileLimits(),
                         on_outbox, clock)
        self._platforms = platforms

    async def _claim(self) -> list[_Claim]:
        now = self.clock()
        query = (
            select(AllowlistFile, Group.platform)
            .join(Group, Group.id == AllowlistFile.group_id)
            .where(leases.due(AllowlistFile, now, self.limits.lease))
            .order_by(AllowlistFile.id)
            .limit(self.limits.batch)
            .with_for_update(skip_locked=True, of=AllowlistFile)
        )
        async with self._sessions.begin() as session:
            rows = (await session.execute(query)).all()
            claims = []
            for row, platform in rows:
                leases.take(row, now)
                claims.append(_Claim(row.id, now, row.attempts, platform, row.file_id))
        return claims

    async def _attempt(self, claim: _Claim) -> int:
        text, error = None, None
        try:
            text = decode(await self._download(claim))
            error = None if text is not None else "not_text"
        except FileTooLarge:
            error = "too_big"
        except RetryAfter:
            raise
        except PlatformError as exc:
            # Retried like a photo while attempts last; the last one is answered, not dropped.
            last = claim.attempts >= self.limits.max_attempts
            if not (last or isinstance(exc, PermanentError)):
                raise
            log.warning(self.failed_event, check=claim.id, attempt=claim.attempts,
                        gave_up=True, reason=exc.description)
            error = "download_failed"

        async def event_of(session: AsyncSession, row: AllowlistFile) -> Event | None:
            return await self._group_event(
                session, row, claim.platform, EventKind.FILE_READ, file_text=text,
                file_error=error,
            )

        def record(row: AllowlistFile) -> None:
            row.error = error

        added = await self._deliver(claim, event_of, record)
        log.info("allowlist_file.done", check=claim.id, error=error, actions=added)
        return added

    async def _download(self, claim: _Claim) -> bytes:
        platform = self._platforms.get(claim.platform)
        if not isinstance(platform, FileDownloads):
            raise PermanentError(f"platform {claim.platform!r} cannot download files")
        return await platform.download_file(
            claim.file_id, max_bytes=self.limits.max_bytes, time_limit=self.limits.time_limit
        )
