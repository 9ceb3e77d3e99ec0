"""A red packet round's message as its board: it lists who grabbed what as claims come in.

A claim posts nothing of its own: a 100-share round answered with a message per claim took five
minutes of the group's 20 messages a minute, and the next round waited behind them. Instead the
round's message is rewritten: while it waits in the outbox, in place (`store.revise`); once up,
by an edit that collects the claims of a few seconds (`EDIT_SECONDS`), so a burst of claims
costs one edit, not one each.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from bot.core.actions import Button, EditMessageText, SendMessage
from bot.core.context import Context
from bot.db.models import OutboxAction
from bot.outbox.store import enqueue, revise, thread_of
from handlers.entry_store import sent_message_id
from handlers.points_config import redpacket_config

CALLBACK_PREFIX = "rp:"
# Claims of this many seconds share one edit: a round claimed flat out then takes at most 12
# of the group's 20 messages a minute, and the rest is left for the chat.
EDIT_SECONDS = 5
# The board names this many of the latest claimers and counts the rest: Telegram refuses a
# message over 4096 characters, and a name may be 129 long.
NAMED = 10


def packet_key(packet_id: int) -> str:
    """The outbox key a round's message goes out under (its only action, index 0)."""
    return f"redpacket:{packet_id}"


def round_message(ctx: Context, packet, claims: list, thread: str | None) -> SendMessage:
    """The round's message: the offer, then who has grabbed so far (`claims` in order), with
    its button while shares remain; in the forum topic `thread`."""
    assert ctx.group is not None
    text = ctx.t("redpacket.open", total=packet.total, count=packet.count)
    if packet.round > 1:
        doubled = redpacket_config(ctx.group).escalation == 2
        key = "redpacket.next_round" if doubled else "redpacket.next_round_bigger"
        text = ctx.t(key, round=packet.round) + "\n" + text
    if claims:
        lines = [ctx.t("redpacket.board", claimed=len(claims), count=packet.count)]
        if len(claims) > NAMED:
            lines.append(ctx.t("redpacket.board_more", more=len(claims) - NAMED))
        lines += [
            ctx.t("redpacket.board_line", name=claim.name or claim.user_id, amount=claim.amount)
            for claim in claims[-NAMED:]
        ]
        text += "\n\n" + "\n".join(lines)
    buttons: tuple[tuple[Button, ...], ...] = ()
    if len(claims) < packet.count:
        data = f"{CALLBACK_PREFIX}{packet.id}"
        buttons = ((Button(text=ctx.t("redpacket.button"), data=data),),)
    return SendMessage(chat_id=ctx.group.chat_id, text=text, buttons=buttons, thread_id=thread)


async def show_claims(ctx: Context, packet, claims: list) -> None:
    """Bring the round's message up to date with `claims`: rewritten if not yet up, else
    edited, the edit shared with the other claims of its few seconds."""
    assert ctx.group is not None
    posted = f"{packet_key(packet.id)}:0"
    message = round_message(ctx, packet, claims, await thread_of(ctx.session, posted))
    if await revise(ctx.session, posted, message.model_dump(mode="json")):
        return
    message_id = await sent_message_id(ctx.session, posted, ctx.group.chat_id)
    if message_id is None:  # failed to go out: nothing to edit
        return
    edit = EditMessageText(chat_id=message.chat_id, message_id=message_id, text=message.text,
                           buttons=message.buttons)
    payload = edit.model_dump(mode="json")
    slot = int(ctx.now.timestamp() // EDIT_SECONDS)
    key = f"{packet_key(packet.id)}:edit:{slot}"
    # Only while it waits for its time: one the sender holds goes out as it was.
    waiting = await ctx.session.execute(
        update(OutboxAction)
        .where(OutboxAction.idempotency_key == f"{key}:0", OutboxAction.status == "pending")
        .values(payload=payload)
        .execution_options(synchronize_session=False)
    )
    if waiting.rowcount == 1:
        return
    taken = await ctx.session.scalar(
        select(OutboxAction.id).where(OutboxAction.idempotency_key == f"{key}:0")
    )
    if taken is not None:  # this slot's edit is on its way: this claim gets one of its own
        key = f"{key}:{len(claims)}"
    send_at = datetime.fromtimestamp((slot + 1) * EDIT_SECONDS, UTC)
    await enqueue(ctx.session, ctx.platform, [edit], key=key, now=ctx.now,
                  not_before=max(send_at, ctx.now) if taken is None else ctx.now)
