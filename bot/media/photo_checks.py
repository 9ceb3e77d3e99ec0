"""The leader's worker that looks for QR codes in photos the ad filter gate queued.

Handlers do no I/O, so the gate only stores a `PhotoCheck` row. This loop claims due rows,
downloads each photo through its platform, decodes QR codes in a worker thread and hands the
finding to the dispatcher as a PHOTO_CHECKED event: the handlers that judge text messages
decide, record and punish, so a QR ad meets the same ladder, shadow mode and exemptions. A
photo a member posted as a channel comes back with that channel as the event's sender chat, so
the channel answers for it as for its text. The actions enter the outbox under `photo:<id>` in
the transaction that marks the row done, and a row is finished only by the claim that holds it,
so a photo is acted on once.

A failed download is retried with backoff up to `max_attempts` claims (a claim lost to a crash
counts too), then the row is marked failed with the reason; other rows never wait for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.events import Chat, ChatType, Event, EventKind, User
from bot.db.models import Group, Member, utcnow
from bot.dispatch import Dispatcher
from bot.loop import DrainLoop
from bot.outbox.store import enqueue
from bot.platforms.base import PermanentError, Platform, PlatformError
from handlers.adfilter.qr import decode_qr_async
from handlers.moderation_store import PhotoCheck

log = structlog.get_logger(__name__)

Clock = Callable[[], datetime]

MAX_CODES = 8  # what we keep of a photo's codes; an ad needs one
CODE_CHARS = 500


@runtime_checkable
class FileDownloads(Protocol):
    """A platform that can hand us the bytes of a file members posted."""

    async def download_file(self, file_id: str, *, max_bytes: int, time_limit: float) -> bytes:
        """The file's bytes; PlatformError subclasses say whether a retry can help."""


@dataclass(frozen=True)
class _Claim:
    id: int
    claimed_at: datetime
    attempts: int
    platform: str
    file_id: str | None


@dataclass(frozen=True)
class PhotoCheckLimits:
    concurrency: int = 2  # photos downloaded and decoded at once (decoding takes a core)
    batch: int = 16
    max_bytes: int = 10 * 1024 * 1024  # Telegram's own cap for photos
    time_limit: float = 30.0  # seconds for one download, start to last byte
    max_attempts: int = 3
    retry_initial: float = 5.0  # seconds before the 2nd attempt; doubles after each failure
    retry_max: float = 300.0
    lease: float = 300.0  # a claim older than this belonged to a process that died


class PhotoChecks(DrainLoop):
    name = "photo-checks"

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
        super().__init__(poll_interval)
        self._sessions = sessions
        self._platforms = platforms
        self._dispatcher = dispatcher
        self.limits = limits or PhotoCheckLimits()
        self._on_outbox = on_outbox
        self.clock = clock

    async def run_once(self) -> int:
        """Check one batch of due photos, a few at a time; returns how many were claimed."""
        claims = await self._claim()
        semaphore = asyncio.Semaphore(self.limits.concurrency)

        async def guarded(claim: _Claim) -> None:
            async with semaphore:
                await self._check(claim)

        await asyncio.gather(*(guarded(claim) for claim in claims))
        return len(claims)

    async def _claim(self) -> list[_Claim]:
        now = self.clock()
        due = or_(
            (PhotoCheck.status == "pending")
            & or_(PhotoCheck.next_attempt_at.is_(None), PhotoCheck.next_attempt_at <= now),
            (PhotoCheck.status == "checking")
            & (PhotoCheck.claimed_at < now - timedelta(seconds=self.limits.lease)),
        )
        query = (
            select(PhotoCheck, Group.platform)
            .join(Group, Group.id == PhotoCheck.group_id)
            .where(due)
            .order_by(PhotoCheck.id)
            .limit(self.limits.batch)
            .with_for_update(skip_locked=True, of=PhotoCheck)
        )
        async with self._sessions.begin() as session:
            rows = (await session.execute(query)).all()
            claims = []
            for row, platform in rows:
                row.status, row.claimed_at, row.attempts = "checking", now, row.attempts + 1
                claims.append(_Claim(row.id, now, row.attempts, platform, row.file_id))
        return claims

    async def _check(self, claim: _Claim) -> None:
        try:
            image = await self._download(claim)
            codes = await decode_qr_async(image)
            added = await self._finish(claim, codes)
        except PlatformError as exc:
            await self._failed(claim, exc.description, final=isinstance(exc, PermanentError))
            return
        except Exception as exc:
            log.exception("photo_check.failed", check=claim.id)
            await self._failed(claim, f"{type(exc).__name__}: {exc}", final=False)
            return
        if added:
            self._on_outbox()

    async def _download(self, claim: _Claim) -> bytes:
        platform = self._platforms.get(claim.platform)
        if not isinstance(platform, FileDownloads):
            raise PermanentError(f"platform {claim.platform!r} cannot download files")
        if not claim.file_id:
            raise PermanentError("the message named no file")
        return await platform.download_file(
            claim.file_id, max_bytes=self.limits.max_bytes, time_limit=self.limits.time_limit
        )

    async def _mine(self, session: AsyncSession, claim: _Claim) -> PhotoCheck | None:
        """The row, locked, if this claim still holds it (a lease may have passed it on)."""
        row = await session.scalar(
            select(PhotoCheck).where(PhotoCheck.id == claim.id).with_for_update()
        )
        if row is None or row.status != "checking" or row.claimed_at != claim.claimed_at:
            log.warning("photo_check.claim_lost", check=claim.id)
            return None
        return row

    async def _finish(self, claim: _Claim, codes: list[str]) -> int:
        """Dispatch the finding and store its actions; returns how many were added."""
        now = utcnow()
        async with self._sessions.begin() as session:
            row = await self._mine(session, claim)
            if row is None:
                return 0
            event = await self._event(session, row, codes, claim.platform)
            actions = await self._dispatcher.dispatch(event, session, now) if event else []
            added = await enqueue(session, claim.platform, actions, key=f"photo:{row.id}", now=now)
            row.status, row.checked_at, row.error = "done", now, None
            row.codes = [code[:CODE_CHARS] for code in codes[:MAX_CODES]]
        log.info("photo_check.done", check=claim.id, codes=len(codes), actions=len(actions))
        return added

    async def _event(
        self, session: AsyncSession, row: PhotoCheck, codes: list[str], platform: str
    ) -> Event | None:
        group = await session.get(Group, row.group_id)
        if group is None:
            return None
        member = await session.scalar(
            select(Member).where(Member.group_id == group.id, Member.user_id == row.user_id)
        )
        # The member's stored name, so the warning mentions them as the text path would.
        sender = User(
            id=row.user_id,
            name=(member.display_name if member else "") or row.user_id,
            username=member.username if member else None,
            is_bot=member.is_bot if member else False,
        )
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
        return Event(
            kind=EventKind.PHOTO_CHECKED,
            platform=platform,
            update_id=0,  # not a platform update
            chat=Chat(id=group.chat_id, type=ChatType(group.chat_type), title=group.title),
            user=sender,
            at=row.at,
            message_id=row.message_id,
            has_photo=True,
            photo_file_id=row.file_id,
            photo_codes=tuple(codes),
            sender_chat=channel,
        )

    async def _failed(self, claim: _Claim, reason: str, *, final: bool) -> None:
        limits = self.limits
        gave_up = final or claim.attempts >= limits.max_attempts
        delay = min(limits.retry_initial * 2 ** (claim.attempts - 1), limits.retry_max)
        async with self._sessions.begin() as session:
            row = await self._mine(session, claim)
            if row is None:
                return
            row.error = reason[:2000]
            if gave_up:
                row.status, row.checked_at = "failed", utcnow()
            else:
                row.status, row.next_attempt_at = "pending", self.clock() + timedelta(seconds=delay)
        log.warning(
            "photo_check.download_failed",
            check=claim.id,
            attempt=claim.attempts,
            gave_up=gave_up,
            reason=reason,
        )

    async def release_claims(self) -> None:
        """Hand back every claim at once: for a newly elected leader, the only checker."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(PhotoCheck)
                .where(PhotoCheck.status == "checking")
                .values(status="pending", claimed_at=None)
            )
