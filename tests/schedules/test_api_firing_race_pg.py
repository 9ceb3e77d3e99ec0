"""A PATCH of a job through the API while a firing settles the same job (PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

import schedules.service
from schedules.firing import FireConfig
from schedules.service import SchedulerService
from tests.conftest import PG_URL
from tests.schedules.conftest import FakeClock, jobs
from tests.schedules.test_api import AUTH, api, url  # noqa: F401  (the api fixture)

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs QUNBOT_TEST_DATABASE_URL (PostgreSQL)")

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def test_a_change_made_while_the_job_fires_keeps_its_next_run(api, monkeypatch):  # noqa: F811
    # The PATCH read the row unlocked: moved from 11:00 to 15:00 while a firing settled it,
    # the job kept the 15:00 phrase but the firing's next 11:00 run.
    made = await api.client.post(url(), json={"when": "每天 11:00", "text": "早安"}, headers=AUTH)
    job_id = made.json()["id"]
    (job,) = await jobs(api)
    # Another scheduler a day ahead finds the job due; the app's own scheduler does not.
    later = FakeClock(job.next_run_at + timedelta(minutes=1))
    firing = SchedulerService(api.sessions, FireConfig(operators=("111",)), clock=later)
    entered, release = asyncio.Event(), asyncio.Event()
    settle_plain = schedules.service.settle_plain

    async def held(*args, **kwargs):
        entered.set()  # the firing has read the row and is about to move it on
        await release.wait()
        return await settle_plain(*args, **kwargs)

    monkeypatch.setattr(schedules.service, "settle_plain", held)
    fire = asyncio.create_task(firing.fire_due())
    await asyncio.wait_for(entered.wait(), 10)
    patch = asyncio.create_task(
        api.client.patch(f"/api/schedules/{job_id}", json={"when": "每天 15:00"}, headers=AUTH)
    )
    # The change waits for the firing that holds the row.
    done, _ = await asyncio.wait([patch], timeout=1.0)
    release.set()
    assert await fire == 1
    assert (await patch).status_code == 200
    (job,) = await jobs(api)
    assert job.phrase == "每天 15:00"
    assert job.last_run_at is not None  # the 11:00 run did fire
    assert job.next_run_at.astimezone(SHANGHAI).hour == 15
    assert not done
