"""Writers of one group's settings at once keep each other's changes.

A handler reads the group's settings when its update starts and writes them when it ends; a
dashboard form saved in between must survive that write, which would undo it were the handler to
put back the whole document as it read it. Here the handler is held after it read the group, the
form is saved, then the handler goes on. Needs PostgreSQL: on SQLite one transaction runs at a
time.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import select

from bot.core import middlewares
from bot.db.models import Group
from tests.conftest import PG_URL
from tests.dashboard_support import GROUP, OPERATOR
from tests.factories import (
    GROUP_ID,
    make_join_update,
    make_left_update,
    make_message_update,
    user,
)
from tests.fakes.telegram_api import BOT_ID
from tests.handlers.entry_support import group_settings as stored_settings
from tests.harness import eventually

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs QUNBOT_TEST_DATABASE_URL (PostgreSQL)")

BOB = user(444, "Bob")




class Hold:
    """Holds the next update's handling just after it read the group (and before anything it
    writes could lock the row) until released."""

    def __init__(self, monkeypatch) -> None:
        self.reached, self.released = asyncio.Event(), asyncio.Event()
        original = middlewares.get_or_create_member

        async def held(*args, **kwargs):
            self.reached.set()
            await self.released.wait()
            return await original(*args, **kwargs)

        monkeypatch.setattr(middlewares, "get_or_create_member", held)

    async def meanwhile(self, work):
        """Run `work` while the update is held, then let it go on."""
        await asyncio.wait_for(self.reached.wait(), 10)
        try:
            # A lock the held transaction had taken would stall `work` for good.
            return await asyncio.wait_for(work, 10)
        finally:
            self.released.set()


async def submit(harness, form: str, **fields: str):
    page = await harness.client.get(GROUP)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return await harness.client.post(f"{GROUP}/{form}", data={"csrf": csrf, **fields})


async def test_a_form_saved_while_settings_is_handled_keeps_both_changes(
        dash, fake_telegram, monkeypatch):
    hold = Hold(monkeypatch)
    await dash.post_update(make_message_update("/settings checkin.base_points 7", sender=OPERATOR))
    saved = await hold.meanwhile(submit(dash, "welcome", template="欢迎 {name}！"))
    assert saved.status_code == 303
    (answer,) = await fake_telegram.wait_for("sendMessage", 1)
    assert answer["text"] == "已保存：checkin.base_points = 7"
    await eventually(dash.settled)
    settings = await stored_settings(dash)
    assert settings["welcome"]["template"] == "欢迎 {name}！"
    assert settings["checkin"]["base_points"] == 7


async def test_a_join_handled_while_a_form_is_saved_keeps_the_form(
        dash, fake_telegram, monkeypatch):
    # Bob has been here before: a first join inserts his row, whose key locks the group
    # against the form's FOR UPDATE until the join commits, and nothing would interleave.
    await dash.post_update(make_message_update("hi", sender=BOB))
    await dash.post_update(make_left_update(BOB))
    await eventually(dash.settled)
    hold = Hold(monkeypatch)
    await dash.post_update(make_join_update(BOB))
    saved = await hold.meanwhile(submit(dash, "rules", rules="1. 不发广告"))
    assert saved.status_code == 303
    await eventually(dash.settled)
    settings = await stored_settings(dash)
    assert settings["screening"]["rules"] == "1. 不发广告"
    assert len(settings["entry_state"]["joins"]) == 1  # what the join recorded stays too


async def test_two_fields_of_one_section_changed_at_once_are_both_kept(
        dash, fake_telegram, monkeypatch):
    # The section is new to the group: each writer's copy of it has every other field at its
    # default, which is no change of theirs.
    hold = Hold(monkeypatch)
    await dash.post_update(make_message_update("/welcome off", sender=OPERATOR))
    saved = await hold.meanwhile(submit(dash, "welcome", template="欢迎 {name}！"))
    assert saved.status_code == 303
    await fake_telegram.wait_for("sendMessage", 1)
    await eventually(dash.settled)
    welcome = (await stored_settings(dash))["welcome"]
    assert (welcome["enabled"], welcome["template"]) == (False, "欢迎 {name}！")


async def test_the_group_sync_reading_the_bots_rights_meanwhile_is_kept_too(
        dash, fake_telegram, monkeypatch):
    # The leader's sync of the group is another writer: what it reads of the bot's right to
    # restrict (verification pauses without it) outlives a handler's change made meanwhile.
    await eventually(lambda: _can_restrict(dash, True))  # the group's first sync
    me = {"id": BOT_ID, "is_bot": True, "first_name": "Qunbot"}
    fake_telegram.chat_members[(GROUP_ID, BOT_ID)] = {"status": "member", "user": me}
    hold = Hold(monkeypatch)
    await dash.post_update(make_message_update("/settings checkin.base_points 7", sender=OPERATOR))

    async def demoted_by_sync() -> None:
        async with dash.sessions.begin() as session:
            (await session.scalar(select(Group))).sync_after = None  # due now
        await eventually(lambda: _can_restrict(dash, False))

    await hold.meanwhile(demoted_by_sync())
    await fake_telegram.wait_for("sendMessage", 1)
    await eventually(dash.settled)
    settings = await stored_settings(dash)
    assert settings["entry_state"]["can_restrict"] is False
    assert settings["checkin"]["base_points"] == 7


async def _can_restrict(harness, expected: bool) -> bool:
    state = (await stored_settings(harness)).get("entry_state") or {}
    return state.get("can_restrict") is expected
