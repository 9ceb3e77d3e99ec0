"""Jobs made in a forum topic, through the webhook: what they post later goes to that topic,
not to the group's General topic."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import OutboxAction
from schedules.models import COUNTDOWN_END
from tests.factories import GROUP_ID, OPERATOR_ID, make_message_update, user
from tests.fakes.telegram_api import Failure
from tests.harness import eventually
from tests.schedules.conftest import jobs
from tests.schedules.test_countdowns_and_restarts import fire
from tests.schedules.test_targets import fire_every_job

OPERATOR = user(OPERATOR_ID, "Op")


async def typed(bot, fake_telegram, text: str, topic: int | None = 77) -> str:
    """The bot's answer to the operator's `text`, typed in forum topic `topic` (None: the
    General topic, where Telegram marks no topic)."""
    before = len(fake_telegram.called("sendMessage"))
    where = {} if topic is None else {"is_topic_message": True, "message_thread_id": topic}
    await bot.post_update(make_message_update(text, sender=OPERATOR, **where))
    sent = await fake_telegram.wait_for("sendMessage", before + 1)
    await eventually(bot.settled)
    return sent[before]["text"]


def topics(fake_telegram, method: str = "sendMessage", since: int = 0) -> list:
    return [body.get("message_thread_id") for body in fake_telegram.called(method)[since:]]


async def test_posts_of_jobs_made_in_a_topic_go_to_that_topic(sbot, fake_telegram, clocked_app):
    # Regression: `/schedule add`, `/topic schedule` and the scheduled kinds typed in a topic
    # posted in the General topic, where the members of that topic never looked.
    await typed(sbot, fake_telegram, "/schedule add in 30m 早安")
    await typed(sbot, fake_telegram, "/schedule add in 40m 投票：去哪？| 海边 | 山里")
    await typed(sbot, fake_telegram, "/schedule add in 50m 日报")
    await typed(sbot, fake_telegram, "/schedule add in 60m 签到提醒")
    await typed(sbot, fake_telegram, "/schedule add in 70m 破冰")
    await typed(sbot, fake_telegram, "/topic schedule in 80m", topic=88)
    await typed(sbot, fake_telegram, "/schedule add in 90m 大家好", topic=None)
    listing = await typed(sbot, fake_telegram, "/schedule list")
    assert listing.count("→ 话题 77") == 5 and listing.count("→ 话题 88") == 1
    before = len(fake_telegram.called("sendMessage"))
    await fire_every_job(sbot, clocked_app)
    posted = fake_telegram.called("sendMessage")[before:]
    assert posted[0]["text"] == "早安"
    assert topics(fake_telegram, since=before) == [77, 77, 77, 77, 88, None]
    assert topics(fake_telegram, "sendPoll") == [77]


async def test_a_countdown_made_in_a_topic_counts_down_there(sbot, fake_telegram, clocked_app):
    await typed(sbot, fake_telegram, "/countdown in 3d 秒杀 marks=1d,1h pin update")
    await typed(sbot, fake_telegram, "/countdown in 4d 快闪 marks=1d pin")
    listing = await typed(sbot, fake_telegram, "/countdown list", topic=None)
    assert listing.count("→ 话题 77") == 2
    ends = sorted(
        (job for job in await jobs(sbot) if job.kind == COUNTDOWN_END), key=lambda j: j.next_run_at
    )
    before = len(fake_telegram.called("sendMessage"))
    await fire(sbot, clocked_app, ends[0].next_run_at - timedelta(days=1))
    await fire(sbot, clocked_app, ends[0].next_run_at - timedelta(hours=1))
    await fire(sbot, clocked_app, ends[0].next_run_at)
    await fire(sbot, clocked_app, ends[1].next_run_at - timedelta(days=1))
    await fire(sbot, clocked_app, ends[1].next_run_at)
    posted = fake_telegram.called("sendMessage")[before:]
    assert [body["text"] for body in posted] == [
        "秒杀：距离结束还有 1 天", "秒杀：已结束", "快闪：距离结束还有 1 天", "快闪：已结束"
    ]
    assert topics(fake_telegram, since=before) == [77, 77, 77, 77]
    # Pins, edits and unpins name the message, which is in the topic.
    pinned = [body["message_id"] for body in fake_telegram.called("pinChatMessage")]
    edited = [body["message_id"] for body in fake_telegram.called("editMessageText")]
    unpinned = [body["message_id"] for body in fake_telegram.called("unpinChatMessage")]
    assert len(pinned) == 2 and edited == [pinned[0], pinned[0]] and unpinned == pinned


async def test_a_job_for_other_groups_made_in_a_topic_says_it_posts_in_general(
    sbot, fake_telegram, clocked_app
):
    reply = await typed(sbot, fake_telegram, f"/schedule add in 30m 通知 to=groups:{GROUP_ID}")
    assert "发在各群的 General 话题" in reply
    (job,) = await jobs(sbot)
    assert job.thread_id is None
    await typed(sbot, fake_telegram, "/settings language en")
    reply = await typed(sbot, fake_telegram, f"/schedule add in 40m Hi to=groups:{GROUP_ID}")
    assert "posts in each group's General topic" in reply
    reply = await typed(sbot, fake_telegram, f"/schedule add in 50m Hi to=groups:{GROUP_ID}",
                        topic=None)
    assert "General" not in reply
    before = len(fake_telegram.called("sendMessage"))
    await fire_every_job(sbot, clocked_app)
    assert topics(fake_telegram, since=before) == [None, None, None]


async def test_posts_to_a_topic_deleted_or_closed_since_go_to_the_general_topic(
    sbot, fake_telegram, clocked_app
):
    # Telegram refuses a message for a topic deleted (or closed to the bot) after the job was
    # made there: the job's posts were lost, failed for good at every run.
    await typed(sbot, fake_telegram, "/schedule add in 30m 早安")
    await typed(sbot, fake_telegram, "/countdown in 3h 秒杀 marks=1h pin", topic=88)
    before = len(fake_telegram.called("sendMessage"))
    refusals = ("message thread not found", "TOPIC_CLOSED", None)
    due = sorted(await jobs(sbot), key=lambda job: job.next_run_at)
    for job, refusal in zip(due, refusals, strict=True):
        if refusal:
            fake_telegram.fail_next("sendMessage", Failure(400, f"Bad Request: {refusal}"))
        await fire(sbot, clocked_app, job.next_run_at)
    posted = fake_telegram.called("sendMessage")[before:]
    # Once a topic refused a post, the jobs in that topic post straight to the General topic
    # (the countdown's end tried its gone topic first, one refused call at every firing).
    assert [(m["text"], m.get("message_thread_id")) for m in posted
            if m["chat_id"] == GROUP_ID] == [
        ("早安", 77), ("早安", None),
        ("秒杀：距离结束还有 1 小时", 88), ("秒杀：距离结束还有 1 小时", None),
        ("秒杀：已结束", None),
    ]
    # The operator who made them is told, privately.
    notes = [m["text"] for m in posted if m["chat_id"] == OPERATOR_ID]
    morning, first, second = sorted(job.id for job in due)  # the countdown's two after 早安
    assert [note.split("的内容")[0] for note in notes] == [
        f"【Qunbot Test Group】\n话题 77 已被删除或对机器人关闭：任务 #{morning} ",
        f"【Qunbot Test Group】\n话题 88 已被删除或对机器人关闭：任务 #{first}, #{second} ",
    ]
    assert [job.thread_id for job in await jobs(sbot)] == [None, None, None]
    # The reminder sent in the General topic is pinned, then unpinned at the end.
    (pinned,) = fake_telegram.called("pinChatMessage")
    assert fake_telegram.called("unpinChatMessage") == [
        {"chat_id": GROUP_ID, "message_id": pinned["message_id"]}
    ]
    async with sbot.sessions() as session:
        rows = list(await session.scalars(select(OutboxAction).where(
            OutboxAction.kind == "send_message", OutboxAction.idempotency_key.like("job:%"))))
    assert {row.status for row in rows} == {"done"}
    assert sum("sent to the General topic" in (row.error or "") for row in rows) == 2


async def test_a_refusal_for_other_reasons_is_not_sent_again(sbot, fake_telegram, clocked_app):
    await typed(sbot, fake_telegram, "/schedule add in 30m 早安")
    fake_telegram.fail_next("sendMessage", Failure(400, "Bad Request: chat not found"))
    before = len(fake_telegram.called("sendMessage"))
    await fire_every_job(sbot, clocked_app)
    assert topics(fake_telegram, since=before) == [77]
