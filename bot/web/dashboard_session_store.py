"""The dashboard's sessions, one row per signed-in browser, so that signing out ends a session
for every copy of its cookie and on every replica.

A row keeps the hash of the cookie's token (never the token), when it was opened and last
used, when it ends, the address it was opened from, and when it was revoked. Revoking also ends
it at once (`expires_at` = now), so the leader's pruner (`EXPIRY`) takes revoked rows with the
expired ones. The pruner walks rows in id order (`bot.retention`), so the key is a rising id,
not the token's hash; a revoked row behind an older open one waits for that one's end, at most
a session's 12 hours.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import String, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, UtcDateTime
from bot.retention import Expiry
from bot.web.dashboard_session import DashboardSession

# `last_seen_at` is written at most this often a session: a page view need not be a write.
SEEN_EVERY = timedelta(minutes=1)


class DashboardSessionRow(Base):
    __tablename__ = "dashboard_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    client: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


EXPIRY = Expiry(DashboardSessionRow, DashboardSessionRow.expires_at, timedelta(0))


def open_session(db: AsyncSession, session: DashboardSession, client: str,
                 now: datetime) -> None:
    """Record a session just signed in from `client`."""
    db.add(DashboardSessionRow(
        token_hash=session.token_hash, created_at=now, last_seen_at=now,
        expires_at=datetime.fromtimestamp(session.expires, UTC), client=client[:64],
    ))


async def is_open(db: AsyncSession, session: DashboardSession, now: datetime) -> bool:
    """Whether the session is neither revoked nor over; notes that it was used."""
    row = await db.scalar(
        select(DashboardSessionRow).where(DashboardSessionRow.token_hash == session.token_hash)
    )
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return False
    if row.last_seen_at <= now - SEEN_EVERY:
        row.last_seen_at = now
    return True


async def revoke(db: AsyncSession, session: DashboardSession, now: datetime) -> int:
    """End one session (signing out); returns how many rows it ended (0 or 1)."""
    return await _revoke(db, now, DashboardSessionRow.token_hash == session.token_hash)


async def revoke_all(db: AsyncSession, now: datetime) -> int:
    """End every open session (signing out everywhere); returns how many."""
    return await _revoke(db, now)


async def _revoke(db: AsyncSession, now: datetime, *where: object) -> int:
    result = await db.execute(
        update(DashboardSessionRow)
        .where(DashboardSessionRow.revoked_at.is_(None), DashboardSessionRow.expires_at > now,
               *where)
        .values(revoked_at=now, expires_at=now)
    )
    return result.rowcount or 0
