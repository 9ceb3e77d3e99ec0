"""Presses on a raid's shared challenge (`handlers.challenge_batches`).

Any newcomer it asks may press: the press answers for the presser's own pending verification in
that batch, so a right answer lets in only them and a wrong one removes only them; anyone else
is told it is not theirs. The question stays up for the others until all of them are resolved.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.core.actions import Action, AnswerCallback
from bot.core.context import Context
from bot.core.events import Event, EventKind
from bot.core.router import Router
from handlers.challenge_batches import PREFIX, challenge_deletions
from handlers.entry_store import PendingVerification
from handlers.verification import admit_actions, removal, resolve

router = Router("verification_batch")


def _is_shared_press(event: Event) -> bool:
    return (event.callback_data or "").startswith(PREFIX)


@router.on(EventKind.CALLBACK, when=_is_shared_press, group_only=True)
async def on_shared_press(event: Event, ctx: Context) -> list[Action]:
    """A button of the shared question: the presser passes or fails, the others wait on."""
    batch_id, _, value = (event.callback_data or "").removeprefix(PREFIX).partition(":")
    answer = AnswerCallback(chat_id=event.chat.id, callback_id=event.callback_id or "")
    pending = None
    if event.user is not None and batch_id.isdecimal():
        pending = await ctx.session.scalar(
            select(PendingVerification)
            .where(
                PendingVerification.batch_id == int(batch_id),
                PendingVerification.user_id == event.user.id,
            )
            .order_by(PendingVerification.id.desc())
            .limit(1)
        )
    if pending is None:
        return [answer.model_copy(update={"text": ctx.t("verify.not_for_you"), "show_alert": True})]
    passed = value == pending.answer
    if pending.status != "pending" or not await resolve(
        ctx, pending, "passed" if passed else "failed"
    ):
        return [answer]
    if not passed:
        return [
            answer.model_copy(update={"text": ctx.t("verify.wrong"), "show_alert": True}),
            *removal(event.chat.id, pending.user_id, pending.join_message_id),
            *await challenge_deletions(ctx.session, pending),
        ]
    return [
        answer.model_copy(update={"text": ctx.t("verify.passed")}),
        *await admit_actions(ctx, pending, event.chat.id),
        *await challenge_deletions(ctx.session, pending),
    ]
