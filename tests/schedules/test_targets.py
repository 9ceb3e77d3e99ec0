"""Jobs a global operator aims at other groups (`to=tag:`, `to=type:`, `to=groups:`), through
the webhook: tags match in any case, and the reply and `/schedule list` say where a job posts
and how many groups that is now, warning when it is none."""

from __future__ import annotations

from datetime import timedelta

from schedules.spec import Once
from tests.factories import GROUP_ID, OPERATOR_ID, make_message_update, user
from tests.harness import eventually
from tests.schedules.conftest import jobs, release_outbox
from tests.schedules.test_service import add_group, add_job, outbox

OTHER = -1002000000001
OPERATOR = user(OPERATOR_ID, "Op")


async def say(bot, fake_telegram, text: str, chat: int = GROUP_ID) -> list[str]:
    """The bot's answers to `text` sent by the global operator in `chat`."""
    before = len(fake_telegram.called("sendMessage"))
    await bot.post_update(make_message_update(text, chat_id=chat, sender=OPERATOR))
    await eventually(bot.settled)
    return [m["text"] for m in fake_telegram.called("sendMessage")[before:]]


async def fire_every_job(bot, clock) -> None:
    for job in sorted(await jobs(bot), key=lambda job: job.next_run_at):
        clock.set(job.next_run_at)
        await bot.runtime.scheduler.fire_due()
    await release_outbox(bot)
    await eventually(bot.settled)


def posted(fake_telegram, text: str) -> list[int]:
    return [m["chat_id"] for m in fake_telegram.called("sendMessage") if m["text"] == text]


async def test_a_group_tagged_in_capitals_gets_what_tag_vip_sends(sbot, clocked_app, fake_telegram):
    # The group's admin typed VIP, the global operator vip: the group was skipped, silently.
    await say(sbot, fake_telegram, "hello")
    assert "vip" in (await say(sbot, fake_telegram, "/settings tags VIP,Paid", chat=OTHER))[0]
    await say(sbot, fake_telegram, "/schedule add 每天 11:00 to=tag:vip 会员专享")
    await say(sbot, fake_telegram, "/schedule add 每天 12:00 to=标签:PAID 付费专享")
    await fire_every_job(sbot, clocked_app)
    assert posted(fake_telegram, "会员专享") == [OTHER]
    assert posted(fake_telegram, "付费专享") == [OTHER]


async def test_tags_and_targets_saved_in_capitals_before_still_match(sessions, service, clock):
    # Rows written before tags were casefolded: no migration, they compare casefolded.
    owner = await add_group(sessions, "-1")
    await add_group(sessions, "-2", tags=["VIP"])
    await add_group(sessions, "-3", tags=["vip"])
    await add_group(sessions, "-4", tags=["cn"])
    await add_job(
        sessions,
        clock,
        owner,
        Once(at=clock() + timedelta(minutes=5)),
        payload={"text": "for vips"},
        target={"tag": "Vip"},
    )
    assert await service.fire_due(clock.advance(minutes=5)) == 1
    assert sorted(row.chat_key for row in await outbox(sessions)) == ["-2", "-3"]


async def test_the_reply_and_the_list_say_where_a_targeted_job_posts(
    sbot, clocked_app, fake_telegram
):
    await say(sbot, fake_telegram, "hello")
    await say(sbot, fake_telegram, "/settings tags vip", chat=OTHER)
    (added,) = await say(sbot, fake_telegram, "/schedule add 每天 11:00 to=tag:VIP 会员专享")
    assert added.endswith("→ 标签 vip（现在 1 个群）"), added
    (to_both,) = await say(
        sbot, fake_telegram, f"/schedule add 每天 12:00 to=groups:{GROUP_ID},{OTHER} 通知"
    )
    assert to_both.endswith("（现在 2 个群）") and "→ 群 " in to_both, to_both
    await say(sbot, fake_telegram, "/schedule add 每天 13:00 本群自己的")
    (listed,) = await say(sbot, fake_telegram, "/schedule list")
    mine = listed.split("#")[3]
    assert "    → 标签 vip（现在 1 个群）" in listed and "（现在 2 个群）" in listed
    assert "→" not in mine.split("本群自己的")[1], listed  # its own group: nothing added


async def test_a_target_no_group_fits_is_saved_with_a_warning(sbot, clocked_app, fake_telegram):
    await say(sbot, fake_telegram, "hello")
    (added,) = await say(sbot, fake_telegram, "/schedule add 每天 11:00 to=tag:vip 会员专享")
    assert "→ 标签 vip（现在 0 个群）" in added
    assert "现在没有群带标签 vip" in added and "/settings tags vip" in added
    (flash,) = await say(sbot, fake_telegram, "/schedule add 每天 11:00 to=type:快闪 快闪通知")
    assert "现在没有快闪群（类型 flash）" in flash and "/settings kind flash" in flash
    assert len(await jobs(sbot)) == 2
    # Once a group takes the tag, the list counts it and the job posts there.
    await say(sbot, fake_telegram, "/settings tags VIP", chat=OTHER)
    (listed,) = await say(sbot, fake_telegram, "/schedule list")
    assert "→ 标签 vip（现在 1 个群）" in listed and "⚠️" not in listed
    await fire_every_job(sbot, clocked_app)
    assert posted(fake_telegram, "会员专享") == [OTHER]


async def test_an_english_group_reads_the_target_in_english(sbot, clocked_app, fake_telegram):
    await say(sbot, fake_telegram, "/settings language en")
    (added,) = await say(sbot, fake_telegram, "/schedule add every day 11:00 to=tag:vip Members")
    assert "→ tag vip (0 groups now)" in added
    assert "No group has the tag vip now: the job is saved" in added
    await say(sbot, fake_telegram, "/settings tags vip")
    (listed,) = await say(sbot, fake_telegram, "/schedule list")
    assert "→ tag vip (1 group now)" in listed
