"""Text normalisation, so every check sees one canonical spelling of a message."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import NamedTuple

from handlers.adfilter.evasions import CHAR_MAP, CJK_GAP, fold_evasions, hearts_as_xin

_NON_WORD = re.compile(r"[\W_][\W_]*")  # not "[\W_]+": see evasions.CJK_GAP
_HAS_CJK = re.compile(r"[\u3400-\u9fff]")
# What _NON_WORD removes from ASCII text, deleted by str.translate in half the time.
_ASCII_NON_WORD = str.maketrans(dict.fromkeys(c for c in map(chr, range(128)) if not c.isalnum()))
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_MAPPED = re.compile("[" + "".join(map(chr, CHAR_MAP)) + "]")


class Normalized(NamedTuple):
    """Three views of one message.

    `plain`: NFKC (full-width to half-width), case-folded; links and numbers are read here.
    `text`: plain, traditional turned simplified, gaps between CJK characters removed and
    evasions folded ("加 薇 信" -> "加微信"); the classifier tokenises this.
    `compact`: `text` with every space, punctuation mark and emoji removed; keyword and contact
    checks read this, so "加.V.x" and "w e c h a t" cannot hide.
    """

    raw: str
    plain: str
    text: str
    compact: str


def _half_width(m: re.Match[str]) -> str:
    code = ord(m.group())
    return " " if code == 0x3000 else chr(code - 0xFEE0)


@cache
def _t2s():  # type: ignore[no-untyped-def]
    # Built lazily: loading OpenCC's dictionaries is not free, and most imports never classify.
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert traditional Chinese characters to simplified ones (OpenCC t2s)."""
    return _t2s().convert(text) if _HAS_CJK.search(text) else text


def normalize(raw: str) -> Normalized:
    """Normalise a message text into the views every check reads."""
    if raw.isascii():
        # NFKC, CHAR_MAP and the Chinese folds only touch non-ASCII characters: most English
        # and all-Latin chat skips them (a third of the cost of normalising such a message).
        plain = raw.lower()
        text = fold_evasions(plain, False)
        compact = fold_evasions(text.translate(_ASCII_NON_WORD), False)
        return Normalized(raw, plain, text, compact)
    # Full-width ASCII ("，", "Ｗ") is in nearly every Chinese message and NFKC costs ~35x a
    # quick check, so those characters are mapped directly and NFKC runs only if still needed.
    plain = _FULL_WIDTH.sub(_half_width, raw) if _FULL_WIDTH.search(raw) else raw
    if not unicodedata.is_normalized("NFKC", plain):
        plain = unicodedata.normalize("NFKC", plain)
    plain = plain.casefold()
    if _MAPPED.search(plain):  # str.translate costs 5x the scan, and these symbols are rare
        plain = plain.translate(CHAR_MAP)
    # Most of the work below only concerns Chinese; skipping it keeps other scripts fast.
    has_cjk = _HAS_CJK.search(plain) is not None
    text = plain
    if has_cjk:
        text = hearts_as_xin(_t2s().convert(text))
        text = CJK_GAP.sub("", text)
    text = fold_evasions(text, has_cjk)
    # Folding again after squeezing catches spellings split by spaces ("加 v", "v x").
    compact = fold_evasions(_NON_WORD.sub("", text), has_cjk)
    return Normalized(raw, plain, text, compact)


# "刚进群", "新加群" (just joined): a newcomer speaking of themselves, not an invitation to
# another group. Checks that read "进群" or "加群" as ad evidence skip it after these.
_JOINS = frozenset({"进群", "加群", "入群"})
_JOINED = ("刚", "新", "才", "已")


def speaks_of_joining(compact: str, end: int, phrase: str) -> bool:
    """True when `phrase`, matched in `compact` ending at index `end`, is "刚进群"-like."""
    return phrase in _JOINS and compact[:end + 1 - len(phrase)].endswith(_JOINED)
