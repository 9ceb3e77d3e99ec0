"""How much a message says, so effective-activity points pay for content, not chatter.

A message is measured in distinct units after normalising (`handlers.adfilter.normalize`): each
Chinese character once, each word of other scripts once. Laughter, interjections and particles
(哈, 嗯, 的, "lol", "ok"), words of one or two repeated letters ("hhhh", "666", "haha") and
emoji are not units at all, so "哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈" or "😂😂😂" measure 0, and a
long line of one character repeated measures 1.
"""

from __future__ import annotations

import re
from hashlib import blake2b

from handlers.adfilter.normalize import normalize

_UNIT = re.compile(r"[\u3400-\u9fff]|[^\W_\u3400-\u9fff]+")
# Laughter, interjections, sentence particles and "好/的/了", which pad chat without saying
# anything: "好的好的哈哈哈" measures 0.
FILLER_CHARS = frozenset("哈呵嘿嘻嘎咯哇呀啊哦噢喔嗯恩额呃唉哎诶啦吧呢吗嘛么了的好滴哒")
FILLER_WORDS = frozenset({
    "ok", "okay", "okk", "lol", "lmao", "rofl", "haha", "hahaha", "hehe", "xd", "yes", "yeah",
    "yep", "yup", "nope", "thanks", "thank", "thx", "ty", "wow", "omg", "hmm", "hmmm", "yay",
    "nice", "cool", "sure", "hello", "hey", "plus",
})


def _says_something(unit: str) -> bool:
    if len(unit) == 1 and "\u3400" <= unit <= "\u9fff":
        return unit not in FILLER_CHARS
    # Two letters or fewer, however long the word: "hhhhh", "6666", "hahaha", "2333", "lol".
    return len(set(unit)) > 2 and unit not in FILLER_WORDS


def substance(text: str) -> int:
    """How many distinct content units `text` holds (see the module)."""
    units = _UNIT.findall(normalize(text).text)
    return len({unit for unit in units if _says_something(unit)})


def content_chars(text: str) -> int:
    """The length of `text` once spaces, punctuation and emoji are gone."""
    return len(normalize(text).compact)


def said(text: str) -> str:
    """A digest of what `text` says, spelled in any width, case or script ("作業" and "作业"
    are one), so saying it again is known without keeping the text."""
    return "said:" + blake2b(normalize(text).compact.encode(), digest_size=16).hexdigest()
