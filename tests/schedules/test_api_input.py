"""What the schedules API refuses before it stores a job that could never post as asked: raw
targets, a series job without a series, flags that are not booleans, and bodies over
QUNBOT_MAX_BODY_BYTES; and its 422s name the field without echoing the input."""

from __future__ import annotations

import pytest

from tests.factories import GROUP_ID, make_message_update
from tests.harness import BotHarness, eventually
from tests.schedules.conftest import jobs, release_outbox
from tests.schedules.test_api import AUTH, PASSWORD, url

OTHER = -1001111111111
DAILY = {"when": "每天 11:00", "text": "hi"}


async def started(make_settings, **overrides) -> BotHarness:
    harness = await BotHarness(make_settings(dashboard_password=PASSWORD, **overrides)).start()
    # The group exists once the bot has seen it.
    await harness.post_update(make_message_update("hello"))
    await eventually(harness.settled)
    return harness


@pytest.fixture
async def api(clocked_app, make_settings):
    harness = await started(make_settings)
    yield harness
    await harness.close()


@pytest.fixture
async def small_cap(clocked_app, make_settings):
    harness = await started(make_settings, max_body_bytes=2000)
    yield harness
    await harness.close()


def problem_at(response) -> list[tuple[str | int, ...]]:
    """Where FastAPI's 422 says the body is wrong."""
    assert response.status_code == 422, response.text
    return [tuple(error["loc"]) for error in response.json()["detail"]]


@pytest.mark.parametrize(
    "target", [{"groups": ["abc"]}, {"chats": [str(OTHER)]}, {"tag": "vip"}, {}]
)
async def test_a_raw_target_is_refused_naming_the_field(api, target):
    # Stored unchecked, {"groups": ["abc"]} failed every run (run-now a 500) and {"chats": ..}
    # posted to the owner group: `to` in the chat's forms is the one way to aim a job.
    response = await api.client.post(url(), json={**DAILY, "target": target}, headers=AUTH)
    assert problem_at(response) == [("body", "target")]
    assert await jobs(api) == []


async def test_to_aims_a_job_at_another_group_as_in_chat(api, fake_telegram):
    await api.post_update(make_message_update("hello", chat_id=OTHER))
    await eventually(api.settled)
    made = await api.client.post(url(), json={**DAILY, "to": f"群:{OTHER}"}, headers=AUTH)
    assert made.status_code == 201, made.text
    ran = await api.client.post(f"/api/schedules/{made.json()['id']}/run-now", headers=AUTH)
    assert ran.status_code == 200 and ran.json()["actions"] == 1
    await release_outbox(api)
    await eventually(api.settled)
    sent = [m["chat_id"] for m in fake_telegram.called("sendMessage") if m["text"] == "hi"]
    assert sent == [OTHER]


async def test_a_series_job_without_a_series_is_refused(api):
    # Stored with no series to post from, it failed every run and run-now answered 404.
    response = await api.client.post(url(), json={**DAILY, "kind": "series"}, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "no_series_name"
    assert "series" in response.json()["detail"]["zh"]
    assert await jobs(api) == []


async def test_flags_must_be_true_or_false(api):
    poll = {
        "when": "every fri 20:00",
        "kind": "poll",
        "payload": {"question": "Who comes?", "options": ["me", "not me"]},
    }
    # "no" was read as a yes: the poll stayed anonymous.
    named = {**poll, "payload": {**poll["payload"], "anonymous": "no"}}
    assert problem_at(await api.client.post(url(), json=named, headers=AUTH)) == [
        ("body", "payload", "anonymous")
    ]
    looping = {"when": "每天 11:00", "series": "course", "loop": "yes"}
    assert problem_at(await api.client.post(url(), json=looping, headers=AUTH)) == [
        ("body", "loop")
    ]
    countdown = {"deadline": "2026-12-01 20:00", "text": "end", "pin": "no"}
    countdowns = f"/api/groups/{GROUP_ID}/countdowns"
    assert problem_at(await api.client.post(countdowns, json=countdown, headers=AUTH)) == [
        ("body", "pin")
    ]
    assert await jobs(api) == []
    not_anonymous = {**poll, "payload": {**poll["payload"], "anonymous": False}}
    made = await api.client.post(url(), json=not_anonymous, headers=AUTH)
    assert made.status_code == 201, made.text
    paused = await api.client.patch(
        f"/api/schedules/{made.json()['id']}", json={"enabled": "no"}, headers=AUTH
    )
    assert problem_at(paused) == [("body", "enabled")]
    (job,) = await jobs(api)
    assert job.payload["anonymous"] is False and job.enabled


@pytest.mark.parametrize("payload", [{"days": "abc"}, {"days": 0}, {"threshold": 0},
                                     {"days": 10**12}, {"threshold": 1.5}])
async def test_an_inactivity_check_that_could_never_run_right_is_refused(api, payload):
    # Regression: stored as given, "abc" or 10**12 days failed at every run, 0 days warned at
    # every run and a threshold of 0 never did; chat takes 1 to 999 days and 1 message or more.
    check = {"when": "every mon 10:00", "kind": "inactivity_check", "payload": payload}
    response = await api.client.post(url(), json=check, headers=AUTH)
    assert problem_at(response) == [("body", "payload", *payload)]
    assert await jobs(api) == []


async def test_an_inactivity_check_keeps_its_days_and_threshold(api):
    check = {"when": "every mon 10:00", "kind": "inactivity_check"}
    made = await api.client.post(
        url(), json={**check, "payload": {"days": 3, "threshold": 5}}, headers=AUTH
    )
    assert made.status_code == 201, made.text
    assert (await api.client.post(url(), json=check, headers=AUTH)).status_code == 201
    assert [job.payload for job in await jobs(api)] == [
        {"days": 3, "threshold": 5, "text": ""},
        {"days": 7, "threshold": 10, "text": ""},
    ]


async def test_a_422_names_the_field_without_echoing_the_input(api):
    long = "长" * 4097  # over one Telegram message, under the body cap
    response = await api.client.post(url(), json={**DAILY, "text": long}, headers=AUTH)
    assert problem_at(response) == [("body", "text")]
    assert "长长长" not in response.text and len(response.content) < 1000


async def test_an_api_body_over_the_cap_is_a_413(small_cap):
    # A 5 MB text was read whole and sent back in the 422.
    big = {**DAILY, "text": "x" * 3000}
    response = await small_cap.client.post(url(), json=big, headers=AUTH)
    assert response.status_code == 413 and len(response.content) < 200
    series = {"name": "s", "items": ["x" * 1500, "y" * 1500]}
    refused = await small_cap.client.post("/api/series", json=series, headers=AUTH)
    assert refused.status_code == 413
    # Sent in chunks with no length declared, it is cut off as it streams in.
    async def chunks():
        for _ in range(10):
            yield b" " * 500
        yield b'{"when": "every day 11:00", "text": "hi"}'

    streamed = await small_cap.client.post(
        url(), content=chunks(), headers={**AUTH, "content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert await jobs(small_cap) == []
    fits = await small_cap.client.post(url(), json={**DAILY, "text": "x" * 1500}, headers=AUTH)
    assert fits.status_code == 201, fits.text
    assert (await small_cap.client.get(url(), headers=AUTH)).status_code == 200


async def test_a_text_is_not_taken_for_a_job_that_posts_none(api):
    # Regression: PATCH {"text"} of a poll answered 200 showing the new text, and the poll
    # went on asking its question as before; so for a series, a digest, an inactivity check.
    poll = {
        "when": "every fri 20:00",
        "kind": "poll",
        "payload": {"question": "Who comes?", "options": ["me", "not me"]},
    }
    made = await api.client.post(url(), json=poll, headers=AUTH)
    changed = await api.client.patch(
        f"/api/schedules/{made.json()['id']}", json={"text": "Pizza tonight"}, headers=AUTH
    )
    assert changed.status_code == 422, changed.text
    assert changed.json()["detail"]["code"] == "text_unused"
    assert "poll" in changed.json()["detail"]["en"]
    (job,) = await jobs(api)
    assert "text" not in job.payload or job.payload["text"] == ""
    post = await api.client.post(url(), json=DAILY, headers=AUTH)
    changed = await api.client.patch(
        f"/api/schedules/{post.json()['id']}", json={"text": "bye"}, headers=AUTH
    )
    assert changed.status_code == 200 and changed.json()["text"] == "bye"


async def test_a_new_job_that_posts_no_text_refuses_one(api):
    # Regression: POST of a poll, digest or series with a `text` answered 201 and the text
    # was dropped unseen; PATCH already refused it.
    await api.client.post("/api/series", json={"name": "tips", "items": ["one"]}, headers=AUTH)
    poll = {"kind": "poll", "payload": {"question": "Who comes?", "options": ["me", "not me"]}}
    for body in (
        {**poll, "when": "every fri 20:00", "text": "Pizza tonight"},
        {**poll, "when": "every fri 20:00 Pizza tonight"},
        {"kind": "digest", "when": "每天 21:00", "text": "今日总结"},
        {"series": "tips", "when": "每天 09:00", "text": "tip"},
    ):
        made = await api.client.post(url(), json=body, headers=AUTH)
        assert made.status_code == 422, (body, made.text)
        detail = made.json()["detail"]
        assert (detail["code"], detail["field"]) == ("text_unused", "text")
        assert "`text`" in detail["en"] and "text" in detail["zh"]
    assert await jobs(api) == []
    assert (await api.client.post(url(), json={**poll, "when": "every fri 20:00"},
                                  headers=AUTH)).status_code == 201


async def test_words_after_the_time_in_when_are_not_dropped_unseen(api):
    # Regression: {"when": "每天 12:00 新内容"} in a PATCH kept the old text and showed the
    # words in `when`; beside a `text` in a POST they were shown there and never posted.
    made = await api.client.post(url(), json=DAILY, headers=AUTH)
    changed = await api.client.patch(
        f"/api/schedules/{made.json()['id']}", json={"when": "每天 12:00 新内容"}, headers=AUTH
    )
    assert changed.status_code == 422, changed.text
    assert changed.json()["detail"]["code"] == "text_in_when"
    both = await api.client.post(
        url(), json={"when": "每天 11:00 早安", "text": "晚安"}, headers=AUTH
    )
    assert both.status_code == 422 and both.json()["detail"]["code"] == "text_in_when"
    (job,) = await jobs(api)
    assert job.phrase == "每天 11:00" and job.payload["text"] == "hi"
    # Alone, the words after the time are the text, as in chat.
    alone = await api.client.post(url(), json={"when": "每天 11:00 早安"}, headers=AUTH)
    assert alone.status_code == 201 and alone.json()["text"] == "早安"
