"""Wrong dashboard passwords, counted in the database so that every replica shares one count:
with the count in each process, N replicas gave a guesser N times the tries.

A wrong password waits FAILURE_DELAY before its answer. An address that got it wrong
FAILURES_ALLOWED times within FAILURE_WINDOW is refused (429) until the oldest of them ages out.
The address is the real client's: behind a reverse proxy uvicorn takes it from X-Forwarded-For
when the proxy is trusted (`QUNBOT_FORWARDED_ALLOW_IPS`); otherwise every client would be the
proxy, and one guesser would lock everyone out. An IPv6 address counts as its /64, the block
one subscriber is given, or one guesser would have 2^64 addresses.

Across all addresses: once GLOBAL_FAILURES wrong passwords fall within the window, every address
is allowed only one. A guesser with many addresses (a botnet) then gets one try per address per
window, yet an operator who has not got it wrong themselves is never refused: the cap slows
guessing for everyone and cannot be used to lock out any address that is not guessing itself.
Refusing every address instead would cap guessing harder, but would let anyone with ten
addresses keep every operator out for as long as they keep at it.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from sqlalchemy import Index, String, case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, UtcDateTime
from bot.retention import Expiry

FAILURE_DELAY = 1.0
FAILURES_ALLOWED = 10
FAILURE_WINDOW = 15 * 60
GLOBAL_FAILURES = 100


class SignInFailure(Base):
    __tablename__ = "dashboard_sign_in_failures"
    __table_args__ = (Index("ix_dashboard_sign_in_failures_at", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


EXPIRY = Expiry(SignInFailure, SignInFailure.at, timedelta(seconds=FAILURE_WINDOW))


def client_key(host: str | None) -> str:
    """Whose tries a request's are counted with: its address, an IPv6 one's /64."""
    if not host:
        return "?"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # not an IP (a Unix socket's peer): taken as it is
        return host[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:192.0.2.1, an IPv4 client after all
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def allowance(failures_everywhere: int) -> int:
    """Wrong passwords one address may have within the window, given everyone's."""
    return FAILURES_ALLOWED if failures_everywhere <= GLOBAL_FAILURES else 1


async def begin(sessions: async_sessionmaker[AsyncSession], client: str,
                now: datetime) -> int | None:
    """Count a sign-in attempt from `client` as a failure until it proves right (`succeeded`);
    None, with nothing counted, when the client has used up its allowance.

    Counted before it is checked, in a transaction of its own: parallel guesses from one address
    (each waiting on the database) would otherwise all pass the count before any was counted.
    """
    async with sessions() as db, db.begin():
        row = SignInFailure(client=client, at=now)
        db.add(row)
        await db.flush()
        attempt = row.id
    async with sessions() as db, db.begin():
        mine, everyone = (await db.execute(
            select(func.coalesce(func.sum(case((SignInFailure.client == client, 1), else_=0)), 0),
                   func.count())
            .where(SignInFailure.at > now - timedelta(seconds=FAILURE_WINDOW))
        )).one()
        if mine <= allowance(everyone):
            return attempt
        await db.execute(delete(SignInFailure).where(SignInFailure.id == attempt))
        return None


async def succeeded(sessions: async_sessionmaker[AsyncSession], attempt: int) -> None:
    """The attempt had the right password: it is no failure."""
    async with sessions() as db, db.begin():
        await db.execute(delete(SignInFailure).where(SignInFailure.id == attempt))
