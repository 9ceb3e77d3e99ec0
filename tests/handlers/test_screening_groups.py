"""One person asking to join several screened groups of the same bot at once: each private
reply goes to the application it belongs to."""

from __future__ import annotations

from handlers.entry_applications import EntryApplication
from tests.factories import GROUP_ID, make_join_request_update, make_private_update, user
from tests.handlers.entry_support import configure, configure_chat, quiet, rows
from tests.handlers.test_screening import dm_count, dms
from tests.harness import eventually

APPLICANT = user(701, "Applicant")
GROUP_B = -1005550001111


def join_request(chat_id: int, title: str) -> dict:
    update = make_join_request_update(APPLICANT, chat_id=chat_id)
    update["chat_join_request"]["chat"]["title"] = title
    return update


async def ask_both(bot, fake_telegram, a: dict, b: dict) -> None:
    """Group A then group B (each with screening `a`, `b`) get the applicant's join request."""
    await configure(bot, screening=a)
    await configure_chat(bot, GROUP_B, "Group B", screening=b)
    await bot.post_update(join_request(GROUP_ID, "Group A"))
    await dm_count(fake_telegram, 701, 1)
    await bot.post_update(join_request(GROUP_B, "Group B"))
    await dm_count(fake_telegram, 701, 2)


async def reply(bot, fake_telegram, text: str) -> list[str]:
    """The applicant's private message and what the bot wrote back to it."""
    before = len(dms(fake_telegram, 701))
    await bot.post_update(make_private_update(text, APPLICANT))
    await quiet(bot)
    return dms(fake_telegram, 701)[before:]


async def statuses(bot) -> list[tuple[str, str]]:
    return [(a.chat_id, a.status) for a in await rows(bot, EntryApplication)]


async def test_the_code_of_the_first_of_two_groups_approves_that_group(bot, fake_telegram):
    # Regression: the code was judged against the newest application (group B's), refused as
    # wrong, and group A's request timed out.
    await ask_both(
        bot,
        fake_telegram,
        {"mode": "code", "codes": ["ALPHA1"]},
        {"mode": "code", "codes": ["BRAVO2"]},
    )
    assert await reply(bot, fake_telegram, "alpha1") == [
        "邀请码正确，已通过你加入「Group A」的申请，欢迎！"
    ]
    assert fake_telegram.called("approveChatJoinRequest") == [{"chat_id": GROUP_ID, "user_id": 701}]
    # A wrong code counts against the newest open application, and says which group it is.
    assert await reply(bot, fake_telegram, "NOPE") == [
        "「Group B」的邀请码不正确，还可以再试 2 次。"
    ]
    assert await reply(bot, fake_telegram, "BRAVO2") == [
        "邀请码正确，已通过你加入「Group B」的申请，欢迎！"
    ]
    assert await statuses(bot) == [(str(GROUP_ID), "approved"), (str(GROUP_B), "approved")]


async def test_answers_go_to_the_last_question_asked_then_the_older_group_is_asked_again(
    bot, fake_telegram
):
    await ask_both(
        bot,
        fake_telegram,
        {"mode": "review", "questions": ["A1？", "A2？"]},
        {"mode": "review", "questions": ["B1？"]},
    )
    assert dms(fake_telegram, 701)[1].endswith("「Group B」问题 1/1：B1？")
    # Group B's question was the last one asked: the answer is B's, then A's question returns.
    assert await reply(bot, fake_telegram, "b-one") == [
        "谢谢！你的回答已提交给管理员审核，结果会在这里通知你。",
        "「Group A」问题 1/2：A1？",
    ]
    assert await reply(bot, fake_telegram, "a-one") == ["「Group A」问题 2/2：A2？"]
    await reply(bot, fake_telegram, "a-two")
    a, b = await rows(bot, EntryApplication)
    assert (a.answers, a.status, b.answers, b.status) == (
        ["a-one", "a-two"],
        "review",
        ["b-one"],
        "review",
    )

    async def cards():
        sent = fake_telegram.called("sendMessage")
        found = [m["chat_id"] for m in sent if m["text"].startswith("入群申请")]
        return found if len(found) == 2 else None

    assert sorted(await eventually(cards)) == sorted([GROUP_ID, GROUP_B])


async def test_a_code_for_an_older_group_is_not_taken_as_the_answer_to_a_newer_one(
    bot, fake_telegram
):
    await ask_both(
        bot,
        fake_telegram,
        {"mode": "code", "codes": ["ALPHA1"]},
        {"mode": "review", "questions": ["B1？"]},
    )
    assert await reply(bot, fake_telegram, "ALPHA1") == [
        "邀请码正确，已通过你加入「Group A」的申请，欢迎！"
    ]
    a, b = await rows(bot, EntryApplication)
    assert (a.status, b.answers) == ("approved", [])
    # Once group B's answers are in, group A is not asked for anything again.
    assert await reply(bot, fake_telegram, "b-one") == [
        "谢谢！你的回答已提交给管理员审核，结果会在这里通知你。"
    ]


async def test_when_the_newest_is_done_the_older_group_is_asked_for_its_code_again(
    bot, fake_telegram
):
    await ask_both(
        bot,
        fake_telegram,
        {"mode": "code", "codes": ["ALPHA1"]},
        {"mode": "review", "questions": ["B1？"]},
    )
    assert await reply(bot, fake_telegram, "b-one") == [
        "谢谢！你的回答已提交给管理员审核，结果会在这里通知你。",
        "请回复加入「Group A」的邀请码。",
    ]
    assert await reply(bot, fake_telegram, "ALPHA1") == [
        "邀请码正确，已通过你加入「Group A」的申请，欢迎！"
    ]
