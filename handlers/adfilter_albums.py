"""Albums and the ad filter: photos or videos sent together arrive as one message each, the
caption on one of them, so the part the filter removes as an ad takes the rest with it.

The items are remembered briefly among recent posts (`handlers.repeats_store`), under the
album's id rather than a text's fingerprint.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Event, EventKind
from handlers.moderation_store import decision_for_message
from handlers.repeats_store import RecentPost, album_print, record_album_item


async def earlier_album_items(event: Event, ctx: Context, sender_id: str) -> tuple[str, ...]:
    """Remember this item of an album and return the message ids of the sender's items of it
    posted in the group before; () for a message outside an album."""
    assert ctx.group is not None
    if event.kind is not EventKind.MESSAGE or not event.album_id or not event.message_id:
        return ()
    post = RecentPost(
        platform=event.platform,
        user_id=sender_id,
        group_id=ctx.group.id,
        message_id=event.message_id,
        fingerprint=album_print(event.album_id),
        at=event.at,
    )
    return await record_album_item(ctx.session, post)


async def album_removed(ctx: Context, items: tuple[str, ...]) -> bool:
    """Whether one of these items of an album was removed as an ad (not only recorded in
    shadow mode, nor restored by an operator)."""
    assert ctx.group is not None
    for item in items:
        done = await decision_for_message(ctx.session, ctx.group.id, item)
        if done is not None and not done.shadow:
            return True
    return False
