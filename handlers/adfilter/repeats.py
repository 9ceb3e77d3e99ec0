"""Repeats: the same text again and again in one group (a flood), or pasted into one group after
another (copy-paste promotion). Counting needs memory of recent posts, which the caller keeps
(`handlers.repeats_store`); this module fingerprints a text and judges the counts."""

from __future__ import annotations

from hashlib import blake2b
from typing import NamedTuple

from handlers.adfilter.normalize import normalize
from handlers.adfilter.verdict import Verdict

NAME = "repeats"
# "好的", "+1", "hello all" or "哈哈哈哈" said three times is chat, not a flood; a fingerprint
# needs this many letters/characters once spaces, punctuation and emoji are gone.
MIN_CHARS = 10
# Pasting into several groups counts only for a message long enough to be an announcement:
# members do say "谢谢大家" or "good morning" in every group they are in.
CROSS_MIN_CHARS = 15


class RepeatLimits(NamedTuple):
    """A group's limits; 0 turns a rule off."""

    repeat_limit: int = 3  # the same text this many times in one group...
    repeat_minutes: int = 10  # ...within this many minutes
    crossgroup_limit: int = 3  # the same text in this many groups...
    crossgroup_minutes: int = 60  # ...within this many minutes


class Fingerprint(NamedTuple):
    digest: str
    chars: int  # length of the normalised text


def fingerprint(text: str) -> Fingerprint | None:
    """A digest of the normalised text ("加 V 信" and "加薇信" are one), or None for texts too
    short to count; the text itself is never stored."""
    compact = normalize(text).compact
    if len(compact) < MIN_CHARS:
        return None
    return Fingerprint(blake2b(compact.encode(), digest_size=16).hexdigest(), len(compact))


# Several accounts pasting one text into several groups is how spam waves look, but also how a
# missing-child notice or a charity appeal spreads: weak evidence that needs another check
# (ad words, a contact, the classifier) to agree, never a decision alone.
WAVE_SENDERS = 3
WAVE_SCORE = 0.5


def crosses_groups(groups: int, chars: int, limits: RepeatLimits) -> bool:
    """Whether a text of `chars` normalised characters seen in `groups` groups from one sender
    is copy-paste promotion by the group's `limits`."""
    return bool(limits.crossgroup_limit) and chars >= CROSS_MIN_CHARS \
        and groups >= limits.crossgroup_limit


def check_repeats(earlier_in_group: int, groups: int, chars: int, limits: RepeatLimits,
                  wave_senders: int = 1, wave_groups: int = 1) -> Verdict:
    """Judge a message posted `earlier_in_group` times before in this group (inside the repeat
    window) and seen in `groups` groups (this one included, inside the cross-group window);
    `chars` is the length of its normalised text. `wave_senders`/`wave_groups`: everyone's posts
    of the same text inside the cross-group window."""
    times = earlier_in_group + 1
    if limits.repeat_limit and times >= limits.repeat_limit:
        return Verdict(NAME, True, 0.95,
                       f"the same text {times} times in {limits.repeat_minutes} minutes")
    across = limits.crossgroup_limit and chars >= CROSS_MIN_CHARS
    if crosses_groups(groups, chars, limits):
        return Verdict(NAME, True, 0.95,
                       f"the same text in {groups} groups within {limits.crossgroup_minutes} "
                       "minutes")
    if across and wave_senders >= WAVE_SENDERS and wave_groups >= limits.crossgroup_limit:
        return Verdict(NAME, False, WAVE_SCORE,
                       f"the same text from {wave_senders} members in {wave_groups} groups")
    if across and groups > 1:
        return Verdict(NAME, False, 0.4, f"the same text in {groups} groups")
    if times > 1:
        return Verdict(NAME, False, 0.3, f"the same text {times} times")
    return Verdict(NAME, False, 0.0, "not repeated")
