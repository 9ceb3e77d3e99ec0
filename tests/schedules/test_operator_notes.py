"""Notes meant for a group's operators (a series run out or starting over, an inactivity
check's report) are never posted in front of its members: they go to the operators' chat when
the group has one, else privately to the operator who made the job, else (that operator never
started the bot, or no one made it in chat) to the group."""

from __future__ import annotations

from tests.factories import GROUP_ID, OPERATOR_ID
from tests.handlers.entry_support import configure
from tests.harness import eventually
from tests.schedules.conftest import fire_next
from tests.schedules.test_schedule_commands import command

OPS_CHAT = -1009999
HEADING = "【Qunbot Test Group】\n致群管理员："


def sent_after(fake_telegram, before: int) -> list[dict]:
    return fake_telegram.called("sendMessage")[before:]


async def loop_one_tip(sbot, fake_telegram) -> None:
    await command(sbot, fake_telegram, "/series add tips")
    await command(sbot, fake_telegram, "/series item tips only tip")
    await command(sbot, fake_telegram, "/schedule add 每天 9:00 series:tips loop")


async def test_a_series_starting_over_is_told_to_its_creator_not_the_members(
    sbot, clocked_app, fake_telegram
):
    # Regression: "To the operators: every post of the series is out" was posted in the group.
    await loop_one_tip(sbot, fake_telegram)
    before = len(fake_telegram.called("sendMessage"))
    await fire_next(sbot, clocked_app)
    tip, note = sent_after(fake_telegram, before)
    assert (tip["chat_id"], tip["text"]) == (GROUP_ID, "only tip")
    assert note["chat_id"] == OPERATOR_ID
    assert note["text"].startswith(HEADING + "系列「tips」的 1 篇已全部发完，下次从第 1 篇重新开始")


async def test_a_creator_who_never_started_the_bot_is_told_in_the_group(
    sbot, clocked_app, fake_telegram
):
    await loop_one_tip(sbot, fake_telegram)
    fake_telegram.strangers.add(OPERATOR_ID)  # Telegram refuses to let the bot write first
    before = len(fake_telegram.called("sendMessage"))
    await fire_next(sbot, clocked_app)
    await fake_telegram.wait_for("sendMessage", before + 3)
    await eventually(sbot.settled)
    _tip, refused, note = sent_after(fake_telegram, before)
    assert refused["chat_id"] == OPERATOR_ID
    assert note["chat_id"] == GROUP_ID
    assert note["text"].startswith("致群管理员：系列「tips」的 1 篇已全部发完")


async def test_an_inactivity_report_goes_to_the_operators_chat(sbot, clocked_app, fake_telegram):
    await command(sbot, fake_telegram, "/schedule add 每天 9:00 活跃检查 7天 5条")
    await configure(sbot, raid={"alert_chat_id": str(OPS_CHAT)})
    before = len(fake_telegram.called("sendMessage"))
    await fire_next(sbot, clocked_app)
    (report,) = sent_after(fake_telegram, before)
    assert report["chat_id"] == OPS_CHAT
    assert report["text"].startswith(HEADING + "本群最近 7 天成员发言只有 0 条（低于 5 条")
