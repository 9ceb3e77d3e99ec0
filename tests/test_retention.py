"""Finished updates and actions are deleted once old; pending work and recent rows never are."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.db.models import Group, InboxUpdate, OutboxAction, utcnow
from bot.retention import Pruner, finished_updates_and_actions
from handlers.kept_messages import KeptMessage
from tests.factories import make_message_update
from tests.harness import BotHarness, eventually


async def age_rows(bot: BotHarness, days: int) -> None:
    """Make every inbox and outbox row look `days` old."""
    then = utcnow() - timedelta(days=days)
    async with bot.sessions() as session, session.begin():
        await session.execute(update(InboxUpdate).values(received_at=then, processed_at=then))
        await session.execute(update(OutboxAction).values(created_at=then))


async def test_the_leader_deletes_old_finished_updates_and_actions_on_start(make_settings):
    bot = await BotHarness(make_settings(retention_days=14)).start()
    try:
        for n in range(3):
            await bot.post_update(make_message_update("/help", update_id=1000 + n))
        await eventually(bot.settled)
        assert len(await bot.inbox()) == 3 and len(await bot.outbox()) == 3
        await age_rows(bot, 15)
        await bot.stop()
        await bot.start()  # the new leader's pruner runs at once

        async def emptied() -> bool:
            return not await bot.inbox() and not await bot.outbox()

        await eventually(emptied)
        text = (await bot.client.get("/metrics")).text
        assert 'qunbot_rows_pruned_total{table="inbox"} 3.0' in text
        assert 'qunbot_rows_pruned_total{table="outbox"} 3.0' in text
    finally:
        await bot.close()


async def test_young_rows_and_pending_work_are_kept(bot):
    for update_id in (2000, 2001, 2002):
        await bot.post_update(make_message_update("/help", update_id=update_id))
        await eventually(bot.settled)
    await bot.stop()  # so nothing picks up the work made pending below
    inbox, outbox = await bot.inbox(), await bot.outbox()
    assert len(inbox) == len(outbox) == 3
    then = utcnow() - timedelta(days=20)
    async with bot.sessions() as session, session.begin():
        # The first update and its reply are old but still to do; the second's are old and done.
        for rows, model in ((inbox, InboxUpdate), (outbox, OutboxAction)):
            old = [r.id for r in rows[:2]]
            stamp = "received_at" if model is InboxUpdate else "created_at"
            await session.execute(update(model).where(model.id.in_(old)).values({stamp: then}))
        await session.execute(update(InboxUpdate).where(InboxUpdate.id == inbox[0].id)
                              .values(status="pending"))
        await session.execute(update(OutboxAction).where(OutboxAction.id == outbox[0].id)
                              .values(status="pending", next_attempt_at=utcnow() + timedelta(1)))

    pruner = Pruner(bot.sessions, finished_updates_and_actions(14))
    assert await pruner.run_once() == 2
    assert await pruner.run_once() == 0
    assert [r.update_id for r in await bot.inbox()] == [2000, 2002]
    assert [r.id for r in await bot.outbox()] == [outbox[0].id, outbox[2].id]

    # Two weeks on, the third is old too; the pending work still stays.
    later = Pruner(bot.sessions, finished_updates_and_actions(14),
                   clock=lambda: utcnow() + timedelta(days=15))
    assert await later.run_once() == 2
    assert [r.update_id for r in await bot.inbox()] == [2000]
    assert [r.status for r in await bot.outbox()] == ["pending"]
    # 0 keeps everything.
    assert finished_updates_and_actions(0) == []


async def test_the_leader_forgets_kept_messages_a_month_old(make_settings):
    bot = await BotHarness(make_settings()).start()
    try:
        await bot.post_update(make_message_update("/help", update_id=3000))
        await eventually(bot.settled)
        async with bot.sessions() as session, session.begin():
            group_id = await session.scalar(select(Group.id))
            now = utcnow()
            session.add_all([
                KeptMessage(group_id=group_id, message_id="1", why="taught",
                            at=now - timedelta(days=31)),
                KeptMessage(group_id=group_id, message_id="2", why="ad_window",
                            at=now - timedelta(days=29)),
            ])
        await bot.stop()
        await bot.start()  # the new leader's pruner runs at once

        async def kept() -> list[str]:
            async with bot.sessions() as session:
                return list(await session.scalars(select(KeptMessage.message_id)))

        async def pruned() -> bool:
            return await kept() == ["2"]

        await eventually(pruned)
    finally:
        await bot.close()
