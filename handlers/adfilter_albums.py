"""Albums and the ad filter: photos or videos sent together arrive as one message each, the
caption on one of them, so the part the filter removes as an ad takes the rest with it, and so
does the part an operator's `/spam` or members' reports remove.

The items are remembered briefly among recent posts (`handlers.repeats_store`), under the
album's id rather than a text's fingerprint.
"""

from __future__ import annotations

from bot.core.actions import DeleteMessage
from bot.core.context import Context
from bot.core.events import Event, EventKind
from bot.groups.activity import mark_removed
from handlers.moderation_store import decision_for_message
from handlers.repeats_store import RecentPost, album_items, album_print, record_album_item


def _item(event: Event, ctx: Context, sender_id: str, album_id: str, message_id: str
          ) -> RecentPost:
    assert ctx.group is not None
    return RecentPost(
        platform=event.platform,
        user_id=sender_id,
        group_id=ctx.group.id,
        message_id=message_id,
        fingerprint=album_print(album_id),
        at=event.at,
    )


async def earlier_album_items(event: Event, ctx: Context, sender_id: str) -> tuple[str, ...]:
    """Remember this item of an album and return the message ids of the sender's items of it
    posted in the group before; () for a message outside an album.

    For an edit (a caption turned into an ad after the album was posted) and for a photo's QR
    check every other item of the album is returned: they were all posted before it."""
    if not event.album_id or not event.message_id:
        return ()
    item = _item(event, ctx, sender_id, event.album_id, event.message_id)
    if event.kind in (EventKind.EDITED_MESSAGE, EventKind.PHOTO_CHECKED):
        return await album_items(ctx.session, item)
    if event.kind is not EventKind.MESSAGE:
        return ()
    return await record_album_item(ctx.session, item)


async def album_removed(ctx: Context, items: tuple[str, ...]) -> bool:
    """Whether one of these items of an album was removed as an ad (not only recorded in
    shadow mode, nor restored by an operator)."""
    assert ctx.group is not None
    for item in items:
        done = await decision_for_message(ctx.session, ctx.group.id, item)
        if done is not None and not done.shadow:
            return True
    return False


async def remove_replied_album(event: Event, ctx: Context, sender_id: str) -> list[DeleteMessage]:
    """The rest of the album the replied-to message belongs to, removed with it (by `/spam` or
    members' reports): counted as removed, and deleted. [] for a message outside an album."""
    assert ctx.group is not None
    if not event.reply_to_album_id or not event.reply_to_message_id:
        return []
    item = _item(event, ctx, sender_id, event.reply_to_album_id, event.reply_to_message_id)
    rest = await album_items(ctx.session, item)
    for message_id in rest:
        await mark_removed(ctx.session, ctx.group.id, message_id, sender_id, ctx.now,
                           worded=False)
    return [DeleteMessage(chat_id=event.chat.id, message_id=m) for m in rest]
