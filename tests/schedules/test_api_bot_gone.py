"""A job or countdown made through the API for a group the bot has left: kept, as a targeted
job reaching no group is, and the answer says at once that it posts nothing until the bot is
back (in chat nobody can ask there: the bot would not hear it)."""

from __future__ import annotations

import pytest

from tests.factories import GROUP_ID, OPERATOR_ID, make_chat_member_update, user
from tests.fakes.telegram_api import BOT_ID, BOT_USERNAME
from tests.harness import eventually
from tests.schedules.conftest import jobs
from tests.schedules.test_api import AUTH, url
from tests.schedules.test_api_input import started

BOT = user(BOT_ID, "Qunbot", is_bot=True, username=BOT_USERNAME)


@pytest.fixture
async def api(clocked_app, make_settings):
    harness = await started(make_settings)
    yield harness
    await harness.close()


async def remove_the_bot(api) -> None:
    await api.post_update(
        make_chat_member_update(
            BOT, "administrator", "kicked", by=user(OPERATOR_ID, "Op"), kind="my_chat_member"
        )
    )
    await eventually(api.settled)


async def test_a_job_for_a_group_the_bot_left_comes_with_a_warning(api):
    made = await api.client.post(url(), json={"when": "每天 11:00", "text": "早安"}, headers=AUTH)
    assert "warning" not in made.json()
    await remove_the_bot(api)
    made = await api.client.post(url(), json={"when": "每天 11:00", "text": "早安"}, headers=AUTH)
    # Regression: a 201 like any other, for a job that would post nothing at every run.
    assert made.status_code == 201, made.text
    assert "不在这个群" in made.json()["warning"]["zh"]
    assert "no longer in this group" in made.json()["warning"]["en"]
    assert len(await jobs(api)) == 2


async def test_a_countdown_for_a_group_the_bot_left_comes_with_a_warning(api):
    await remove_the_bot(api)
    made = await api.client.post(
        f"/api/groups/{GROUP_ID}/countdowns",
        json={"deadline": "in 3h", "text": "结束", "marks": "1h", "end": "close"},
        headers=AUTH,
    )
    assert made.status_code == 201, made.text
    assert "no longer in this group" in made.json()["warning"]["en"]
