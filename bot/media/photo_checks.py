"""The leader's worker that looks for QR codes in photos the ad filter gate queued.

Handlers do no I/O, so the gate only stores a `PhotoCheck` row. This loop claims due rows,
downloads each photo through its platform, decodes QR codes in a worker thread and hands the
finding to the dispatcher as a PHOTO_CHECKED event: the handlers that judge text messages
decide, record and punish, so a QR ad meets the same ladder, shadow mode and exemptions. A
photo a member posted as a channel comes back with that channel as the event's sender chat, so
the channel answers for it as for its text. The actions enter the outbox under `photo:<id>` in
the transaction that marks the row done, so a photo is acted on once (`bot.leases`).

A failed download is retried with backoff up to `max_attempts` claims (a claim lost to a crash
counts too), then the row is marked failed with the reason; other rows never wait for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import leases
from bot.core.events import Chat, ChatType, Event, EventKind
from bot.db.models import Group, utcnow
from bot.dispatch import Dispatcher
from bot.leases import Clock
from bot.platforms.base import PermanentError, Platform
from handlers.adfilter.qr import decode_qr_async
from handlers.moderation_store import PhotoCheck

log = structlog.get_logger(__name__)

MAX_CODES = 8  # what we keep of a photo's codes; an ad needs one
CODE_CHARS = 500


@runtime_checkable
class FileDownloads(Protocol):
    """A platform that can hand us the bytes of a file members posted."""

    async def download_file(self, file_id: str, *, max_bytes: int, time_limit: float) -> bytes:
        """The file's bytes; PlatformError subclasses say whether a retry can help."""


@dataclass(frozen=True)
class _Claim(leases.Claim):
    file_id: str | None


@dataclass(frozen=True)
class PhotoCheckLimits(leases.LeaseLimits):
    concurrency: int = 2  # photos downloaded and decoded at once (decoding takes a core)
    max_bytes: int = 10 * 1024 * 1024  # Telegram's own cap for photos
    time_limit: float = 30.0  # seconds for one download, start to last byte


class PhotoChecks(leases.LeasedChecks):
    name = "photo-checks"
    model = PhotoCheck
    key_prefix = "photo"
    failed_event = "photo_check.download_failed"
    limits: PhotoCheckLimits

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        platforms: dict[str, Platform],
        dispatcher: Dispatcher,
        poll_interval: float,
        limits: PhotoCheckLimits | None = None,
        on_outbox: Callable[[], None] = lambda: None,
        clock: Clock = utcnow,
    ) -> None:
        super().__init__(sessions, dispatcher, poll_interval, limits or PhotoCheckLimits(),
                         on_outbox, clock)
        self._platforms = platforms

    async def _claim(self) -> list[_Claim]:
        now = self.clock()
        query = (
            select(PhotoCheck, Group.platform)
            .join(Group, Group.id == PhotoCheck.group_id)
            .where(leases.due(PhotoCheck, now, self.limits.lease))
            .order_by(PhotoCheck.id)
            .limit(self.limits.batch)
            .with_for_update(skip_locked=True, of=PhotoCheck)
        )
        async with self._sessions.begin() as session:
            rows = (await session.execute(query)).all()
            claims = []
            for row, platform in rows:
                leases.take(row, now)
                claims.append(_Claim(row.id, now, row.attempts, platform, row.file_id))
        return claims

    async def _attempt(self, claim: _Claim) -> int:
        codes = await decode_qr_async(await self._download(claim))

        async def event_of(session: AsyncSession, row: PhotoCheck) -> Event | None:
            return await self._event(session, row, codes, claim.platform)

        def record(row: PhotoCheck) -> None:
            row.codes = [code[:CODE_CHARS] for code in codes[:MAX_CODES]]

        added = await self._deliver(claim, event_of, record)
        log.info("photo_check.done", check=claim.id, codes=len(codes), actions=added)
        return added

    async def _download(self, claim: _Claim) -> bytes:
        platform = self._platforms.get(claim.platform)
        if not isinstance(platform, FileDownloads):
            raise PermanentError(f"platform {claim.platform!r} cannot download files")
        if not claim.file_id:
            raise PermanentError("the message named no file")
        return await platform.download_file(
            claim.file_id, max_bytes=self.limits.max_bytes, time_limit=self.limits.time_limit
        )

    async def _event(
        self, session: AsyncSession, row: PhotoCheck, codes: list[str], platform: str
    ) -> Event | None:
        # A row queued before channels were remembered has none: a person's photo.
        channel = (
            Chat(
                id=row.channel_id,
                type=ChatType.CHANNEL,
                title=row.channel_title,
                username=row.channel_username,
            )
            if row.channel_id
            else None
        )
        return await self._group_event(
            session,
            row,
            platform,
            EventKind.PHOTO_CHECKED,
            has_photo=True,
            photo_file_id=row.file_id,
            photo_codes=tuple(codes),
            sender_chat=channel,
            album_id=row.album_id,
        )
