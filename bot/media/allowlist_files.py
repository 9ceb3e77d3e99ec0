"""The leader's worker that reads member lists handed to `/allowlist import` as files.

It claims queued `AllowlistFile` rows (`bot.leases`), downloads each through its platform
(1 MiB at most, a time limit), decodes it (`handlers.allowlist_files.decode`) and hands the
text to the dispatcher as a FILE_READ event, whose handler imports it as pasted text and
answers the command. Unlike a photo, the operator waits for an answer: a file too big, not
text, or that could not be downloaded after the last attempt is handed over too, as the
event's `file_error`, so the reply says why nothing was imported.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.events import Event, EventKind
from bot.media.downloads import DownloadedFiles, DownloadLimits, FileClaim
from bot.platforms.base import (
    FileTooLarge,
    PermanentError,
    PlatformError,
    RetryAfter,
)
from handlers.allowlist_files import MAX_BYTES, AllowlistFile, decode

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class AllowlistFileLimits(DownloadLimits):
    concurrency: int = 1  # operators import now and then
    max_bytes: int = MAX_BYTES


class AllowlistFiles(DownloadedFiles):
    name = "allowlist-files"
    model = AllowlistFile
    key_prefix = "allowlist-file"
    failed_event = "allowlist_file.download_failed"
    limits: AllowlistFileLimits
    default_limits = AllowlistFileLimits

    async def _attempt(self, claim: FileClaim) -> int:
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
