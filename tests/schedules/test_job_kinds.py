"""The job table's other kinds of post, through chat and the API: a native poll, the daily
digest of the group in figures, and a check-in reminder."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import Group, OutboxAction
from schedules.models import CHECKIN_REMINDER, DIGEST, ICEBREAKER_ROUND, POLL
from tests.factories import GROUP_ID, make_join_update, make_message_update, user
from tests.handlers.entry_support import configure, rows
from tests.harness import BotHarness, eventually
from tests.schedules.conftest import fire_next, jobs, release_outbox
from tests.schedules.test_api import AUTH, api, url  # noqa: F401  (the api fixture)
from tests.schedules.test_schedule_commands import command


async def run_now(bot, fake_telegram, job_id: int) -> None:
    await command(bot, fake_telegram, f"/schedule run-now {job_id}")
    await release_outbox(bot)
    await eventually(bot.settled)


async def test_a_poll_job_posts_a_native_poll(sbot, fake_telegram):
    reply = await command(
        sbot, fake_telegram, "/schedule add 每周五 20:00 投票：下周聊什么？| 运营 | 增长"
    )
    (job,) = await jobs(sbot)
    assert job.kind == POLL and f"#{job.id}" in reply
    assert job.payload["options"] == ["运营", "增长"]
    await run_now(sbot, fake_telegram, job.id)
    (poll,) = await fake_telegram.wait_for("sendPoll", 1)
    assert poll["chat_id"] == GROUP_ID and poll["question"] == "下周聊什么？"
    assert [o["text"] for o in poll["options"]] == ["运营", "增长"]


async def test_a_poll_typed_with_full_width_bars_has_its_options(sbot, fake_telegram):
    # A Chinese IME types ｜: the whole line was one question with no options, and refused.
    await command(sbot, fake_telegram, "/schedule add 每周五 20:00 投票：下周聊什么？｜运营｜增长")
    (job,) = await jobs(sbot)
    assert job.payload["question"] == "下周聊什么？"
    assert job.payload["options"] == ["运营", "增长"]


async def test_a_poll_without_two_options_gets_the_right_form(sbot, fake_telegram):
    reply = await command(sbot, fake_telegram, "/schedule add 每天 20:00 poll: Lunch? | pizza")
    assert reply.startswith("投票写法：poll: 问题 | 选项1 | 选项2")
    assert await jobs(sbot) == []


async def digest_now(sbot, fake_telegram) -> str:
    """Schedule the daily digest, run it at once and return the digest it posted."""
    await command(sbot, fake_telegram, "/schedule add 每天 21:00 日报")
    (job,) = await jobs(sbot)
    assert job.kind == DIGEST
    await run_now(sbot, fake_telegram, job.id)
    return await eventually(
        lambda: _first(fake_telegram, lambda text: text.startswith("📊 群日报"))
    )


async def test_the_digest_counts_the_last_day(sbot, fake_telegram):
    await sbot.post_update(make_join_update(user(801, "New"), user(802, "Newer")))
    for text in ("早", "今天聊什么", "hello"):
        await sbot.post_update(make_message_update(text, sender=user(801, "New")))
    await eventually(sbot.settled)
    digest = await digest_now(sbot, fake_telegram)
    # The three messages; not the join, nor the two commands (/schedule add, run-now).
    assert digest.startswith("📊 群日报（过去 24 小时）：成员发言 3 条（")
    assert "新成员 2 人" in digest


async def test_the_english_digest_says_one_message_not_one_messages(sbot, fake_telegram):
    # "1 messages from members", "1 new members", "1 ads were removed".
    await command(sbot, fake_telegram, "/settings language en")
    await sbot.post_update(make_join_update(user(801, "New")))
    await sbot.post_update(make_message_update("hello", sender=user(801, "New")))
    await eventually(sbot.settled)
    await command(sbot, fake_telegram, "/schedule add every day 21:00 digest")
    (job,) = await jobs(sbot)
    await run_now(sbot, fake_telegram, job.id)
    digest = await eventually(
        lambda: _first(fake_telegram, lambda text: text.startswith("📊 Group digest"))
    )
    assert digest == (
        "📊 Group digest (last 24 hours): 1 message from members (commands, notices and bots "
        "not counted), 1 new member, 2 members now."
    )


async def test_a_checkin_reminder_uses_the_default_text_or_the_operators(sbot, fake_telegram):
    await command(sbot, fake_telegram, "/schedule add 每天 08:00 签到提醒")
    await command(
        sbot, fake_telegram, "/schedule add 每天 20:00 checkin reminder 别忘了打卡 {group}"
    )
    default, custom = await jobs(sbot)
    assert default.kind == custom.kind == CHECKIN_REMINDER
    await run_now(sbot, fake_telegram, custom.id)
    assert await eventually(
        lambda: _first(fake_telegram, lambda t: t == "别忘了打卡 Qunbot Test Group")
    )


async def test_the_api_makes_polls_and_refuses_bad_ones(api):  # noqa: F811
    good = {
        "when": "every fri 20:00",
        "kind": "poll",
        "payload": {"question": "Next topic?", "options": ["ops", "growth", "tools"]},
    }
    created = await api.client.post(url(), json=good, headers=AUTH)
    assert created.status_code == 201, created.text
    bad = {**good, "payload": {"question": "Next topic?", "options": ["only one"]}}
    refused = await api.client.post(url(), json=bad, headers=AUTH)
    assert refused.status_code == 422 and "poll" in refused.text.lower()
    (job,) = await jobs(api)
    assert job.kind == POLL and job.payload["options"] == ["ops", "growth", "tools"]


async def _first(fake_telegram, wanted):
    return next((m["text"] for m in fake_telegram.called("sendMessage") if wanted(m["text"])), None)


async def test_a_scheduled_icebreaker_round_counts_the_replies_and_posts_its_result(
    sbot, clock, fake_telegram
):
    from sqlalchemy import select

    from bot.db.models import OutboxAction
    from handlers.icebreaker_rounds import IcebreakerRound

    await command(sbot, fake_telegram, "/schedule add 每天 15:00 破冰")
    (job,) = await jobs(sbot)
    assert job.kind == ICEBREAKER_ROUND
    await run_now(sbot, fake_telegram, job.id)
    question = await eventually(
        lambda: _first(fake_telegram, lambda t: t.startswith("🧊 破冰时间"))
    )

    def posted(session):
        row = session.scalar(
            select(OutboxAction).where(OutboxAction.idempotency_key.like(f"job:{job.id}:%"))
        )
        return row.result and row.result.get("message_id")

    message_id = await eventually(lambda: sbot.run_sync(posted))
    replied = {
        "message_id": message_id,
        "from": {"id": 1, "is_bot": True, "first_name": "Qunbot"},
        "chat": {"id": GROUP_ID, "type": "supergroup"},
        "date": 0,
        "text": question,
    }
    for member in (user(901, "A"), user(902, "B"), user(901, "A")):
        await sbot.post_update(
            make_message_update("我最近在读三体", sender=member, reply_to_message=replied)
        )
    await eventually(sbot.settled)

    def game(session):
        return session.scalar(select(IcebreakerRound))

    assert (await sbot.run_sync(game)).replies == ["901", "902"]
    # When its time is up the leader's loop posts who answered, in the group's language.
    loop = sbot.runtime.verification_timeouts
    loop.clock = lambda: clock.now + timedelta(minutes=11)
    await loop.run_once()
    result = await eventually(
        lambda: _first(fake_telegram, lambda t: t.startswith("🧊 破冰问答结束"))
    )
    assert result.startswith("🧊 破冰问答结束！2 位成员回答了「")
    assert (await sbot.run_sync(game)).status == "closed"
    refused = await command(sbot, fake_telegram, "/schedule add 每天 15:00 to=tag:vip 破冰")
    assert "只能排在本群" in refused


async def test_a_scheduled_round_pays_by_the_bots_day_when_the_group_has_no_timezone(
    clocked_app, make_settings, fake_telegram
):
    # The round a scheduled one ends paid its participants within the activity cap of a day
    # always counted in Asia/Shanghai: a bot set to Los Angeles let a member earn the cap twice
    # in one of its days, once on each side of Shanghai's midnight.
    from handlers.points_store import PointsEntry

    clock = clocked_app
    bot = await BotHarness(make_settings(timezone="America/Los_Angeles")).start()
    try:
        await configure(bot, points={"activity_daily_cap": 3})
        await command(bot, fake_telegram, "/schedule add 每天 09:00 破冰")
        (job,) = await jobs(bot)
        first = job.next_run_at  # 09:00 in Los Angeles: 01:00 of the next day in Shanghai
        await fire_next(bot, clock)
        question = await eventually(
            lambda: _first(fake_telegram, lambda t: t.startswith("🧊 破冰时间"))
        )
        (posted,) = [
            row for row in await rows(bot, OutboxAction, OutboxAction.kind == "send_message")
            if row.payload["text"] == question
        ]
        replied = {
            "message_id": posted.result["message_id"],
            "from": {"id": 1, "is_bot": True, "first_name": "Qunbot"},
            "chat": {"id": GROUP_ID, "type": "supergroup"},
            "date": 0,
            "text": question,
        }
        await bot.post_update(
            make_message_update("我在洛杉矶", sender=user(901, "A"), reply_to_message=replied)
        )
        await eventually(bot.settled)
        # The next round ends this one a day later. Three hours before it, on the same Los
        # Angeles day (and the Shanghai day before), the member reached the cap already.
        earlier = first + timedelta(days=1, hours=-3)

        def earned(session) -> None:
            group = session.scalar(select(Group).where(Group.chat_id == str(GROUP_ID)))
            session.add(PointsEntry(group_id=group.id, user_id="901", delta=3,
                                    reason="activity", ref="seeded", at=earlier))

        await bot.run_sync(earned)
        await fire_next(bot, clock)
        ledger = await rows(bot, PointsEntry, PointsEntry.reason == "icebreaker")
        assert ledger == []
    finally:
        await bot.close()


async def test_the_api_refuses_an_after_join_digest(api):  # noqa: F811
    refused = await api.client.post(
        url(), json={"when": "3 days after join", "kind": "digest"}, headers=AUTH
    )
    assert refused.status_code == 422 and "after join" in refused.text
    assert await jobs(api) == []


async def test_the_api_refuses_to_turn_a_digest_into_an_after_join_one(api):  # noqa: F811
    # PATCH took the new `when` without the check creation makes: a digest once a minute.
    created = await api.client.post(
        url(), json={"when": "每天 21:00", "kind": "digest"}, headers=AUTH
    )
    job_id = created.json()["id"]
    refused = await api.client.patch(
        f"/api/schedules/{job_id}", json={"when": "3 days after join"}, headers=AUTH
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"]["code"] == "after_join_posts_only"
    (job,) = await jobs(api)
    assert job.kind == DIGEST and job.phrase == "每天 21:00" and job.spec["kind"] == "cron"
