"""Join requests answered in a private chat: invite codes and screening questions.

Telegram lets a bot write to a join requester through `user_chat_id` (for five minutes, or
until the request is decided); once the requester writes back, the conversation may go on. So
on a join request that needs an invite code or answers, the bot asks privately at once, and the
requester's private replies are matched to their open application here.

Both tables survive restarts: an application's deadline is enforced by the leader's timeout
loop (`handlers.verification_timeouts`), and a code's uses are counted in one conditional UPDATE
so two requesters can never both take a code's last use.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, JsonDoc, UtcDateTime

# Unambiguous characters only: codes are read off screens and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
OPEN_STATUSES = ("asking", "review")


class InviteCode(Base):
    """A code operators hand out; `max_uses` None means unlimited, `expires_at` None never."""

    __tablename__ = "invite_codes"
    __table_args__ = (UniqueConstraint("group_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    max_uses: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    def usable(self, now: datetime) -> bool:
        if self.revoked or (self.expires_at is not None and self.expires_at <= now):
            return False
        return self.max_uses is None or self.uses < self.max_uses


class EntryApplication(Base):
    """One join request being screened in a private chat.

    status: asking (waiting for the requester's code or answers) -> review (answers posted to
    the operators) -> approved | declined | expired. A decision the platform then refused is
    rewritten to what happened (`record_settlement`): expired (reason "request_gone"), approved
    (reason "joined": they were in already) or failed (reason "refused").
    """

    __tablename__ = "entry_applications"
    __table_args__ = (
        Index("ix_entry_applications_user_status", "platform", "user_id", "status"),
        Index("ix_entry_applications_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    user_chat_id: Mapped[str] = mapped_column(String(64))
    user_name: Mapped[str] = mapped_column(String(255), default="")
    bio: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8), default="zh")
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="asking")
    tries: Mapped[int] = mapped_column(Integer, default=0)
    answers: Mapped[list] = mapped_column(JsonDoc, default=list)
    code: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(text: str) -> str:
    """Codes compare case-insensitively and ignore surrounding spaces; full-width characters
    (typed by Chinese input methods in full-width mode, "ＶＩＰ２０２６") are their ASCII selves."""
    return unicodedata.normalize("NFKC", text).strip().upper()


async def find_code(session: AsyncSession, group_id: int, code: str) -> InviteCode | None:
    return await session.scalar(
        select(InviteCode).where(
            InviteCode.group_id == group_id, InviteCode.code == normalise_code(code)
        )
    )


def _usable_now(now: datetime):
    """`InviteCode.usable` as a query condition."""
    return (
        InviteCode.revoked.is_(False),
        or_(InviteCode.expires_at.is_(None), InviteCode.expires_at > now),
        or_(InviteCode.max_uses.is_(None), InviteCode.uses < InviteCode.max_uses),
    )


async def take_code(session: AsyncSession, group_id: int, code: str, now: datetime) -> bool:
    """Use one of a code's uses; False when it is unknown, revoked, expired or used up."""
    result = await session.execute(
        update(InviteCode)
        .where(
            InviteCode.group_id == group_id,
            InviteCode.code == normalise_code(code),
            *_usable_now(now),
        )
        .values(uses=InviteCode.uses + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def has_usable_code(
    session: AsyncSession, group_id: int, now: datetime, listed: Sequence[str] = ()
) -> bool:
    """Whether a code could still admit someone: one `listed` in the screening rule, or any
    counted code of the group."""
    if listed:
        return True
    query = select(InviteCode.id).where(InviteCode.group_id == group_id, *_usable_now(now))
    return await session.scalar(query.limit(1)) is not None


async def open_applications(
    session: AsyncSession, platform: str, user_id: str
) -> list[EntryApplication]:
    """The requester's applications still waiting for their code or answers, newest first:
    one person may be asking to join several groups of the same bot at once."""
    return list(
        await session.scalars(
            select(EntryApplication)
            .where(
                EntryApplication.platform == platform,
                EntryApplication.user_id == user_id,
                EntryApplication.status == "asking",
            )
            .order_by(EntryApplication.id.desc())
        )
    )


async def close(
    session: AsyncSession, application: EntryApplication, status: str, reason: str, now: datetime
) -> bool:
    """Decide an application once; False when the timeout loop or an operator got there first."""
    result = await session.execute(
        update(EntryApplication)
        .where(
            EntryApplication.id == application.id,
            EntryApplication.status.in_(OPEN_STATUSES),
        )
        .values(status=status, reason=reason, resolved_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def settlement_ref(application: EntryApplication) -> str:
    """The `ref` of the platform call deciding `application` (`record_settlement`)."""
    return f"entry:{application.id}"


# What an application decided by the bot became when the platform refused the decision.
_REFUSED = {
    "request_gone": ("expired", "request_gone"),
    "already_member": ("approved", "joined"),
}


async def record_settlement(session: AsyncSession, application_id: str, outcome: str) -> list:
    """The outbox sender's word on the call deciding an application (`settlement_ref`, the
    recorder of "entry"): "done" keeps the decision; a refusal rewrites it to what happened, so
    an application the platform never let through does not read approved (nor count as the
    operator's approval). Nothing more is sent: the call's own follow-ups tell the operator."""
    if not application_id.isdecimal() or outcome == "done":
        return []
    status, reason = _REFUSED.get(outcome, ("failed", "refused"))
    await session.execute(
        update(EntryApplication)
        .where(EntryApplication.id == int(application_id))
        .values(status=status, reason=reason)
        .execution_options(synchronize_session=False)
    )
    return []


# How long an operator's approval stands in for the newcomer's challenge: they join at once
# when Telegram carries it out, and one who comes back much later is a newcomer again.
APPROVAL_ADMITS = timedelta(days=1)


async def approved_by_operator(
    session: AsyncSession, group_id: int, user_id: str, now: datetime
) -> bool:
    """Whether an operator approved the user's latest request to join the group, lately: a
    person has screened them, and the anti-bot challenge would only mute them (and remove one
    still reading the bot's private "approved, welcome")."""
    latest = (
        await session.execute(
            select(EntryApplication.status, EntryApplication.reason, EntryApplication.resolved_at)
            .where(EntryApplication.group_id == group_id, EntryApplication.user_id == user_id)
            .order_by(EntryApplication.id.desc())
            .limit(1)
        )
    ).first()
    return (
        latest is not None
        and (latest.status, latest.reason) == ("approved", "operator")
        and latest.resolved_at is not None
        and now - latest.resolved_at <= APPROVAL_ADMITS
    )


async def close_joined(session: AsyncSession, group_id: int, user_id: str, now: datetime) -> None:
    """The requester is in the group (an admin approved them in the platform itself, or added
    them): their open application is decided, so its deadline declines nothing and tells them
    nothing."""
    await session.execute(
        update(EntryApplication)
        .where(
            EntryApplication.group_id == group_id,
            EntryApplication.user_id == user_id,
            EntryApplication.status.in_(OPEN_STATUSES),
        )
        .values(status="approved", reason="joined", resolved_at=now)
        .execution_options(synchronize_session=False)
    )
