"""How members check in in plain text: the check-in words, said as they stand, as done, to the
bot, or opening a report of the day's work.

Pure rules on a message's text; `handlers.checkin` acts on them and `handlers.activity` keeps
such messages out of the chat counts.
"""

from __future__ import annotations

import re

from bot.core.router import as_word
from bot.db.models import Group
from handlers.points_config import checkin_config

CHECKIN_WORDS = ("签到", "打卡")
# English groups type the command as a word too, spaced or hyphenated as they like ("Check in!"),
# and a Chinese keyboard's "／checkin" is no command to Telegram, so it arrives as this word.
ENGLISH_WORDS = ("checkin", "check in", "check-in", "checked in")
# How members say they have checked in: "打卡了", "签到啦", "已签到", "已经打卡了". A question
# ("签到了吗") or a sentence ("今天忘了签到了") keeps other words around it and stays chat.
DONE_BEFORE = ("已经", "已")
DONE_AFTER = "了啦喽咯啰哦噢哈呀啊嘞"
# A report that asks something ("打卡 要交照片吗") is a question about checking in, not one.
_QUESTION = re.compile(r"[?？吗么呢嘛][\W_]*$")


def extra_checkin_words(group: Group) -> set[str]:
    """The group's own check-in words (settings section `checkin.extra_keywords`), as read."""
    return {as_word(word) for word in checkin_config(group).extra_keywords}


def _words(group: Group) -> set[str]:
    return {*CHECKIN_WORDS, *ENGLISH_WORDS, *extra_checkin_words(group)}


def without_mention(text: str, bot_username: str | None) -> str:
    """`text` without a mention of the bot at its start or end: "@qunbot 签到" is 签到 said to
    the bot. A mention of anyone else stays, so "@alice 签到" is no check-in of the sender."""
    if not bot_username:
        return text
    mention = re.escape(f"@{bot_username}")
    return re.sub(rf"^\s*{mention}\b|{mention}\s*$", "", text, flags=re.IGNORECASE)


def _as_word(text: str, bot_username: str | None) -> str:
    # "check  in" typed with two spaces is still the word.
    return " ".join(as_word(without_mention(text, bot_username)).split())


def is_checkin_text(text: str, group: Group, bot_username: str | None = None) -> bool:
    """Whether a message is a check-in word, built-in or the group's own, as it stands, said
    as done ("打卡了", "已签到") or to the bot (`bot_username`, "@qunbot 签到")."""
    words = _words(group)
    word = _as_word(text, bot_username)
    if word in words:
        return True
    for before in DONE_BEFORE:
        word = word.removeprefix(before)
    return word.rstrip(DONE_AFTER) in words


def report_of(text: str, group: Group, bot_username: str | None = None) -> str | None:
    """The report of the day a message opens with a check-in word (as it stands or said as
    done): "Day 3 今天读完了第三章" of "打卡 Day 3 今天读完了第三章", "read chapter 5" of
    "Check-in: read chapter 5"; None when the message is no such report.

    A Chinese word must be set apart by a space or punctuation ("打卡机坏了" runs on and is
    chat); an English one by punctuation or a new line, for a space is how any sentence goes
    on ("checkin desk is closed"). A report ending as a question is chat ("签到 在哪里？").
    """
    body = without_mention(text, bot_username).strip()
    words = sorted(_words(group), key=len, reverse=True)
    alternatives = "|".join(re.escape(word) for word in words if word)
    before = "|".join(DONE_BEFORE)
    match = re.match(
        rf"[\W_]*(?:{before})?({alternatives})[{DONE_AFTER}]*(\s*)([\W_]*)(.*)$",
        body,
        flags=re.IGNORECASE | re.DOTALL,
    )
    if match is None or not re.search(r"\w", match[4]) or _QUESTION.search(match[4]):
        return None
    word, space, marks = match[1], match[2], match[3]
    if word.isascii() and word[-1:].isalnum():
        set_apart = bool(marks.strip()) or "\n" in space
    else:
        set_apart = bool(space or marks)
    return match[4].strip() if set_apart else None
