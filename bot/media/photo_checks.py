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

from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.events import Chat, ChatType, Event, EventKind
from bot.media.downloads import DownloadedFiles, DownloadLimits, FileClaim
from handlers.adfilter.qr import decode_qr_async
from handlers.moderation_store import PhotoCheck

log = structlog.get_logger(__name__)

MAX_CODES = 8  # what we keep of a photo's codes; an ad needs one
CODE_CHARS = 500


@dataclass(frozen=True)
class PhotoCheckLimits(DownloadLimits):
    concurrency: int = 2  # photos downloaded and decoded at once (decoding takes a core)
    max_bytes: int = 10 * 1024 * 1024  # Telegram's own cap for photos


class PhotoChecks(DownloadedFiles):
    name = "photo-checks"
    model = PhotoCheck
    key_prefix = "photo"
    failed_event = "photo_check.download_failed"
    limits: PhotoCheckLimits
    default_limits = PhotoCheckLimits

    async def _attempt(self, claim: FileClaim) -> int:
        codes = await decode_qr_async(await self._download(claim))

        async def event_of(session: AsyncSession, row: PhotoCheck) -> Event | None:
            return await self._event(session, row, codes, claim.platform)

        def record(row: PhotoCheck) -> None:
            row.codes = [code[:CODE_CHARS] for code in codes[:MAX_CODES]]

        added = await self._deliver(claim, event_of, record)
        log.info("photo_check.done", check=claim.id, codes=len(codes), actions=added)
        return added

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
