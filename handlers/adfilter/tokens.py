"""Classifier features: character n-grams for Chinese, words (and stems) for other scripts.

jieba segmentation was measured at ~60 µs per short message on its own, more than the whole
pipeline's budget (50 µs for 20,000 msg/s), so Chinese is read as unigrams + bigrams of
characters, which needs no dictionary and is robust to the made-up words spammers coin.
"""

from __future__ import annotations

import re

from handlers.adfilter.normalize import Normalized

_PIECES = re.compile(r"([\u3400-\u9fff]+)|([^\W\d_\u3400-\u9fff]+)|(\d+)")
_EMOJI = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF]")
# A word mixing Latin and Cyrillic letters ("cаsino" with a Cyrillic "а") is a filter evasion.
_MIXED = re.compile(r"[a-z][а-яё]|[а-яё][a-z]")
_STEM = 5  # crude stemming: inflected Russian/English words share their first letters


def tokenize(norm: Normalized) -> set[str]:
    """Return the set of features of a message (presence, not counts)."""
    out: set[str] = set()
    add = out.add
    prev = ""
    for cjk, word, digits in _PIECES.findall(norm.text):
        if cjk:
            out.update(cjk)
            out.update(cjk[i : i + 2] for i in range(len(cjk) - 1))
        elif word:
            add(word)
            if prev:
                add(prev + " " + word)  # word pairs: "dm me", "per day", "в лс"
            prev = word
            if len(word) > _STEM + 1:
                add(word[:_STEM] + "~")
        else:
            add(f"#{min(len(digits), 12)}")  # number shape: a price, a year, a phone number
    plain = norm.plain
    if "://" in plain or "www." in plain or "t.me/" in plain:
        add("__url__")
    if "@" in plain:
        add("__at__")
    if len(_EMOJI.findall(norm.raw)) >= 3:
        add("__emoji__")
    if _MIXED.search(plain):
        add("__mixed_script__")
    return out
