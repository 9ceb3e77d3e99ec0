"""The schedules JSON API: bearer auth, the phrase syntax, 422s in both languages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.web import dashboard_sign_in_limit as sign_in_limit
from tests.factories import GROUP_ID, OPERATOR_ID, make_message_update, user
from tests.harness import BotHarness, eventually
from tests.schedules.conftest import jobs
from tests.schedules.test_schedule_commands import command

PASSWORD = "dash-pass-123"
AUTH = {"Authorization": f"Bearer {PASSWORD}"}


@pytest.fixture
async def api(clocked_app, make_settings, monkeypatch):
    # Tests send wrong tokens on purpose: unslowed, and more than one address's allowance.
    monkeypatch.setattr(sign_in_limit, "FAILURE_DELAY", 0.0)
    monkeypatch.setattr(sign_in_limit, "FAILURES_ALLOWED", 1000)
    harness = await BotHarness(make_settings(dashboard_password=PASSWORD)).start()
    # The group exists once the bot has seen it.
    await harness.post_update(make_message_update("hello"))
    await eventually(harness.settled)
    yield harness
    await harness.close()


def url(path: str = "") -> str:
    return f"/api/groups/{GROUP_ID}/schedules{path}"


async def test_requests_without_the_right_bearer_token_are_refused(api):
    assert (await api.client.get(url())).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert (await api.client.get(url(), headers=wrong)).status_code == 401
    basic = {"Authorization": f"Basic {PASSWORD}"}
    assert (await api.client.get(url(), headers=basic)).status_code == 401
    assert (await api.client.get(url(), headers=AUTH)).status_code == 200


async def test_wrong_tokens_count_as_wrong_dashboard_passwords(api, monkeypatch):
    # The token is the dashboard's password: without a limit here the API was the way to
    # guess it, past the sign-in page's.
    monkeypatch.setattr(sign_in_limit, "FAILURES_ALLOWED", 3)
    guesser = {"X-Forwarded-For": "203.0.113.7"}
    for guess in ("a", "b", "c"):
        wrong = {**guesser, "Authorization": f"Bearer {guess}"}
        assert (await api.client.get(url(), headers=wrong)).status_code == 401
    # No token guesses nothing, and is not counted.
    assert (await api.client.get(url(), headers=guesser)).status_code == 401
    locked = await api.client.get(url(), headers={**guesser, **AUTH})
    assert locked.status_code == 429 and locked.headers["Retry-After"]
    signed_in = await api.client.post(
        "/dashboard/login", data={"password": PASSWORD}, headers=guesser
    )
    assert signed_in.status_code == 429
    # Another address, and the right token, are someone else.
    other = {"X-Forwarded-For": "198.51.100.2", **AUTH}
    assert (await api.client.get(url(), headers=other)).status_code == 200


async def test_a_stranger_gets_401_whatever_the_body(api):
    # The body was parsed before the token was checked: malformed JSON got a 422, telling a
    # stranger how the API reads bodies, and every body was parsed for anyone.
    for headers in ({}, {"Authorization": "Bearer nope"}):
        for body in (b"{not json", b'{"when": 5}', b""):
            for path in (url(), f"/api/groups/{GROUP_ID}/countdowns", "/api/series"):
                response = await api.client.post(
                    path, content=body, headers={**headers, "Content-Type": "application/json"}
                )
                assert response.status_code == 401, (path, body, response.text)
                assert response.headers["WWW-Authenticate"] == "Bearer"
            patched = await api.client.patch("/api/schedules/1", content=body, headers=headers)
            assert patched.status_code == 401, patched.text
    malformed = await api.client.post(url(), content=b"{not json", headers=AUTH)
    assert malformed.status_code == 422


async def test_a_password_beyond_ascii_lets_its_holder_in(clocked_app, make_settings):
    # Sent as UTF-8 (as browsers and curl send it), it was compared re-encoded and never matched.
    harness = await BotHarness(make_settings(dashboard_password="群管理密码")).start()
    try:
        await harness.post_update(make_message_update("hello"))
        await eventually(harness.settled)
        right = {"Authorization": "Bearer 群管理密码".encode()}
        wrong = {"Authorization": "Bearer 群管理密吗".encode()}
        assert (await harness.client.get(url(), headers=right)).status_code == 200
        assert (await harness.client.get(url(), headers=wrong)).status_code == 401
    finally:
        await harness.close()


async def test_without_a_configured_password_the_api_is_off(sbot):
    response = await sbot.client.get(url(), headers=AUTH)
    assert response.status_code == 503


async def test_an_empty_dashboard_password_keeps_the_api_off(clocked_app, make_settings):
    # As `-e QUNBOT_DASHBOARD_PASSWORD=` or a compose file's unset `${VAR}` give it.
    harness = await BotHarness(make_settings(dashboard_password="")).start()
    try:
        response = await harness.client.get(url(), headers={"Authorization": "Bearer"})
        assert response.status_code == 503
    finally:
        await harness.close()


async def test_create_list_patch_delete(api):
    created = await api.client.post(
        url(), json={"when": "每天 11:00", "text": "今天的思维导图"}, headers=AUTH
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["describe"] == {"zh": "每天 11:00", "en": "every day 11:00"}
    assert body["text"] == "今天的思维导图" and body["enabled"] is True
    listed = (await api.client.get(url(), headers=AUTH)).json()
    assert [item["id"] for item in listed] == [body["id"]]

    patched = await api.client.patch(
        f"/api/schedules/{body['id']}",
        json={"when": "every mon,wed 20:00", "enabled": False},
        headers=AUTH,
    )
    assert patched.status_code == 200
    assert patched.json()["describe"]["en"] == "every Mon,Wed 20:00"
    assert patched.json()["enabled"] is False

    deleted = await api.client.delete(f"/api/schedules/{body['id']}", headers=AUTH)
    assert deleted.status_code == 204
    assert await jobs(api) == []
    missing = await api.client.delete(f"/api/schedules/{body['id']}", headers=AUTH)
    assert missing.status_code == 404


async def test_twelve_at_night_is_read_as_midnight_through_the_api(api, clocked_app):
    clocked_app.set(datetime(2026, 11, 23, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    created = await api.client.post(url(), json={"when": "今晚12点", "text": "晚安"}, headers=AUTH)
    assert created.status_code == 201, created.text
    assert created.json()["describe"]["en"] == "at 2026-11-24 00:00"


async def test_ids_no_row_can_have_are_404s_not_500s(api):
    huge = "9" * 25  # beyond the 64-bit columns: the database refused it, a 500
    for method, path in (
        ("DELETE", f"/api/schedules/{huge}"),
        ("PATCH", f"/api/schedules/{huge}"),
        ("POST", f"/api/schedules/{huge}/run-now"),
        ("GET", f"/api/groups/{huge}/schedules"),
        ("GET", f"/api/groups/{huge}/countdowns"),
        ("DELETE", "/api/schedules/0"),
    ):
        response = await api.client.request(method, path, json={}, headers=AUTH)
        assert response.status_code == 404, (method, path, response.text)


async def test_a_grace_beyond_a_year_is_a_422_not_a_500(api):
    too_long = {"when": "每天 11:00", "text": "x", "grace_minutes": 366 * 24 * 60 + 1}
    refused = await api.client.post(url(), json=too_long, headers=AUTH)
    assert refused.status_code == 422 and "grace_minutes" in refused.text
    # Far beyond it, creating overflowed timedelta (a 500) and a change was stored as given.
    huge = await api.client.post(url(), json={**too_long, "grace_minutes": 10**15}, headers=AUTH)
    assert huge.status_code == 422
    created = await api.client.post(url(), json={**too_long, "grace_minutes": None}, headers=AUTH)
    job_id = created.json()["id"]
    changed = await api.client.patch(
        f"/api/schedules/{job_id}", json={"grace_minutes": 10**12}, headers=AUTH
    )
    assert changed.status_code == 422
    (job,) = await jobs(api)
    assert job.grace_seconds is None


async def test_a_post_cannot_be_made_or_changed_to_send_nothing(api):
    # Telegram refuses a blank message, so such a post failed at every run.
    blank = await api.client.post(url(), json={"when": "每天 11:00", "text": "  "}, headers=AUTH)
    assert blank.status_code == 422 and blank.json()["detail"]["code"] == "no_text"
    morning = {"when": "每天 11:00", "text": "早安"}
    created = await api.client.post(url(), json=morning, headers=AUTH)
    for text in ("", " \n "):
        changed = await api.client.patch(
            f"/api/schedules/{created.json()['id']}", json={"text": text}, headers=AUTH
        )
        assert changed.status_code == 422 and changed.json()["detail"]["code"] == "no_text"
    (job,) = await jobs(api)
    assert job.payload["text"] == "早安"


async def test_a_text_longer_than_one_telegram_message_is_a_422(api):
    # Telegram refuses a message over 4,096 characters: the post failed at every run.
    long = "长" * 4097
    made = await api.client.post(url(), json={"when": "每天 11:00", "text": long}, headers=AUTH)
    assert made.status_code == 422 and "text" in made.text
    fits = await api.client.post(
        url(), json={"when": "每天 11:00", "text": "长" * 4096}, headers=AUTH
    )
    assert fits.status_code == 201
    changed = await api.client.patch(
        f"/api/schedules/{fits.json()['id']}", json={"text": long}, headers=AUTH
    )
    assert changed.status_code == 422
    series = await api.client.post("/api/series", json={"name": "s", "items": [long]}, headers=AUTH)
    assert series.status_code == 422
    await api.client.post("/api/series", json={"name": "s"}, headers=AUTH)
    item = await api.client.post("/api/series/s/items", json={"text": long}, headers=AUTH)
    assert item.status_code == 422


async def test_the_limit_counts_as_telegram_does_an_emoji_beyond_the_bmp_as_two(api):
    # 2049 emoji passed a check by code points and made 4098 UTF-16 units, over Telegram's 4096.
    over, fits = "😀" * 2049, "😀" * 2048
    made = await api.client.post(url(), json={"when": "每天 11:00", "text": over}, headers=AUTH)
    assert made.status_code == 422 and made.json()["detail"][0]["loc"] == ["body", "text"]
    assert over not in made.text
    made = await api.client.post(url(), json={"when": "每天 11:00", "text": fits}, headers=AUTH)
    assert made.status_code == 201, made.text
    changed = await api.client.patch(
        f"/api/schedules/{made.json()['id']}", json={"text": over}, headers=AUTH
    )
    assert changed.status_code == 422
    series = await api.client.post("/api/series", json={"name": "e", "items": [over]}, headers=AUTH)
    assert series.status_code == 422


async def test_bad_phrase_is_a_422_in_both_languages(api):
    response = await api.client.post(url(), json={"when": "someday", "text": "x"}, headers=AUTH)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] == "bad_syntax"
    assert "看不懂这个时间" in detail["zh"] and "I can't read this time" in detail["en"]
    past = await api.client.post(
        url(), json={"when": "2020-01-01 10:00", "text": "x"}, headers=AUTH
    )
    assert past.status_code == 422 and past.json()["detail"]["code"] == "in_past"
    empty = await api.client.post(url(), json={"when": "每天 11:00"}, headers=AUTH)
    assert empty.status_code == 422
    assert await jobs(api) == []


async def test_run_now_posts_through_the_outbox(api, fake_telegram):
    created = await api.client.post(
        url(), json={"when": "每天 11:00", "text": "现在就发"}, headers=AUTH
    )
    job_id = created.json()["id"]
    response = await api.client.post(f"/api/schedules/{job_id}/run-now", headers=AUTH)
    assert response.status_code == 200 and response.json()["actions"] == 1
    await fake_telegram.wait_for("sendMessage", 1)
    assert "现在就发" in [m["text"] for m in fake_telegram.called("sendMessage")]
    assert (await api.client.post("/api/schedules/999/run-now", headers=AUTH)).status_code == 404


async def test_series_through_the_api(api):
    made = await api.client.post(
        "/api/series", json={"name": "course", "items": ["day 1", "day 2"]}, headers=AUTH
    )
    assert made.status_code == 201 and made.json()["items"] == 2
    added = await api.client.post("/api/series/course/items", json={"text": "day 3"}, headers=AUTH)
    assert added.json()["number"] == 3
    assert (await api.client.get("/api/series", headers=AUTH)).json() == [
        {"id": made.json()["id"], "name": "course", "items": 3}
    ]
    again = await api.client.post("/api/series", json={"name": "course"}, headers=AUTH)
    assert again.status_code == 422 and again.json()["detail"]["code"] == "series_exists"
    missing = await api.client.post("/api/series/nope/items", json={"text": "x"}, headers=AUTH)
    assert missing.status_code == 404
    job = await api.client.post(
        url(),
        json={"when": "每天 11:00", "series": "course", "loop": True, "grace_minutes": None},
        headers=AUTH,
    )
    assert job.status_code == 201, job.text
    body = job.json()
    assert body["kind"] == "series" and body["grace_seconds"] is None
    (stored,) = await jobs(api)
    assert stored.payload == {"series_id": made.json()["id"], "loop": True, "text": ""}
    unknown = await api.client.post(
        url(), json={"when": "每天 11:00", "series": "nope"}, headers=AUTH
    )
    assert unknown.status_code == 422 and unknown.json()["detail"]["code"] == "no_series"


async def test_targets_through_the_api_use_the_chat_syntax(api):
    made = await api.client.post(
        url(), json={"when": "每天 11:00", "text": "hi", "to": "tag:vip"}, headers=AUTH
    )
    assert made.status_code == 201 and made.json()["target"] == {"tag": "vip"}
    # Nobody has the tag yet: kept, and said at once, in the chat's words.
    assert made.json()["warning"] == {
        "zh": "⚠️ 现在没有群带标签 vip：任务已保存，但不会发出，直到有群用 "
        "/settings tags vip 加上这个标签。",
        "en": "⚠️ No group has the tag vip now: the job is saved but posts nowhere until "
        "a group adds it with /settings tags vip.",
    }
    listed = await api.client.post(
        url(), json={"when": "每天 11:00", "text": "hi", "to": f"groups:{GROUP_ID}"}, headers=AUTH
    )
    assert listed.json()["target"] == {"groups": [listed.json()["group_id"]]}
    assert "warning" not in listed.json()
    plain = await api.client.post(url(), json={"when": "每天 11:00", "text": "hi"}, headers=AUTH)
    assert plain.status_code == 201 and "warning" not in plain.json()
    bad = await api.client.post(
        url(), json={"when": "每天 11:00", "text": "hi", "to": "everyone"}, headers=AUTH
    )
    assert bad.status_code == 422 and bad.json()["detail"]["code"] == "bad_target"
    assert "to=type:flash" in bad.json()["detail"]["zh"]


async def test_countdowns_through_the_api(api, fake_telegram):
    cd_url = f"/api/groups/{GROUP_ID}/countdowns"
    body = {"deadline": "2026-12-01 20:00", "text": "双十二秒杀", "marks": "1d,1h", "end": "close"}
    created = await api.client.post(cd_url, json={**body, "update": True}, headers=AUTH)
    assert created.status_code == 201, created.text
    shown = created.json()
    assert shown["reminders"] == 2 and shown["end"] == "close" and shown["text"] == "双十二秒杀"
    listed = (await api.client.get(cd_url, headers=AUTH)).json()
    assert [c["id"] for c in listed] == [shown["id"]]
    kinds = sorted(job.kind for job in await jobs(api))
    assert kinds == ["countdown_edit", "countdown_end", "countdown_mark"]
    # Its steps are not schedules: not listed, and neither run early, changed nor removed one
    # by one (running the end now would close the group at once).
    assert (await api.client.get(url(), headers=AUTH)).json() == []
    end = next(job for job in await jobs(api) if job.kind == "countdown_end")
    for method, path, extra in (("post", f"/api/schedules/{end.id}/run-now", {}),
                                ("patch", f"/api/schedules/{end.id}", {"json": {"enabled": False}}),
                                ("delete", f"/api/schedules/{end.id}", {})):
        refused = await getattr(api.client, method)(path, headers=AUTH, **extra)
        assert refused.status_code == 409, (method, refused.text)
        assert refused.json()["detail"]["code"] == "countdown_step"
        assert f"countdowns/{shown['id']}" in refused.json()["detail"]["en"]
    assert len(await jobs(api)) == 3 and all(job.enabled for job in await jobs(api))
    assert fake_telegram.called("setChatPermissions") == []

    past = await api.client.post(
        cd_url, json={**body, "deadline": "2020-01-01 20:00"}, headers=AUTH
    )
    assert past.status_code == 422 and past.json()["detail"]["code"] == "deadline_past"
    sneaky = await api.client.post(cd_url, json={**body, "text": "x end=dissolve"}, headers=AUTH)
    assert sneaky.status_code == 422
    assert (await api.client.delete(f"{cd_url}/{shown['id']}", headers=AUTH)).status_code == 204
    assert await jobs(api) == []
    assert (await api.client.delete(f"{cd_url}/{shown['id']}", headers=AUTH)).status_code == 404
    assert (await api.client.get(cd_url)).status_code == 401


async def walk(api, path: str) -> list[list]:
    """Every page of a list, following each response's `Link: rel="next"`."""
    pages, address = [], path
    while address:
        response = await api.client.get(address, headers=AUTH)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        nxt = response.headers.get("link")
        if nxt is None:
            assert "x-next-offset" not in response.headers
            break
        assert nxt.endswith('>; rel="next"')
        offset = int(response.headers["x-next-offset"])
        assert f"offset={offset}" in nxt
        address = nxt[1 : nxt.index(">")]
    return pages


async def test_lists_come_in_pages_with_the_next_one_named_in_headers(api):
    # Regression: every list returned all its rows at once, however many a deployment had.
    cd_url = f"/api/groups/{GROUP_ID}/countdowns"
    for n, deadline in enumerate(("2026-12-01 20:00", "2026-12-02 20:00", "2026-12-03 20:00")):
        await api.client.post(url(), json={"when": "每天 11:00", "text": f"t{n}"}, headers=AUTH)
        # Its marks' rows sit between the schedules': they are not a page's rows.
        made = await api.client.post(
            cd_url, json={"deadline": deadline, "text": f"c{n}", "marks": "1d,1h"}, headers=AUTH
        )
        assert made.status_code == 201, made.text
        await api.client.post("/api/series", json={"name": f"s{n}"}, headers=AUTH)
    for path, field, want in ((url(), "text", ["t0", "t1", "t2"]),
                              (cd_url, "text", ["c0", "c1", "c2"]),
                              ("/api/series", "name", ["s0", "s1", "s2"])):
        pages = await walk(api, f"{path}?limit=2")
        assert [[row[field] for row in page] for page in pages] == [want[:2], want[2:]], path
        whole = await api.client.get(path, headers=AUTH)
        assert [row[field] for row in whole.json()] == want and "link" not in whole.headers
        past = await api.client.get(f"{path}?offset=5", headers=AUTH)
        assert past.json() == [] and "link" not in past.headers


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=501", "limit=ten", "offset=-1", "offset=99999999999"]
)
async def test_a_page_out_of_range_is_a_422_naming_the_parameter(api, query):
    for path in (url(), f"/api/groups/{GROUP_ID}/countdowns", "/api/series"):
        response = await api.client.get(f"{path}?{query}", headers=AUTH)
        assert response.status_code == 422, (path, response.text)
        (problem,) = response.json()["detail"]
        assert problem["loc"] == ["query", query.split("=")[0]]


async def test_countdowns_are_numbered_1_2_3_in_chat_and_the_api_alike(api, fake_telegram):
    # Regression: a countdown's number was the id of its end job, and each reminder is a job
    # too, so /countdown list showed #3, #7, #12 and operators had to look a number up.
    cd_url = f"/api/groups/{GROUP_ID}/countdowns"
    first = await command(api, fake_telegram, "/countdown in 3h 第一场 marks=2h,1h")
    await command(api, fake_telegram, "/schedule add 每天 11:00 早安")  # a job in between
    second = await command(api, fake_telegram, "/countdown in 4h 第二场 marks=2h,1h")
    body = {"deadline": "in 5h", "text": "第三场", "marks": "2h,1h"}
    third = await api.client.post(cd_url, json=body, headers=AUTH)
    assert "倒计时 #1 已创建" in first and "倒计时 #2 已创建" in second
    assert third.status_code == 201 and third.json()["id"] == 3
    listing = await command(api, fake_telegram, "/countdown list")
    assert [line.split(" ")[0] for line in listing.splitlines()] == ["#1", "#2", "#3"]
    assert [c["id"] for c in (await api.client.get(cd_url, headers=AUTH)).json()] == [1, 2, 3]
    # Another group numbers its own from 1; each number names the group's own countdown.
    other = -1009876543210
    await api.post_update(make_message_update("/countdown in 3h 别的群", chat_id=other,
                                              sender=user(OPERATOR_ID, "Op")))
    await eventually(api.settled)
    other_url = f"/api/groups/{other}/countdowns"
    assert [c["id"] for c in (await api.client.get(other_url, headers=AUTH)).json()] == [1]
    assert "已取消" in await command(api, fake_telegram, "/countdown cancel 1")
    assert (await api.client.delete(f"{cd_url}/3", headers=AUTH)).status_code == 204
    assert [c["id"] for c in (await api.client.get(cd_url, headers=AUTH)).json()] == [2]
    assert [c["id"] for c in (await api.client.get(other_url, headers=AUTH)).json()] == [1]
    fourth = await command(api, fake_telegram, "/countdown in 6h 第四场 marks=2h,1h")
    # Regression: #3, cancelled at the top, was given again, and an operator's note "cancel
    # #3" then cancelled the new countdown; a number is never given twice in a group.
    assert "倒计时 #4 已创建" in fourth
    assert (await api.client.delete(f"{cd_url}/4", headers=AUTH)).status_code == 204
    fifth = await api.client.post(cd_url, json={**body, "text": "第五场"}, headers=AUTH)
    assert fifth.json()["id"] == 5
