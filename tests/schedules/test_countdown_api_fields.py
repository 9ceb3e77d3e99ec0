"""The countdowns API reads each field for itself: what one field holds never lands in another
(a mark in the text, the text's time in the deadline, an end action in the deadline)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import GROUP_ID
from tests.schedules.conftest import jobs
from tests.schedules.test_api import AUTH
from tests.schedules.test_api_input import started

CD_URL = f"/api/groups/{GROUP_ID}/countdowns"


@pytest.fixture
async def api(clocked_app, make_settings):
    clocked_app.set(datetime(2026, 11, 23, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai")))  # a Monday
    harness = await started(make_settings)
    yield harness
    await harness.close()


async def test_marks_written_with_spaces_are_all_kept_and_stay_out_of_the_text(api):
    # Regression: "1d, 1h" kept only 1d and the countdown was named "促销 1h".
    body = {"deadline": "2026-12-03 20:00", "text": "促销 & <b>🎉</b>", "marks": "1d, 1h"}
    created = await api.client.post(CD_URL, json=body, headers=AUTH)
    assert created.status_code == 201, created.text
    assert created.json()["reminders"] == 2
    assert created.json()["text"] == "促销 & <b>🎉</b>"


async def test_a_date_alone_is_not_given_a_time_from_the_text(api):
    # Regression: the text's leading "20:00" was read as the deadline's time.
    body = {"deadline": "12月1日", "text": "20:00 直播开始", "marks": "1d"}
    created = await api.client.post(CD_URL, json=body, headers=AUTH)
    assert created.status_code == 201, created.text
    assert created.json()["deadline"] == "2026-11-30T16:00:00+00:00"  # 00:00 in Shanghai
    assert created.json()["text"] == "20:00 直播开始"


@pytest.mark.parametrize(
    "fields",
    [
        {"deadline": "2026-12-02 20:00 直播"},
        {"deadline": "2026-12-02 20:00 end=dissolve"},
        {"marks": "1d end=dissolve"},
    ],
)
async def test_a_deadline_or_marks_carrying_more_is_refused(api, fields):
    # Regression: words in the deadline joined the text, and an end action written there or in
    # the marks was obeyed, though the request's `end` said nothing (announce): the group
    # would have been dissolved at the deadline.
    body = {"deadline": "2026-12-02 20:00", "text": "开始", **fields}
    refused = await api.client.post(CD_URL, json=body, headers=AUTH)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"]["code"] in ("bad_deadline", "bad_marks")
    assert await jobs(api) == []
