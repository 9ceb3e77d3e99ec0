"""Forum topics through the JSON API: `thread_id` aims a schedule or a countdown
at one topic of the group, validated as a topic's number."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import GROUP_ID
from tests.fakes.telegram_api import Failure
from tests.schedules.conftest import jobs
from tests.schedules.test_api import AUTH, api, url  # noqa: F401  (the fixture)
from tests.schedules.test_api_input import problem_at
from tests.schedules.test_countdowns_and_restarts import fire
from tests.schedules.test_targets import fire_every_job

COUNTDOWNS = f"/api/groups/{GROUP_ID}/countdowns"


async def test_a_schedule_made_for_a_topic_posts_there(api, fake_telegram, clocked_app):  # noqa: F811
    made = await api.client.post(
        url(), json={"when": "in 30m", "text": "早安", "thread_id": 77}, headers=AUTH
    )
    assert made.status_code == 201, made.text
    assert made.json()["thread_id"] == 77 and "note" not in made.json()
    general = await api.client.post(url(), json={"when": "in 40m", "text": "午安"}, headers=AUTH)
    assert general.json()["thread_id"] is None
    poll = {"when": "in 50m", "kind": "poll", "thread_id": 78,
            "payload": {"question": "去哪？", "options": ["海边", "山里"]}}
    assert (await api.client.post(url(), json=poll, headers=AUTH)).status_code == 201
    listed = (await api.client.get(url(), headers=AUTH)).json()
    assert [job["thread_id"] for job in listed] == [77, None, 78]
    await fire_every_job(api, clocked_app)
    sent = [(m["text"], m.get("message_thread_id")) for m in fake_telegram.called("sendMessage")]
    assert ("早安", 77) in sent and ("午安", None) in sent
    assert [p.get("message_thread_id") for p in fake_telegram.called("sendPoll")] == [78]


async def test_a_topic_is_ignored_for_other_groups_and_the_answer_says_so(api):  # noqa: F811
    body = {"when": "in 30m", "text": "hi", "to": f"groups:{GROUP_ID}", "thread_id": 77}
    made = await api.client.post(url(), json=body, headers=AUTH)
    assert made.status_code == 201, made.text
    assert made.json()["thread_id"] is None
    assert "General" in made.json()["note"]["en"] and "General" in made.json()["note"]["zh"]
    (job,) = await jobs(api)
    assert job.thread_id is None


@pytest.mark.parametrize("topic", [0, -5, "77", True, 1.5, 2**31, "general"])
async def test_a_topic_that_is_not_a_positive_integer_is_a_422(api, topic):  # noqa: F811
    made = await api.client.post(
        url(), json={"when": "in 30m", "text": "hi", "thread_id": topic}, headers=AUTH
    )
    assert problem_at(made) == [("body", "thread_id")]
    countdown = {"deadline": "in 3h", "text": "秒杀", "thread_id": topic}
    refused = await api.client.post(COUNTDOWNS, json=countdown, headers=AUTH)
    assert problem_at(refused) == [("body", "thread_id")]
    assert await jobs(api) == []


async def test_a_countdown_made_for_a_topic_counts_down_there(api, fake_telegram, clocked_app):  # noqa: F811
    body = {"deadline": "in 3h", "text": "秒杀", "marks": "1h", "pin": True, "thread_id": 77}
    made = await api.client.post(COUNTDOWNS, json=body, headers=AUTH)
    assert made.status_code == 201, made.text
    assert made.json()["thread_id"] == 77
    assert [c["thread_id"] for c in (await api.client.get(COUNTDOWNS, headers=AUTH)).json()] == [77]
    end = max(await jobs(api), key=lambda job: job.next_run_at)
    await fire(api, clocked_app, end.next_run_at - timedelta(hours=1))
    await fire(api, clocked_app, end.next_run_at)
    sent = [(m["text"], m.get("message_thread_id")) for m in fake_telegram.called("sendMessage")]
    assert sent[-2:] == [("秒杀：距离结束还有 1 小时", 77), ("秒杀：已结束", 77)]
    assert len(fake_telegram.called("pinChatMessage")) == 1
    assert len(fake_telegram.called("unpinChatMessage")) == 1


async def test_a_change_moves_a_job_to_another_topic_or_to_general(api, fake_telegram, clocked_app):  # noqa: F811
    # Regression: PATCH refused `thread_id` (extra field): a job stayed in its topic for good.
    made = await api.client.post(url(), json={"when": "每天 11:00", "text": "早安"}, headers=AUTH)
    path = f"/api/schedules/{made.json()['id']}"
    moved = await api.client.patch(path, json={"thread_id": 77}, headers=AUTH)
    assert moved.status_code == 200, moved.text
    assert moved.json()["thread_id"] == 77
    await fire_every_job(api, clocked_app)
    assert fake_telegram.called("sendMessage")[-1].get("message_thread_id") == 77
    for topic in (0, "77", True, 2**31):
        refused = await api.client.patch(path, json={"thread_id": topic}, headers=AUTH)
        assert problem_at(refused) == [("body", "thread_id")]
    # Another field changed alone leaves the topic; null is the General topic.
    kept = await api.client.patch(path, json={"text": "早上好"}, headers=AUTH)
    assert kept.json()["thread_id"] == 77
    general = await api.client.patch(path, json={"thread_id": None}, headers=AUTH)
    assert general.status_code == 200 and general.json()["thread_id"] is None
    await fire_every_job(api, clocked_app)
    last = fake_telegram.called("sendMessage")[-1]
    assert (last["text"], last.get("message_thread_id")) == ("早上好", None)
    # A job posting to other groups posts in each one's General topic, as when made.
    body = {"when": "in 30m", "text": "hi", "to": f"groups:{GROUP_ID}"}
    other = await api.client.post(url(), json=body, headers=AUTH)
    ignored = await api.client.patch(
        f"/api/schedules/{other.json()['id']}", json={"thread_id": 77}, headers=AUTH
    )
    assert ignored.json()["thread_id"] is None and "General" in ignored.json()["note"]["en"]


async def test_after_a_topic_is_gone_its_jobs_post_straight_to_general(
    api, fake_telegram, clocked_app  # noqa: F811
):
    # Regression: each later firing tried the gone topic first, one refused call every time.
    for text in ("早安", "晚安"):
        body = {"when": "每天 11:00" if text == "早安" else "每天 21:00", "text": text,
                "thread_id": 77}
        await api.client.post(url(), json=body, headers=AUTH)
    fake_telegram.fail_next("sendMessage", Failure(400, "Bad Request: message thread not found"))
    for _ in range(4):  # the first falls back; later firings go straight to General
        job = min(await jobs(api), key=lambda job: job.next_run_at)
        await fire(api, clocked_app, job.next_run_at)
    sent = [(m["text"], m.get("message_thread_id")) for m in fake_telegram.called("sendMessage")]
    first = sent[0][0]
    assert sent[:2] == [(first, 77), (first, None)]
    assert [topic for _, topic in sent[1:]] == [None] * 4
    assert sorted(text for text, _ in sent[1:]) == ["早安", "早安", "晚安", "晚安"]
    assert [job.thread_id for job in await jobs(api)] == [None, None]
