"""Red packets of points: an operator opens a round, the first N claimers get random shares.

`/redpacket <total> <count> [rounds]` escalates: once a round is fully claimed the next opens
with more points (twice by default, the group's `redpacket.escalation`), so each round
depends on members answering the last one.

Shares are drawn when the round opens, so they always sum to the total; claim number `seq`
takes share `seq`. UNIQUE (packet, user) means one claim per member and UNIQUE (packet, seq)
means one claimer per share, whichever replica processes the claims.

A round's message goes out under a known outbox key (`packet_key`), so "抢" in reply to it
claims that round, whichever rounds are open. Claims are shown on that message
(`handlers.redpacket_board`), not answered one message each.
"""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

import handlers.checkin_texts  # noqa: F401  (registers the texts)
from bot.core.actions import Action, AnswerCallback, SendMessage
from bot.core.context import Context
from bot.core.events import Event, EventKind
from bot.core.router import Router, as_word
from bot.db.base import Base, BigId, JsonDoc, UtcDateTime
from bot.groups.repository import GONE, seen_as_member
from bot.outbox.store import enqueue, thread_of
from handlers.checkin import no_person
from handlers.entry_store import is_verifying, sent_message_ids
from handlers.membership_store import OPEN, ask_membership
from handlers.points_config import redpacket_config
from handlers.points_store import add_points, last_checkin
from handlers.redpacket_board import CALLBACK_PREFIX, packet_key, round_message, show_claims

router = Router("redpacket")

CLAIM_WORDS = ("抢", "抢红包", "🧧", "grab", "claim")
MAX_SHARES = 100
MAX_ROUNDS = 5
# Five rounds escalating tenfold (the most `redpacket.escalation` allows) still fit the
# integer columns: 100,000 x 10^4 < 2^31. Named in the "redpacket.usage" text.
MAX_TOTAL = 100_000
# A reply is matched against the open rounds and this many of the newest: a reply to a round
# gone long ago is read as a plain "抢" rather than looked for through every round ever.
RECENT_PACKETS = 10


class RedPacket(Base):
    __tablename__ = "red_packets"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    created_by: Mapped[str] = mapped_column(String(64))
    total: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)
    shares: Mapped[list] = mapped_column(JsonDoc)
    claimed: Mapped[int] = mapped_column(Integer, default=0)
    round: Mapped[int] = mapped_column(Integer, default=1)
    rounds_left: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RedPacketClaim(Base):
    __tablename__ = "red_packet_claims"
    __table_args__ = (
        UniqueConstraint("packet_id", "user_id"),
        UniqueConstraint("packet_id", "seq"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    packet_id: Mapped[int] = mapped_column(ForeignKey("red_packets.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255), default="")
    seq: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


def split_shares(total: int, count: int, rng: random.Random) -> list[int]:
    """`count` random positive shares summing to `total` (cuts drawn without replacement)."""
    if count < 1 or total < count:
        raise ValueError("need total >= count >= 1")
    cuts = sorted(rng.sample(range(1, total), count - 1))
    bounds = [0, *cuts, total]
    return [bounds[i + 1] - bounds[i] for i in range(count)]


def _reply(event: Event, text: str, **extra) -> SendMessage:
    return SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id, **extra)


@router.command(
    "redpacket",
    description={
        "zh": "发积分红包 <总积分> <份数> [轮数]",
        "en": "Open a points red packet <total> <count> [rounds]",
    },
    operator_only=True,
    group_only=True,
)
async def open_packet(event: Event, ctx: Context) -> list[SendMessage]:
    assert ctx.group is not None and event.user is not None
    parts = event.args.split()
    # isdecimal, not isdigit: "²" is a digit int() cannot read.
    if len(parts) not in (2, 3) or not all(part.isdecimal() for part in parts):
        return [_reply(event, _usage(ctx))]
    total, count = int(parts[0]), int(parts[1])
    rounds = int(parts[2]) if len(parts) == 3 else redpacket_config(ctx.group).rounds
    if not 1 <= count <= MAX_SHARES or not count <= total <= MAX_TOTAL:
        return [_reply(event, _usage(ctx))]
    if not 1 <= rounds <= MAX_ROUNDS:
        return [_reply(event, _usage(ctx))]
    await _open_round(ctx, total, count, 1, rounds - 1, event.user.id, event.thread_id)
    return []


def _usage(ctx: Context) -> str:
    """The usage, saying how much the group's next rounds grow (`_show_claim`: at least one
    point more, even at 1x)."""
    escalation = redpacket_config(ctx.group).escalation
    if escalation == 2:
        growth = ctx.t("redpacket.grows_double")
    elif escalation == 1:
        growth = ctx.t("redpacket.grows_one")
    else:
        growth = ctx.t("redpacket.grows_times", times=f"{escalation:g}")
    return ctx.t("redpacket.usage", growth=growth)


async def _open_round(
    ctx: Context, total: int, count: int, round_no: int, left: int, by: str,
    thread: str | None,
) -> None:
    """Draw a round's shares and post it under `packet_key`, in the forum topic `thread`."""
    assert ctx.group is not None
    packet = RedPacket(
        group_id=ctx.group.id,
        created_by=by,
        total=total,
        count=count,
        shares=split_shares(total, count, random.SystemRandom()),
        claimed=0,
        round=round_no,
        rounds_left=left,
        created_at=ctx.now,
    )
    ctx.session.add(packet)
    await ctx.session.flush()
    message = round_message(ctx, packet, [], thread)
    await enqueue(ctx.session, ctx.platform, [message], key=packet_key(packet.id), now=ctx.now)


async def claim(
    session: AsyncSession, packet: RedPacket, user_id: str, name: str, at: datetime
) -> int | None:
    """Claim the next share for a member; the amount, 0 when all are gone, None if claimed."""
    for _ in range(3):
        mine = await session.scalar(
            select(RedPacketClaim.id).where(
                RedPacketClaim.packet_id == packet.id, RedPacketClaim.user_id == user_id
            )
        )
        if mine is not None:
            return None
        seq = await session.scalar(
            select(func.count()).where(RedPacketClaim.packet_id == packet.id)
        )
        if seq >= packet.count:
            return 0
        amount = int(packet.shares[seq])
        row = RedPacketClaim(
            packet_id=packet.id, user_id=user_id, name=name, seq=seq, amount=amount, at=at
        )
        try:
            async with session.begin_nested():
                session.add(row)
                await session.flush()
        except IntegrityError:
            continue  # another replica took this share (or this member claimed): look again
        packet.claimed = seq + 1
        await add_points(
            session, packet.group_id, user_id, amount, "redpacket", at, ref=f"redpacket:{packet.id}"
        )
        return amount
    return 0


async def _show_claim(ctx: Context, packet: RedPacket) -> None:
    """Show a claim on the round's message; after the last share, also post the round's end
    and open the next round, both in the round's topic (wherever the last claim came from)."""
    claims = list(
        await ctx.session.scalars(
            select(RedPacketClaim)
            .where(RedPacketClaim.packet_id == packet.id)
            .order_by(RedPacketClaim.seq)
        )
    )
    await show_claims(ctx, packet, claims)
    if packet.claimed < packet.count:
        return
    best = min(claims, key=lambda claim: (-claim.amount, claim.seq))
    name = best.name or best.user_id
    text = ctx.t("redpacket.finished", name=name, amount=best.amount)
    thread = await thread_of(ctx.session, f"{packet_key(packet.id)}:0")
    done = SendMessage(chat_id=ctx.group.chat_id, text=text, thread_id=thread)
    await enqueue(ctx.session, ctx.platform, [done], key=f"redpacket-end:{packet.id}",
                  now=ctx.now)
    if packet.rounds_left > 0:
        # Escalation: the next round is bigger and only opens because this one was answered.
        bigger = max(packet.total + 1, round(packet.total * redpacket_config(ctx.group).escalation))
        await _open_round(
            ctx,
            bigger,
            packet.count,
            packet.round + 1,
            packet.rounds_left - 1,
            packet.created_by,
            thread,
        )


def _is_claim_button(event: Event) -> bool:
    return (event.callback_data or "").startswith(CALLBACK_PREFIX)


async def _pressed_packet(event: Event, ctx: Context) -> RedPacket | None:
    """The group's red packet whose button was pressed; None for any other data."""
    raw_id = (event.callback_data or "")[len(CALLBACK_PREFIX) :]
    packet = await ctx.session.get(RedPacket, int(raw_id)) if raw_id.isdigit() else None
    if packet is None or ctx.group is None or packet.group_id != ctx.group.id:
        return None
    return packet


async def _may_grab(ctx: Context, user_id: str) -> bool:
    """Whether the presser has been seen in the group as a member and not left since."""
    assert ctx.group is not None
    if ctx.is_operator or seen_as_member(ctx.member):
        return True
    # A check-in ("签到", /checkin) is a message in the group too, though not counted as chat:
    # in a group the bot joined late, the members who only ever check in are the ones red
    # packets are for.
    left = ctx.member is not None and ctx.member.status in GONE
    return not left and await last_checkin(ctx.session, ctx.group.id, user_id) is not None


async def _unseen_presser(event: Event, ctx: Context, packet: RedPacket) -> str:
    """The answer to a press by someone the bot cannot vouch for, having asked the platform
    about them when it has not yet.

    A public group's messages, buttons included, reach anyone with its link, and in a group
    the bot joined late most members have said nothing since: the platform tells them apart.
    The share is paid once it confirms, announced in the group (a press is answered only once).
    """
    assert ctx.group is not None and event.user is not None and event.callback_data
    if packet.claimed >= packet.count:
        return ctx.t("redpacket.gone")
    check = await ask_membership(ctx.session, ctx.group.id, event.user.id, event.message_id,
                                 event.callback_data, event.at)
    if check is None:  # too many presses wait for an answer: the old way still works
        return ctx.t("redpacket.members_only")
    if check.status in OPEN:
        return ctx.t("redpacket.checking")
    if check.status == "done":  # answered: not in the group (a confirmed member passes)
        return ctx.t("redpacket.not_member")
    return ctx.t("redpacket.members_only")  # the platform could not say


@router.on(EventKind.CALLBACK, when=_is_claim_button)
async def claim_by_button(event: Event, ctx: Context) -> list:
    assert event.user is not None and event.callback_id is not None
    packet = await _pressed_packet(event, ctx)
    if packet is None:
        text = ctx.t("redpacket.gone")
        return [AnswerCallback(chat_id=event.chat.id, callback_id=event.callback_id, text=text)]
    if await is_verifying(ctx.session, ctx.group.id, event.user.id):
        # Muted until they pass, newcomers can still press buttons: bots joining in numbers
        # would otherwise take the members' shares before failing the gate.
        text = ctx.t("redpacket.verify_first")
        return [AnswerCallback(chat_id=event.chat.id, callback_id=event.callback_id, text=text,
                               show_alert=True)]
    if not await _may_grab(ctx, event.user.id):
        text = await _unseen_presser(event, ctx, packet)
        return [AnswerCallback(chat_id=event.chat.id, callback_id=event.callback_id, text=text,
                               show_alert=True)]
    name = event.user.name or event.user.id
    amount = await claim(ctx.session, packet, event.user.id, name, ctx.now)
    if amount is None:
        text = ctx.t("redpacket.twice")
    elif amount == 0:
        text = ctx.t("redpacket.gone")
    else:
        text = ctx.t("redpacket.claimed_short", amount=amount)
    if amount:
        await _show_claim(ctx, packet)
    return [AnswerCallback(
        chat_id=event.chat.id, callback_id=event.callback_id, text=text, show_alert=bool(amount)
    )]


@router.on(EventKind.MEMBER_CHECKED, when=_is_claim_button)
async def claim_once_confirmed(event: Event, ctx: Context) -> list[Action]:
    """The platform has answered for a press that waited (`_unseen_presser`): a member gets
    their share, shown on the round's message; anyone else gets nothing."""
    if ctx.group is None or event.user is None or not await _may_grab(ctx, event.user.id):
        return []
    packet = await _pressed_packet(event, ctx)
    if packet is None:
        return []
    name = event.user.name or event.user.id
    # Gone meanwhile, or claimed by "抢": the round's own messages already say so.
    if await claim(ctx.session, packet, event.user.id, name, event.at):
        await _show_claim(ctx, packet)
    return []


def is_claim_word(text: str) -> bool:
    """Whether a message is "抢"/"grab" typed as a word ("抢！", "Grab!" included)."""
    return as_word(text) in CLAIM_WORDS


def _is_claim_word(event: Event) -> bool:
    return event.command is None and is_claim_word(event.text or "")


async def _claimed_packet(event: Event, ctx: Context) -> RedPacket | None:
    """The round a "抢" claims: the one whose message it replies to; else the newest open
    round the member has not claimed yet, so an older round still open can be grabbed after
    a newer one. With every open round claimed, the newest (to say so); None with none open."""
    assert ctx.group is not None and event.user is not None
    group_id, is_open = ctx.group.id, RedPacket.claimed < RedPacket.count
    if event.reply_to_message_id is not None:
        newest = (
            select(RedPacket.id)
            .where(RedPacket.group_id == group_id)
            .order_by(RedPacket.id.desc())
            .limit(RECENT_PACKETS)
        )
        candidates = list(
            await ctx.session.scalars(
                select(RedPacket).where(
                    RedPacket.group_id == group_id, or_(is_open, RedPacket.id.in_(newest))
                )
            )
        )
        keys = {f"{packet_key(packet.id)}:0": packet for packet in candidates}
        sent = await sent_message_ids(ctx.session, list(keys), ctx.group.chat_id)
        for key, message_id in sent.items():
            if message_id == event.reply_to_message_id:
                return keys[key]
    mine = select(RedPacketClaim.packet_id).where(RedPacketClaim.user_id == event.user.id)
    open_rounds = select(RedPacket).where(RedPacket.group_id == group_id, is_open)
    newest_first = (RedPacket.id.desc(),)
    unclaimed = await ctx.session.scalar(
        open_rounds.where(RedPacket.id.not_in(mine)).order_by(*newest_first).limit(1)
    )
    return unclaimed or await ctx.session.scalar(open_rounds.order_by(*newest_first).limit(1))


@router.on(EventKind.MESSAGE, when=_is_claim_word)
async def claim_by_reply(event: Event, ctx: Context) -> list[Action]:
    """Replying "抢"/"grab" to a round claims that round; just sending it claims the newest
    open round the member has not claimed (`_claimed_packet`).

    Nothing is posted in answer, whether it got a share or not: the round's message shows who
    did, and a line for each of a hundred claimers (and as many late ones) would flood the
    group."""
    if ctx.group is None or event.user is None:
        return []
    packet = await _claimed_packet(event, ctx)
    if packet is None:
        return []
    if (refused := no_person(event, ctx)) is not None:
        return refused
    name = event.user.name or event.user.id
    if await claim(ctx.session, packet, event.user.id, name, event.at):
        await _show_claim(ctx, packet)
    return []
