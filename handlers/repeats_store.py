"""Recent posts, remembered briefly so repeats can be seen: a member flooding a group with the
same text, or pasting it into one group after another.

Only a fingerprint of the normalised text is kept (never the text), with who posted it where and
when; rows older than `RETENTION` are pruned by the leader (`EXPIRY`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from hashlib import blake2b
from typing import NamedTuple

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, UtcDateTime
from bot.retention import Expiry

# Longer than the longest window a group may set (`AdFilterSettings`, 24 hours).
RETENTION = timedelta(hours=25)
# The latest this many posts of one text are read at most: enough to see a flood or a wave, and
# a text pasted ten thousand times costs no more to judge than one pasted a hundred.
SCAN_LIMIT = 200


class RecentPost(Base):
    __tablename__ = "recent_posts"
    __table_args__ = (
        Index("ix_recent_posts_fingerprint", "fingerprint", "at"),
        Index("ix_recent_posts_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(64))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class Copy(NamedTuple):
    """One earlier post of the same text by the same sender, in another group."""

    group_id: int
    message_id: str
    at: datetime


@dataclass(frozen=True)
class Copies:
    """Earlier posts of the same text, inside the windows asked about."""

    in_group: tuple[str, ...]  # the sender's message ids in this group, oldest first
    groups: int  # distinct groups the sender posted it in, this one included
    # Everyone's posts of the text inside the cross-group window, this one included: a wave of
    # accounts pasting one text into many groups.
    wave_senders: int = 1
    wave_groups: int = 1
    # The sender's posts of it in other groups inside the cross-group window, oldest first.
    elsewhere: tuple[Copy, ...] = ()


async def record_post(
    session: AsyncSession,
    post: RecentPost,
    group_window: timedelta,
    cross_window: timedelta,
) -> Copies:
    """Store `post` and return the earlier posts of the same text: the sender's own copies, and
    how many senders and groups posted it lately (one indexed query by fingerprint)."""
    since = post.at - max(group_window, cross_window)
    rows = (
        await session.execute(
            select(RecentPost.platform, RecentPost.user_id, RecentPost.group_id,
                   RecentPost.message_id, RecentPost.at)
            .where(
                RecentPost.fingerprint == post.fingerprint,
                RecentPost.at >= since,
                RecentPost.at <= post.at,
            )
            .order_by(RecentPost.at.desc(), RecentPost.id.desc())
            .limit(SCAN_LIMIT)
        )
    ).all()
    session.add(post)
    # A replayed update is the same message, not a repeat of it.
    same = (post.platform, post.user_id, post.group_id, post.message_id)
    rows = [r for r in reversed(rows) if tuple(r[:4]) != same]
    mine = [r for r in rows if (r.platform, r.user_id) == (post.platform, post.user_id)]
    in_group = tuple(
        r.message_id
        for r in mine
        if r.group_id == post.group_id and r.at >= post.at - group_window
    )
    crossed = [r for r in rows if r.at >= post.at - cross_window]
    mine_crossed = [r for r in mine if r.at >= post.at - cross_window]
    groups = {r.group_id for r in mine_crossed} | {post.group_id}
    senders = {(r.platform, r.user_id) for r in crossed} | {(post.platform, post.user_id)}
    return Copies(
        in_group=in_group,
        groups=len(groups),
        wave_senders=len(senders),
        wave_groups=len({r.group_id for r in crossed} | {post.group_id}),
        elsewhere=tuple(
            Copy(r.group_id, r.message_id, r.at) for r in mine_crossed
            if r.group_id != post.group_id
        ),
    )


def album_print(album_id: str) -> str:
    """The fingerprint an album's items are remembered under (an album is one post in parts)."""
    return blake2b(f"album:{album_id}".encode(), digest_size=16).hexdigest()


async def record_album_item(session: AsyncSession, post: RecentPost) -> tuple[str, ...]:
    """Store one item of an album (`post.fingerprint` from `album_print`) and return the
    message ids of the album's items its sender posted in the group before it."""
    earlier = await album_items(session, post)
    session.add(post)
    return earlier


async def album_items(session: AsyncSession, post: RecentPost) -> tuple[str, ...]:
    """The message ids of the items of `post`'s album (`post.fingerprint` from `album_print`)
    its sender posted in the group and that are remembered, other than `post` itself."""
    rows = await session.scalars(
        select(RecentPost.message_id)
        .where(
            RecentPost.fingerprint == post.fingerprint,
            RecentPost.group_id == post.group_id,
            RecentPost.platform == post.platform,
            RecentPost.user_id == post.user_id,
            RecentPost.message_id != post.message_id,  # a replayed update is the same item
        )
        .order_by(RecentPost.id)
    )
    return tuple(rows)


# The leader forgets posts older than a day (`bot.retention.Pruner`).
EXPIRY = Expiry(RecentPost, RecentPost.at, RETENTION)
