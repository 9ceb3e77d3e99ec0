"""The dashboard on several replicas of one PostgreSQL database: a session signed out on one is
over on all, and wrong passwords count once, wherever they were typed."""

from __future__ import annotations

import pytest

from bot.web import dashboard_sign_in_limit
from bot.web.dashboard_session import COOKIE
from tests.conftest import PG_URL
from tests.harness import BotHarness
from tests.test_dashboard import PASSWORD, csrf_of, sign_in

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs QUNBOT_TEST_DATABASE_URL (PostgreSQL)")


@pytest.fixture
async def replicas(make_settings):
    started = [await BotHarness(make_settings(dashboard_password=PASSWORD)).start()
               for _ in range(2)]
    yield started
    for harness in started:
        await harness.close()


async def test_wrong_passwords_on_two_replicas_share_one_lockout(replicas, monkeypatch):
    monkeypatch.setattr(dashboard_sign_in_limit, "FAILURE_DELAY", 0.0)
    first, second = replicas
    half = dashboard_sign_in_limit.FAILURES_ALLOWED // 2
    for harness in replicas:
        for _ in range(half):
            assert (await sign_in(harness, "guess")).status_code == 401
    for harness in (second, first):
        blocked = await sign_in(harness)
        assert blocked.status_code == 429 and "set-cookie" not in blocked.headers


async def test_a_session_signed_out_on_one_replica_is_over_on_the_other(replicas):
    first, second = replicas
    await sign_in(first)
    page = await first.client.get("/dashboard")
    second.client.cookies.set(COOKIE, first.client.cookies[COOKIE])
    assert (await second.client.get("/dashboard")).status_code == 200
    await first.client.post("/dashboard/logout", data={"csrf": csrf_of(page.text)})
    assert (await second.client.get("/dashboard")).status_code == 303
