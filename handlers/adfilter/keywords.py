"""Keyword lists matched with Aho-Corasick over the compact, normalised text."""

from __future__ import annotations

from functools import cache
from importlib import resources

import ahocorasick

from handlers.adfilter.config import FilterConfig
from handlers.adfilter.features import MessageFeatures
from handlers.adfilter.normalize import Normalized, normalize
from handlers.adfilter.verdict import Verdict

NAME = "keywords"
OPERATOR_WEIGHT = 1.0  # an operator's own keyword is conclusive in their group


def load_builtin_keywords() -> list[tuple[str, float]]:
    """Read `data/keywords.txt`: "weight<TAB>phrase" lines, '#' starts a comment."""
    text = resources.files("handlers.adfilter").joinpath("data/keywords.txt").read_text("utf-8")
    pairs = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            weight, phrase = line.split("\t", 1)
            pairs.append((phrase.strip(), float(weight)))
    return pairs


@cache
def _builtin() -> tuple[tuple[str, float], ...]:
    return tuple(load_builtin_keywords())


@cache
def build_matcher(extra: tuple[str, ...]) -> ahocorasick.Automaton:
    """Build (once per distinct operator list) an automaton over built-in and extra phrases.

    Phrases are normalised exactly like messages, so "加薇信" in a list also matches "加 V 信".
    """
    automaton = ahocorasick.Automaton()
    for phrase, weight in [*_builtin(), *((p, OPERATOR_WEIGHT) for p in extra)]:
        key = normalize(phrase).compact
        if key:
            old = automaton.get(key, (phrase, 0.0))
            automaton.add_word(key, (phrase, max(weight, old[1])))
    automaton.make_automaton()
    return automaton


def check_keywords(message: MessageFeatures, norm: Normalized, config: FilterConfig) -> Verdict:
    """Spam when matched phrases add up (noisy-or of their weights) to the keyword threshold."""
    if not norm.compact:
        return Verdict(NAME, False, 0.0, "no text")
    hits: dict[str, float] = {}
    for _end, (phrase, weight) in build_matcher(config.extra_keywords).iter(norm.compact):
        hits[phrase] = weight
    if not hits:
        return Verdict(NAME, False, 0.0, "no listed phrases")
    remaining = 1.0
    for weight in hits.values():
        remaining *= 1.0 - weight
    score = round(1.0 - remaining, 4)
    shown = ", ".join(sorted(hits, key=hits.__getitem__, reverse=True)[:5])
    return Verdict(NAME, score >= config.keyword_threshold, score, f"matched: {shown}")
