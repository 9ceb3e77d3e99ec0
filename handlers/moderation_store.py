"""Tables and queries of ad moderation: decisions, learned model state, photos waiting for a
QR check (members' reports are kept by `handlers.moderation_report_store`).

Every decision is stored with all verdicts, so operators can see why and undo it; a member's
offence count is a query over decisions that were acted on and not undone.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, JsonDoc, LeasedWork, UtcDateTime
from bot.db.models import Group, OutboxAction
from handlers.adfilter import SpamModel
from handlers.adfilter.model import CorrectedModel
from handlers.adfilter.pipeline import shared_model

TEXT_LIMIT = 1000  # enough to explain and to learn from; not an archive of members' messages


class ModerationDecision(Base):
    """One ruling on one message: what the checks said, what was done, and whether undone."""

    __tablename__ = "moderation_decisions"
    __table_args__ = (
        Index("ix_moderation_decisions_group_user", "group_id", "user_id", "at"),
        Index("ix_moderation_decisions_group_message", "group_id", "message_id"),
        # A member's own decisions in every group, for /start in their private chat.
        Index("ix_moderation_decisions_user", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    user_name: Mapped[str] = mapped_column(String(255), default="")
    message_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    verdicts: Mapped[list] = mapped_column(JsonDoc, default=list)
    action: Mapped[str] = mapped_column(String(16))  # delete | mute | ban | ban_chat
    source: Mapped[str] = mapped_column(String(16))  # filter | operator | report
    actor_id: Mapped[str | None] = mapped_column(String(64))
    shadow: Mapped[bool] = mapped_column(Boolean, default=False)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    undone_by: Mapped[str | None] = mapped_column(String(64))
    undone_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    appeal: Mapped[str | None] = mapped_column(String(16))  # pending | restored | rejected
    appealed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The language the member's notice was written in: all that follows from it (the appeal's
    # answers, its outcome) reaches the member in that language, whoever presses the button.
    # None on decisions taken before it was kept.
    lang: Mapped[str | None] = mapped_column(String(8))
    # When the mute this decision gave ends: undoing it lifts the member's mute only while it
    # is still this one (`handlers.moderation_holds`). None for other steps.
    until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class SpamModelState(Base):
    """What a group's operators taught the model, on top of the shipped starter model.

    `state` is a `SpamModel.to_dict()` of the corrections alone (small), and `version` grows
    with each one so every replica's cached model knows when it is out of date.
    """

    __tablename__ = "adfilter_models"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    version: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[dict] = mapped_column(JsonDoc, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PhotoCheck(LeasedWork, Base):
    """A new member's photo that needs its QR codes decoded (by a worker, not a handler).

    `status` goes pending -> checking (claimed at `claimed_at`) -> done, or back to pending
    until `next_attempt_at` after a failed download, or failed once `attempts` run out. `at`
    is when the member posted the photo; `codes` what the decoder found in it.
    `channel_*` name the channel a member posted the photo as (then `user_id` is the platform's
    placeholder sender, and the channel answers for the photo); None for a person's photo.
    `album_id` is the album the photo was posted in, None outside one.
    """

    __tablename__ = "adfilter_photo_checks"
    __table_args__ = (Index("ix_adfilter_photo_checks_status", "status", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    file_id: Mapped[str | None] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    codes: Mapped[list | None] = mapped_column(JsonDoc)
    channel_id: Mapped[str | None] = mapped_column(String(64))
    channel_title: Mapped[str | None] = mapped_column(String(255))
    channel_username: Mapped[str | None] = mapped_column(String(64))
    album_id: Mapped[str | None] = mapped_column(String(64))


async def photo_queued(
    session: AsyncSession, group_id: int, message_id: str, file_id: str | None
) -> bool:
    """Whether this photo of this message is already queued (an edited caption sends it again)."""
    query = select(PhotoCheck.id).where(
        PhotoCheck.group_id == group_id,
        PhotoCheck.message_id == message_id,
        PhotoCheck.file_id == file_id if file_id is not None else PhotoCheck.file_id.is_(None),
    )
    return await session.scalar(query.limit(1)) is not None


async def record_decision(session: AsyncSession, **fields) -> ModerationDecision:
    """Insert a decision and return it with its id."""
    fields["text"] = (fields.get("text") or "")[:TEXT_LIMIT]
    decision = ModerationDecision(**fields)
    session.add(decision)
    await session.flush()
    return decision


async def count_offences(
    session: AsyncSession, group_id: int, user_id: str, since: datetime, *, shadow: bool = False
) -> int:
    """Offences of a member that still count: not undone, recent, and acted on; with `shadow`,
    only those recorded in shadow mode instead, which climb a ladder of their own (what real
    mode would have done) and never count toward the real one."""
    query = select(func.count()).where(
        ModerationDecision.group_id == group_id,
        ModerationDecision.user_id == user_id,
        ModerationDecision.shadow.is_(shadow),
        ModerationDecision.undone.is_(False),
        ModerationDecision.at >= since,
    )
    return int(await session.scalar(query) or 0)


MAX_ID = 2**63 - 1  # the largest id a BigId column holds


async def later_ban(session: AsyncSession, decision: ModerationDecision) -> bool:
    """Whether the member of `decision` was banned from its group by a later decision that
    still stands (a channel: banned from posting)."""
    query = select(ModerationDecision.id).where(
        ModerationDecision.group_id == decision.group_id,
        ModerationDecision.user_id == decision.user_id,
        ModerationDecision.id > decision.id,
        ModerationDecision.action.in_(("ban", "ban_chat")),
        ModerationDecision.shadow.is_(False),
        ModerationDecision.undone.is_(False),
    )
    return await session.scalar(query.limit(1)) is not None


async def decision_by_id(session: AsyncSession, decision_id: int) -> ModerationDecision | None:
    """The decision with this id, locked; None for any number no decision can have (typed by a
    person, so it may not fit the column, which the database would refuse).

    Locked because a member's private chat and the group are handled side by side: an appeal
    read while an operator's restore commits would be left pending on a restored decision, and
    the member never told. It waits for the restore instead, and reads it."""
    if not 0 < decision_id <= MAX_ID:
        return None
    return await session.get(ModerationDecision, decision_id, with_for_update=True,
                             populate_existing=True)


async def appealable_decisions(
    session: AsyncSession, user_id: str, since: datetime, limit: int
) -> list[tuple[ModerationDecision, Group]]:
    """A member's mutes and bans in every group since `since`, newest first, with their
    groups: those that did something (not shadow), still stand and were not appealed yet."""
    query = (
        select(ModerationDecision, Group)
        .join(Group, Group.id == ModerationDecision.group_id)
        .where(
            ModerationDecision.user_id == user_id,
            ModerationDecision.action.in_(("mute", "ban")),
            ModerationDecision.shadow.is_(False),
            ModerationDecision.undone.is_(False),
            ModerationDecision.appeal.is_(None),
            ModerationDecision.at >= since,
        )
        .order_by(ModerationDecision.at.desc(), ModerationDecision.id.desc())
        .limit(limit)
    )
    return [(decision, group) for decision, group in (await session.execute(query)).all()]


async def decision_in_group(
    session: AsyncSession, group_id: int, decision_id: int
) -> ModerationDecision | None:
    decision = await decision_by_id(session, decision_id)
    return decision if decision is not None and decision.group_id == group_id else None


async def decision_for_message(
    session: AsyncSession, group_id: int, message_id: str, *, undone_too: bool = False
) -> ModerationDecision | None:
    """The live (not undone) decision already taken on a message, if any, the latest when
    there are several (a shadow ruling, then an operator's /spam); with `undone_too`, also one
    an operator undid."""
    query = select(ModerationDecision).where(
        ModerationDecision.group_id == group_id,
        ModerationDecision.message_id == message_id,
    )
    if not undone_too:
        query = query.where(ModerationDecision.undone.is_(False))
    return await session.scalar(query.order_by(ModerationDecision.id.desc()).limit(1))


async def decision_for_bot_message(
    session: AsyncSession, chat_id: str, message_id: str, scan: int = 500
) -> int | None:
    """The decision id behind a bot message (a warning), from the buttons it was sent with.

    The platform assigns a message id only when the outbox sends it, so the link lives in the
    outbox row: its result holds the id, its payload the `adf:<verb>:<decision id>` buttons.
    """
    rows = await session.scalars(
        select(OutboxAction)
        .where(OutboxAction.chat_key == chat_id, OutboxAction.kind == "send_message")
        .where(OutboxAction.status == "done")
        .order_by(OutboxAction.id.desc())
        .limit(scan)
    )
    for row in rows:
        if str((row.result or {}).get("message_id")) != message_id:
            continue
        for line in row.payload.get("buttons") or ():
            for button in line:
                parts = (button.get("data") or "").split(":")
                if len(parts) == 3 and parts[0] == "adf" and parts[2].isdigit():
                    return int(parts[2])
    return None


# ---- the group's model ---------------------------------------------------------------------

_CACHE_SIZE = 256
_models: OrderedDict[int, tuple[tuple[int, datetime], CorrectedModel]] = OrderedDict()


# An operator's /spam, /notspam or undo counts as this many starter-corpus messages: it says
# more about the group's own chat than one generic message does, and among the corpus's 14,000
# a single mark would barely move the model (one undo left a near-copy of the restored message
# still flagged). Stored corrections stay raw counts, so the weight can change freely.
CORRECTION_WEIGHT = 5


def _merged(corrections: dict) -> CorrectedModel:
    """The starter model plus a group's corrections (each weighing `CORRECTION_WEIGHT`)."""
    return CorrectedModel(shared_model(), SpamModel.from_dict(corrections), CORRECTION_WEIGHT)


async def group_model(session: AsyncSession, group_id: int) -> SpamModel | CorrectedModel:
    """The group's spam model: the shared starter model until operators have taught it.

    Building one costs a few milliseconds; they are cached per process by (group, version,
    time).
    """
    row = await session.get(SpamModelState, group_id)
    if row is None or not row.version:
        return shared_model()
    # The time guards against a recreated database reusing a (group id, version) pair.
    stamp = (row.version, row.updated_at)
    cached = _models.get(group_id)
    if cached is not None and cached[0] == stamp:
        _models.move_to_end(group_id)
        return cached[1]
    model = _merged(row.state)
    _models[group_id] = (stamp, model)
    if len(_models) > _CACHE_SIZE:
        _models.popitem(last=False)
    return model


async def learn(session: AsyncSession, group_id: int, text: str, is_spam: bool, now) -> None:
    """Teach the group's model one labelled message (an operator's /spam or undo)."""
    if not text.strip():
        return
    query = select(SpamModelState).where(SpamModelState.group_id == group_id)
    row = await session.scalar(query.with_for_update())
    if row is None:
        try:
            async with session.begin_nested():
                row = SpamModelState(group_id=group_id, version=0, state={}, updated_at=now)
                session.add(row)
                await session.flush()
        except IntegrityError:  # another replica created it first: take its row
            row = await session.scalar(query.with_for_update())
    corrections = SpamModel.from_dict(row.state) if row.state else SpamModel()
    corrections.learn(text, is_spam)
    row.state = corrections.to_dict()
    row.version = (row.version or 0) + 1
    row.updated_at = now
    await session.flush()
