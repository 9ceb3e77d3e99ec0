"""Settings' values in operators' replies are named in the group's language: a Chinese group
reads 人工审核 where it read "review", with the word to type beside it where a command takes it;
an English group reads the words themselves."""

from __future__ import annotations

from tests.factories import OPERATOR_ID, make_message_update, user
from tests.handlers.entry_support import quiet

OP = user(OPERATOR_ID, "Op")
COMMANDS = (
    "/verify question 90",
    "/screening review",
    "/filter ladder delete,mute,ban",
    "/filter window fri 20:00-21:00",
    "/filter off",
)


async def replies_to(bot, fake_telegram, commands: tuple[str, ...]) -> list[str]:
    for command in commands:
        await bot.post_update(make_message_update(command, sender=OP))
    sent = await fake_telegram.wait_for("sendMessage", len(commands))
    await quiet(bot)
    return [m["text"] for m in sent]


async def test_a_chinese_group_reads_settings_values_in_chinese(bot, fake_telegram):
    verify, screening, ladder, window, off = await replies_to(bot, fake_telegram, COMMANDS)
    assert verify.startswith("入群验证：开启，方式：题目（question），")
    assert screening.startswith("入群审核方式：人工审核（review）\n")
    assert "处罚阶梯：删除 → 禁言 → 封禁（禁言 1 天）\n" in ladder
    assert "广告时段：周五 20:00-21:00\n" in window
    assert off.startswith("广告过滤：关闭\n") and "刷屏：同一内容" in off
    for text in (verify, screening, ladder, window, off):
        for raw in ("：question", "：review", "delete →", "：fri", "：off"):
            assert raw not in text, text


async def test_an_english_group_keeps_the_words_it_types(bot, fake_telegram):
    sent = await replies_to(bot, fake_telegram, ("/settings language en", *COMMANDS))
    verify, screening, ladder, window, off = sent[1:]
    assert verify.startswith("Verification: on, mode: question, ")
    assert screening.startswith("Screening rule: review\n")
    assert "Ladder: delete → mute → ban (mute 1 day)\n" in ladder
    assert "Ad window: fri 20:00-21:00\n" in window
    assert off.startswith("Ad filter: off\n")
