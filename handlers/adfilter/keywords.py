"""Keyword lists matched with Aho-Corasick over the compact, normalised text."""

from __future__ import annotations

import re
from functools import cache, lru_cache

import ahocorasick

from handlers.adfilter.config import FilterConfig
from handlers.adfilter.features import MessageFeatures
from handlers.adfilter.normalize import Normalized, normalize, speaks_of_joining
from handlers.adfilter.phrases import OPERATOR_WEIGHT, find_phrases, scan
from handlers.adfilter.verdict import Verdict

NAME = "keywords"
# Built-in phrases add up towards certainty but never reach it: a score of 1.0 means an
# operator's own phrase matched, which the question rule keeps conclusive. Five phrases of 0.9
# used to round to 1.0 and decide a member's question about them.
BUILTIN_MAX = 0.9999
NOTHING = Verdict(NAME, False, 0.0, "no listed phrases")  # most messages: built once

# Members warning each other quote the ad they warn about ("说加微信送钱，肯定是骗子"), so in a
# warning the ad vocabulary is weaker evidence. Read on the compact view, with one automaton
# pass: a regex alternation of these words cost ~5 µs on a long message, and the pipeline asks
# twice for most messages that match any rule.
WARNING_WORDS = (
    "骗", "被坑", "坑人", "别信", "不要信", "别相信", "不要相信", "上当", "别加", "不要加",
    "举报", "拉黑", "小心", "当心", "提防", "谨防", "警惕", "千万别", "千万不要", "别贪",
    "注意辨别", "冒充",
    "scam", "beware", "fraud", "phishing", "donttrust", "dontfall", "reported", "becareful",
    "watchout", "dontclick", "donotclick", "neversend",
)
# What a spammer says of their own offer ("不是骗子", "绝不骗人", "not a scam", "no scam") is
# not a warning: a warning word right after one of these is skipped.
_SPAMMER_NEGATIONS = {"骗": ("不是", "不", "没", "绝不", "不会"), "上当": ("不会", "不", "不用"),
                      "scam": ("not", "nota", "isno", "nononsense")}
WARNING_DAMPING = 0.5  # how much weak rule evidence counts inside a warning
# A phrase found only inside quotation marks is reported speech ("有人知道“刷单返利”是真的吗",
# 'Got a message: "earn $300 daily"'), so it counts half. Ads quote too, but their
# quotes hold a code word to send back ("回复“股票”", 'reply "YES"'), rarely a listed phrase.
# 5-fold cross-validation inside the starter train split: 93 -> 86 false alarms for one more
# missed ad (465 -> 466).
_QUOTED = re.compile(r'“[^”]{2,}”|"[^"]{2,}"|「[^」]{2,}」|『[^』]{2,}』')
QUOTE_DAMPING = 0.5


def check_keywords(message: MessageFeatures, norm: Normalized, config: FilterConfig) -> Verdict:
    """Spam when matched phrases add up (noisy-or of their weights) to the keyword threshold.

    In a message warning about scams the built-in phrases count half and never decide alone
    (the warning quotes them); a phrase found only inside quotation marks counts half. An
    operator's own phrase always decides.
    """
    if not norm.compact:
        return Verdict(NAME, False, 0.0, "no text")
    extra = config.extra_keywords
    compact = norm.compact
    hits = {p.keyword: p.weight for end, p in find_phrases(compact, extra)
            if p.keyword is not None and not speaks_of_joining(compact, end, p.keyword)}
    if not hits:
        return NOTHING
    quoted: set[str] = set()
    if _QUOTED.search(norm.plain):
        outside = normalize(_QUOTED.sub(" ", norm.plain)).compact
        spoken = {p.keyword for _end, p in scan(outside, extra) if p.keyword} if outside else set()
        quoted = {p for p, w in hits.items() if p not in spoken and w < OPERATOR_WEIGHT}
        hits = {p: w * QUOTE_DAMPING if p in quoted else w for p, w in hits.items()}
    remaining = 1.0
    for weight in hits.values():
        remaining *= 1.0 - weight
    score = min(round(1.0 - remaining, 4), BUILTIN_MAX)
    shown = ", ".join(sorted(hits, key=hits.__getitem__, reverse=True)[:5])
    if quoted:
        shown += f" (halved inside quotes: {', '.join(sorted(quoted)[:3])})"
    if OPERATOR_WEIGHT in hits.values():
        return Verdict(NAME, True, 1.0, f"matched: {shown}")
    if warning := warns_about_scams(norm):
        return Verdict(NAME, False, round(score * WARNING_DAMPING, 4),
                       f"matched: {shown}, halved inside a warning ('{warning}')")
    return Verdict(NAME, score >= config.keyword_threshold, score, f"matched: {shown}")


@cache
def _warning_matcher() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in WARNING_WORDS:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=4)
def _warning_in(compact: str) -> str | None:
    for end, word in _warning_matcher().iter(compact):
        negations = _SPAMMER_NEGATIONS.get(word)
        if negations is None or not compact[:end + 1 - len(word)].endswith(negations):
            return word
    return None


def warns_about_scams(norm: Normalized) -> str | None:
    """The warning word when a message warns about scams or spammers, else None."""
    return _warning_in(norm.compact) if norm.compact else None
