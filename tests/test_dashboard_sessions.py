"""Dashboard sessions kept in the database: signing out ends a copied cookie too, "sign out
everywhere" ends every browser's, on every replica, and old rows are pruned by the leader."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from bot.db.models import utcnow
from bot.web.dashboard_session import COOKIE
from bot.web.dashboard_session_store import DashboardSessionRow
from bot.web.dashboard_sign_in_limit import SignInFailure
from tests.harness import BotHarness, eventually
from tests.test_dashboard import PASSWORD, csrf_of, sign_in


@pytest.fixture
async def dash(make_settings):
    harness = await BotHarness(make_settings(dashboard_password=PASSWORD)).start()
    yield harness
    await harness.close()


def browser(harness: BotHarness, cookie: str | None = None) -> httpx.AsyncClient:
    """Another browser on the harness's app; with `cookie`, one holding a copy of it."""
    client = httpx.AsyncClient(base_url=harness.client.base_url, timeout=10)
    if cookie is not None:
        client.cookies.set(COOKIE, cookie)
    return client


async def session_rows(harness: BotHarness) -> list[DashboardSessionRow]:
    async with harness.sessions() as db:
        return list(await db.scalars(select(DashboardSessionRow).order_by(DashboardSessionRow.id)))


async def test_signing_out_ends_the_session_for_a_copied_cookie_too(dash):
    await sign_in(dash)
    page = await dash.client.get("/dashboard")
    async with browser(dash, dash.client.cookies[COOKIE]) as thief:
        assert (await thief.get("/dashboard")).status_code == 200
        out = await dash.client.post("/dashboard/logout", data={"csrf": csrf_of(page.text)})
        assert out.status_code == 303
        assert (await thief.get("/dashboard")).status_code == 303
        refused = await thief.post("/dashboard/logout/everywhere",
                                   data={"csrf": csrf_of(page.text)})
        assert refused.status_code == 401
    (row,) = await session_rows(dash)
    assert row.revoked_at is not None and row.expires_at <= utcnow()
    assert row.client == "127.0.0.1" and len(row.token_hash) == 64


async def test_sign_out_everywhere_ends_every_browsers_session(dash):
    async with browser(dash) as laptop, browser(dash) as phone:
        for client in (laptop, phone):
            signed = await client.post("/dashboard/login", data={"password": PASSWORD})
            assert signed.status_code == 303
        await sign_in(dash)
        page = await dash.client.get("/dashboard")
        assert "全部设备退出" in page.text
        english = await dash.client.get("/dashboard?lang=en")
        assert "Sign out everywhere" in english.text
        refused = await dash.client.post("/dashboard/logout/everywhere", data={"csrf": "x"})
        assert refused.status_code == 403
        assert (await phone.get("/dashboard")).status_code == 200
        out = await dash.client.post("/dashboard/logout/everywhere",
                                     data={"csrf": csrf_of(page.text)})
        assert out.status_code == 303 and out.headers["location"] == "/dashboard/login"
        for client in (dash.client, laptop, phone):
            assert (await client.get("/dashboard")).status_code == 303
        # A sign-in afterwards is a new session, not one already ended.
        assert (await phone.post("/dashboard/login", data={"password": PASSWORD})
                ).status_code == 303
        assert (await phone.get("/dashboard")).status_code == 200
    rows = await session_rows(dash)
    assert [row.revoked_at is None for row in rows] == [False, False, False, True]


async def test_the_leader_prunes_ended_sessions_and_old_failures(dash):
    for _ in range(3):
        async with browser(dash) as client:
            await client.post("/dashboard/login", data={"password": PASSWORD})
    old, ended, live = await session_rows(dash)
    now = utcnow()
    async with dash.sessions() as db, db.begin():
        await db.execute(update(DashboardSessionRow).where(DashboardSessionRow.id == old.id)
                         .values(expires_at=now - timedelta(hours=1)))
        await db.execute(update(DashboardSessionRow).where(DashboardSessionRow.id == ended.id)
                         .values(revoked_at=now, expires_at=now))
        db.add_all([SignInFailure(client="203.0.113.9", at=now - timedelta(minutes=16)),
                    SignInFailure(client="203.0.113.9", at=now - timedelta(minutes=1))])
    await dash.stop()
    await dash.start()  # the new leader's pruner runs at once

    async def pruned():
        async with dash.sessions() as db:
            failures = list(await db.scalars(select(SignInFailure.at)))
        return [row.id for row in await session_rows(dash)] == [live.id] and len(failures) == 1

    await eventually(pruned)
    text = (await dash.client.get("/metrics")).text
    assert 'qunbot_rows_pruned_total{table="dashboard_sessions"} 2.0' in text
    assert 'qunbot_rows_pruned_total{table="dashboard_sign_in_failures"} 1.0' in text
