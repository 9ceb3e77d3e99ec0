"""Words spelled with look-alike letters from two alphabets ("Здpaвcтвyйтe", "cаsinо")."""

from __future__ import annotations

import re
from functools import lru_cache

from handlers.adfilter.config import FilterConfig
from handlers.adfilter.features import MessageFeatures
from handlers.adfilter.normalize import Normalized
from handlers.adfilter.verdict import Verdict

NAME = "lookalikes"
NOTHING = Verdict(NAME, False, 0.0, "no mixed-alphabet words")  # most messages: built once
_WORD = re.compile(r"[a-zа-яё][a-zа-яё]{2,}")  # not "{3,}": see evasions.CJK_GAP
_SWITCH = re.compile(r"[a-z][а-яё]|[а-яё][a-z]")


@lru_cache(maxsize=2)
def switches_alphabet(plain: str) -> bool:
    """Whether a Latin letter stands next to a Cyrillic one somewhere in `plain`. Cached: this
    check and the classifier's features (`tokens`) both ask, once each per message."""
    return not plain.isascii() and _SWITCH.search(plain) is not None


def check_lookalikes(message: MessageFeatures, norm: Normalized, config: FilterConfig) -> Verdict:
    """Spam when several words switch between Latin and Cyrillic letters more than once.

    One switch is ordinary ("iPadе", a Latin brand with a Russian ending); letters swapped back
    and forth inside a word are only there to dodge keyword filters.
    """
    plain = norm.plain
    # Reading every word is the costly part; a message with no switch anywhere has none to read.
    if not switches_alphabet(plain):
        return NOTHING
    words = [w for w in _WORD.findall(plain) if len(_SWITCH.findall(w)) >= 2]
    if not words:
        return NOTHING
    shown = ", ".join(words[:3])
    if len(words) >= 2:
        return Verdict(NAME, True, 0.9, f"{len(words)} words mix Latin and Cyrillic: {shown}")
    return Verdict(NAME, False, 0.5, f"word mixes Latin and Cyrillic: {shown}")
