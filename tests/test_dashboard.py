"""The operators' dashboard through HTTP: sign-in, sessions and CSRF, the pages, zh and en."""

from __future__ import annotations

import re
import time

import pytest

from bot.web import dashboard_session, dashboard_sign_in_limit
from tests.factories import GROUP_ID, make_message_update
from tests.harness import BotHarness, eventually

PASSWORD = "dash-pass-123"


@pytest.fixture
async def dash(make_settings):
    harness = await BotHarness(make_settings(dashboard_password=PASSWORD)).start()
    await harness.post_update(make_message_update("hello"))
    await eventually(harness.settled)
    yield harness
    await harness.close()


async def sign_in(harness: BotHarness, password: str = PASSWORD):
    return await harness.client.post("/dashboard/login", data={"password": password})


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


PAGES = ("/dashboard", f"/dashboard/groups/{GROUP_ID}", f"/dashboard/groups/{GROUP_ID}/decisions")


async def test_the_right_password_signs_in_with_a_strict_httponly_cookie(dash):
    signed = await sign_in(dash)
    assert signed.status_code == 303 and signed.headers["location"] == "/dashboard"
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith(f"{dashboard_session.COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=43200" in cookie
    assert "Secure" not in cookie  # over plain HTTP a browser would drop it
    page = await dash.client.get("/dashboard")
    assert page.status_code == 200
    assert "Qunbot Test Group" in page.text and str(GROUP_ID) in page.text
    # Behind an HTTPS proxy on this host (uvicorn trusts its X-Forwarded-Proto), it is Secure.
    proxied = await dash.client.post("/dashboard/login", data={"password": PASSWORD},
                                     headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in proxied.headers["set-cookie"]


async def test_a_wrong_password_is_refused_and_sets_no_cookie(dash, monkeypatch):
    monkeypatch.setattr(dashboard_sign_in_limit, "FAILURE_DELAY", 0.0)
    wrong = await sign_in(dash, "dash-pass-12")
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
    assert "密码不对" in wrong.text
    assert (await dash.client.get("/dashboard")).status_code == 303


async def test_guessing_the_password_is_stopped_after_a_few_tries(dash, monkeypatch):
    monkeypatch.setattr(dashboard_sign_in_limit, "FAILURE_DELAY", 0.0)
    for _ in range(dashboard_sign_in_limit.FAILURES_ALLOWED):
        assert (await sign_in(dash, "guess")).status_code == 401
    # Even the right password waits now: the guesser cannot tell when they hit it.
    blocked = await sign_in(dash)
    assert blocked.status_code == 429 and "set-cookie" not in blocked.headers


async def test_a_wrong_password_answers_slowly(dash):
    started = time.monotonic()
    await sign_in(dash, "guess")
    assert time.monotonic() - started >= dashboard_sign_in_limit.FAILURE_DELAY


async def test_every_page_without_a_session_sends_to_sign_in(dash):
    for path in PAGES:
        response = await dash.client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/dashboard/login?next=/dashboard")
    forged = "eyJjc3JmIjoieCIsImV4cCI6OTk5OTk5OTk5OX0.AAAA"  # {"csrf":"x","exp":9999999999}
    dash.client.cookies.set(dashboard_session.COOKIE, forged)
    for path in PAGES:
        assert (await dash.client.get(path)).status_code == 303, path
    for path in ("/dashboard/logout", f"/dashboard/groups/{GROUP_ID}/decisions/1/undo"):
        response = await dash.client.post(path, data={"csrf": "x"})
        assert response.status_code == 401, path


async def test_an_expired_session_sends_to_sign_in_again(dash):
    key = await dashboard_session.signing_key(dash.settings)
    old, _ = dashboard_session.issue(key, now=time.time() - 13 * 3600)
    dash.client.cookies.set(dashboard_session.COOKIE, old)
    assert (await dash.client.get("/dashboard")).status_code == 303


async def test_sign_in_returns_to_the_page_asked_for_but_never_elsewhere(dash):
    path = f"/dashboard/groups/{GROUP_ID}"
    form = await dash.client.get(f"/dashboard/login?next={path}")
    assert f'value="{path}"' in form.text
    back = await dash.client.post("/dashboard/login", data={"password": PASSWORD, "next": path})
    assert back.headers["location"] == path
    away = await dash.client.post(
        "/dashboard/login", data={"password": PASSWORD, "next": "//evil.example/dashboard"}
    )
    assert away.headers["location"] == "/dashboard"


async def test_sign_out_needs_the_token_and_ends_the_session(dash):
    await sign_in(dash)
    page = await dash.client.get("/dashboard")
    refused = await dash.client.post("/dashboard/logout", data={"csrf": "not-it"})
    assert refused.status_code == 403
    assert (await dash.client.get("/dashboard")).status_code == 200
    out = await dash.client.post("/dashboard/logout", data={"csrf": csrf_of(page.text)})
    assert out.status_code == 303 and out.headers["location"] == "/dashboard/login"
    assert (await dash.client.get("/dashboard")).status_code == 303


async def test_without_a_password_the_dashboard_is_off(bot):
    for path in ("/dashboard/login", *PAGES):
        response = await bot.client.get(path)
        assert response.status_code == 503, path
        assert "QUNBOT_DASHBOARD_PASSWORD" in response.text
    assert (await bot.client.post("/dashboard/login", data={"password": ""})).status_code == 503


async def test_pages_speak_chinese_and_english(dash):
    await sign_in(dash)
    chinese = await dash.client.get("/dashboard")
    assert "群组（1 个）" in chinese.text and "<td>自动</td>" in chinese.text
    english = await dash.client.get("/dashboard", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Groups (1)" in english.text and 'lang="en"' in english.text
    assert "<td>auto</td>" in english.text
    chosen = await dash.client.get("/dashboard?lang=en")
    assert "Groups (1)" in chosen.text
    # The choice is kept for the next pages, whatever the browser says.
    group = await dash.client.get(f"/dashboard/groups/{GROUP_ID}",
                                  headers={"Accept-Language": "zh-CN"})
    assert "Recent ad-filter decisions" in group.text and "Ad filter:" in group.text
    back = await dash.client.get("/dashboard?lang=zh")
    assert "群组（1 个）" in back.text


async def test_a_group_page_shows_its_settings_and_schedules(dash):
    await sign_in(dash)
    admin = {"Authorization": f"Bearer {PASSWORD}"}
    created = await dash.client.post(
        f"/api/groups/{GROUP_ID}/schedules",
        json={"when": "每天 11:00", "text": "今天的思维导图"}, headers=admin,
    )
    assert created.status_code == 201, created.text
    page = await dash.client.get(f"/dashboard/groups/{GROUP_ID}?lang=zh")
    assert page.status_code == 200
    assert "今天的思维导图" in page.text and "每天 11:00" in page.text
    # Settings as /settings and /filter word them, not raw JSON.
    assert "类型：general" in page.text and "广告过滤：开启" in page.text
    assert "checkin.base_points = " in page.text
    listed = await dash.client.get("/dashboard")
    assert "每天" not in listed.text and re.search(r"\d{4}-\d\d-\d\d 11:00 · post", listed.text)
    missing = await dash.client.get("/dashboard/groups/-100999")
    assert missing.status_code == 404


async def test_a_form_stuffed_with_fields_is_refused_not_a_crash(dash):
    stuffed = "&".join(f"f{n}=x" for n in range(50))
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    login = await dash.client.post("/dashboard/login", content=stuffed + f"&password={PASSWORD}",
                                   headers=headers)
    assert login.status_code == 401
    await sign_in(dash)
    posted = await dash.client.post("/dashboard/logout", content=stuffed, headers=headers)
    assert posted.status_code == 403
