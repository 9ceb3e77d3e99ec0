"""A group upgraded to a supergroup gets a new chat id; links and scripts written with the old
one, and jobs aimed at it, keep reaching the group."""

from __future__ import annotations

import pytest

from tests.factories import GROUP_ID, OPERATOR_ID, make_message_update, make_migrate_update, user
from tests.harness import eventually
from tests.schedules.test_api import AUTH
from tests.schedules.test_api_input import started

OLD, NEW = -4242, -1004242


@pytest.fixture
async def api(clocked_app, make_settings):
    harness = await started(make_settings)
    yield harness
    await harness.close()


def in_chat(chat_id: int, text: str) -> dict:
    update = make_message_update(text, chat_id=chat_id, sender=user(1, "Ann"))
    kind = "group" if chat_id == OLD else "supergroup"
    update["message"]["chat"] = {"id": chat_id, "type": kind, "title": "Study group"}
    return update


async def test_the_api_answers_for_an_upgraded_group_under_its_old_chat_id(api):
    # Regression: a saved dashboard link or script naming the old id got 404 "no such group".
    await api.post_update(in_chat(OLD, "hello"))
    await eventually(api.settled)
    made = await api.client.post(
        f"/api/groups/{OLD}/schedules", json={"when": "每天 9:00", "text": "早安"}, headers=AUTH
    )
    assert made.status_code == 201, made.text
    await api.post_update(make_migrate_update(OLD, NEW))
    await eventually(api.settled)
    for chat in (OLD, NEW):
        listed = await api.client.get(f"/api/groups/{chat}/schedules", headers=AUTH)
        assert listed.status_code == 200, listed.text
        assert [job["id"] for job in listed.json()] == [made.json()["id"]]
    again = await api.client.post(
        f"/api/groups/{OLD}/countdowns", json={"deadline": "in 3h", "text": "结束"}, headers=AUTH
    )
    assert again.status_code == 201, again.text
    listed = await api.client.get(f"/api/groups/{NEW}/countdowns", headers=AUTH)
    assert [c["id"] for c in listed.json()] == [again.json()["id"]]
    unknown = await api.client.get("/api/groups/-4343/schedules", headers=AUTH)
    assert unknown.status_code == 404


async def aimed_at(api, chat: int, text: str) -> int:
    made = await api.client.post(
        f"/api/groups/{GROUP_ID}/schedules",
        json={"when": "每天 9:00", "text": text, "to": f"groups:{chat}"},
        headers=AUTH,
    )
    assert made.status_code == 201, made.text
    return made.json()["id"]


async def test_jobs_aimed_at_either_record_of_an_upgraded_group_post_in_the_supergroup(
    api, fake_telegram
):
    # The supergroup's first messages came before the upgrade notice: the bot had a record
    # for each id, and a job aimed at each (a target holds record ids). Folding them into one
    # left the job aimed at the record folded away posting nowhere.
    await api.post_update(in_chat(OLD, "hello"))
    await api.post_update(in_chat(NEW, "hello again"))
    await eventually(api.settled)
    jobs = [await aimed_at(api, OLD, "to the old"), await aimed_at(api, NEW, "to the new")]
    await api.post_update(make_migrate_update(OLD, NEW))
    await eventually(api.settled)
    for job_id in jobs:
        ran = await api.client.post(f"/api/schedules/{job_id}/run-now", headers=AUTH)
        assert ran.status_code == 200 and ran.json()["actions"] == 1, ran.text
    await fake_telegram.wait_for("sendMessage", 2)
    posted = [(m["chat_id"], m["text"]) for m in fake_telegram.called("sendMessage")]
    assert posted == [(NEW, "to the old"), (NEW, "to the new")]


async def test_a_job_aimed_by_the_old_chat_id_after_the_upgrade_posts_in_the_supergroup(
    api, fake_telegram
):
    # Regression: a script still naming the old id got 422 "I don't know these groups".
    await api.post_update(in_chat(OLD, "hello"))
    await api.post_update(make_migrate_update(OLD, NEW))
    await eventually(api.settled)
    job_id = await aimed_at(api, OLD, "later")
    ran = await api.client.post(f"/api/schedules/{job_id}/run-now", headers=AUTH)
    assert ran.json()["actions"] == 1, ran.text
    (posted,) = await fake_telegram.wait_for("sendMessage", 1)
    assert (posted["chat_id"], posted["text"]) == (NEW, "later")


async def test_countdowns_of_both_records_of_an_upgraded_group_keep_distinct_numbers(
    api, fake_telegram
):
    # Regression: both records numbered their countdowns from 1; folded into one, the group had
    # two #1s, and cancelling #1 cancelled both.
    await api.post_update(in_chat(OLD, "hello"))
    await eventually(api.settled)
    await api.post_update(in_chat(NEW, "hello again"))
    await eventually(api.settled)
    for chat, texts in ((OLD, ("旧一", "旧二", "旧三")), (NEW, ("新一", "新二"))):
        for text in texts:
            made = await api.client.post(f"/api/groups/{chat}/countdowns",
                                         json={"deadline": "in 3h", "text": text}, headers=AUTH)
            assert made.status_code == 201, made.text
    top = await api.client.delete(f"/api/groups/{OLD}/countdowns/3", headers=AUTH)
    assert top.status_code == 204
    await api.post_update(make_migrate_update(OLD, NEW))
    await eventually(api.settled)
    url = f"/api/groups/{NEW}/countdowns"
    listed = (await api.client.get(url, headers=AUTH)).json()
    # The older record survives and keeps its numbers (3 was given, then cancelled); the
    # other's follow.
    assert sorted((c["id"], c["text"]) for c in listed) == [
        (1, "旧一"), (2, "旧二"), (4, "新一"), (5, "新二")
    ]
    assert (await api.client.delete(f"{url}/1", headers=AUTH)).status_code == 204
    assert sorted(c["text"] for c in (await api.client.get(url, headers=AUTH)).json()) == [
        "新一", "新二", "旧二"
    ]
    made = await api.client.post(url, json={"deadline": "in 3h", "text": "合并后"}, headers=AUTH)
    assert made.json()["id"] == 6
    await api.post_update(make_message_update("/countdown list", chat_id=NEW,
                                              sender=user(OPERATOR_ID, "Op")))
    await eventually(api.settled)
    listing = fake_telegram.called("sendMessage")[-1]["text"]
    assert [line.split(" ")[0] for line in listing.splitlines()] == ["#2", "#4", "#5", "#6"]
