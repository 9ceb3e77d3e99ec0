"""The dispatcher: precedence, failure isolation, gates, and the text catalogue."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core.actions import Halt, SendMessage
from bot.core.events import EventKind
from bot.core.i18n import LANGUAGES, catalogue
from bot.core.router import Router
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import Group, Member, utcnow
from bot.dispatch import ROUTERS, Dispatcher
from bot.metrics import Metrics
from bot.platforms.telegram.parse import parse_update
from bot.settings import Settings
from tests.factories import make_message_update


@pytest.fixture
async def session(database_url):
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


def test_router_order_is_pinned():
    # Gates must come before everything they can stop; changing this order is a decision.
    assert [router.name for router in ROUTERS] == [
        "adfilter",
        "verification",
        "verification_batch",
        "welcome",
        "screening",
        "allowlist",
        "activity",
        "checkin",
        "redpacket",
        "points",
        "icebreaker",
        "appeal_start",
        "guide",
        "settings",
        "moderation",
        "discipline",
        "appeals",
        "filter",
        "schedules",
        "stats",
        "templates",
    ]


def test_every_text_has_chinese_and_english():
    for key, variants in catalogue().items():
        for lang in LANGUAGES:
            assert variants.get(lang, "").strip(), f"{key} lacks {lang}"


async def test_a_failing_handler_neither_stops_others_nor_keeps_its_writes(session):
    router = Router("test")

    @router.on(EventKind.MESSAGE)
    async def broken(event, ctx):
        ctx.member.tags = ["half-written"]
        raise RuntimeError("boom")

    @router.on(EventKind.MESSAGE)
    async def works(event, ctx):
        return [SendMessage(chat_id=event.chat.id, text="still here")]

    metrics = Metrics()
    dispatcher = Dispatcher(Settings(), metrics, routers=[router])
    event = parse_update(make_message_update("hi"))
    actions = await dispatcher.dispatch(event, session, utcnow())
    assert [a.text for a in actions] == ["still here"]
    member = await session.scalar(select(Member))
    await session.refresh(member)
    assert member.tags == []
    assert metrics.handler_errors.labels(handler="test.broken")._value.get() == 1


async def test_a_gate_halts_later_handlers(session):
    gate, later = Router("gate"), Router("later")

    @gate.on(EventKind.MESSAGE)
    async def stop_spam(event, ctx):
        return [SendMessage(chat_id=event.chat.id, text="deleted"), Halt(reason="spam")]

    @later.on(EventKind.MESSAGE)
    async def reward(event, ctx):
        return [SendMessage(chat_id=event.chat.id, text="+1 point")]

    dispatcher = Dispatcher(Settings(), Metrics(), routers=[gate, later])
    actions = await dispatcher.dispatch(parse_update(make_message_update("buy")), session, utcnow())
    assert [a.text for a in actions] == ["deleted"]


async def test_allowed_updates_cover_handlers_and_membership(session):
    router = Router("cb")

    @router.on(EventKind.CALLBACK, EventKind.JOIN_REQUEST)
    async def on_click(event, ctx):
        return []

    from bot.platforms.telegram.adapter import TelegramPlatform

    kinds = Dispatcher(Settings(), Metrics(), routers=[router]).event_kinds
    subscribed = TelegramPlatform(api=None, bot_id="1").subscriptions(kinds)
    assert subscribed == [
        "callback_query",
        "chat_join_request",
        "chat_member",
        "message",
        "my_chat_member",
    ]
    assert await session.scalar(select(Group)) is None
