"""Explained outcomes: one `Verdict` per check and the `Decision` that combines them."""

from __future__ import annotations

from operator import itemgetter
from typing import NamedTuple

# NamedTuples rather than frozen dataclasses: just as immutable, and built three times faster
# (a frozen dataclass sets each field through object.__setattr__), which matters with seven
# verdicts per message at 20,000 messages a second.


CLASSIFIER = "classifier"  # the statistical check's name; `combine` weighs it apart from rules
_SPAM = itemgetter(1)
_SCORE = itemgetter(2)


class Verdict(NamedTuple):
    """What one check concluded about a message and why.

    `spam` means this check alone is conclusive; `score` (0..1) is the strength of the evidence
    it saw, so weak signals from several checks can still add up to a spam decision.
    """

    name: str
    spam: bool
    score: float
    details: str

    def to_dict(self) -> dict[str, object]:
        """Return JSON-able data, for storing next to a moderation action."""
        return {"name": self.name, "spam": self.spam, "score": self.score, "details": self.details}


class Decision(NamedTuple):
    """The overall ruling on a message, with every verdict that led to it."""

    spam: bool
    score: float
    verdicts: tuple[Verdict, ...]

    @property
    def reasons(self) -> tuple[Verdict, ...]:
        """The verdicts that contributed evidence (non-zero score), strongest first."""
        hits = [v for v in self.verdicts if v.spam or v.score > 0]
        return tuple(sorted(hits, key=lambda v: (not v.spam, -v.score)))

    def verdict(self, name: str) -> Verdict | None:
        """Return the verdict of the check called `name`, if it ran."""
        return next((v for v in self.verdicts if v.name == name), None)

    def explain(self) -> str:
        """One line per contributing check, for operators and logs."""
        head = f"{'SPAM' if self.spam else 'ok'} (score {self.score:.2f})"
        lines = [f"{v.name}: {'spam' if v.spam else 'weak'} {v.score:.2f} - {v.details}"
                 for v in self.reasons]
        return "\n".join([head, *lines])

    def to_dict(self) -> dict[str, object]:
        """Return JSON-able data, so the decision can be stored with all its verdicts."""
        return {
            "spam": self.spam,
            "score": self.score,
            "verdicts": [v.to_dict() for v in self.verdicts],
        }


def combine(verdicts: tuple[Verdict, ...], threshold: float, lean: float = 1.0,
            support: float = 1.0) -> Decision:
    """Combine verdicts into a decision.

    Any conclusive verdict makes the message spam. Otherwise the scores are combined as
    independent evidence (noisy-or: 1 - prod(1 - score)), so a weak link signal plus a fairly
    confident classifier can cross `threshold` while neither alone would. Also spam: the
    classifier leaning spam (score >= `lean`) backed by the rule checks' own evidence (their
    noisy-or >= `support`), e.g. ad wording plus a contact shape or a money keyword. The
    defaults (1.0) leave that rule out.
    """
    remaining = 1.0
    rules_remaining = 1.0
    classifier = 0.0
    # Most checks see nothing: filter() and any() pass over them in C, and only the one or two
    # verdicts with evidence reach the Python loop.
    conclusive = any(map(_SPAM, verdicts))
    for name, _spam, score, _details in filter(_SCORE, verdicts):
        left = 0.0 if score >= 1.0 else 1.0 - score
        remaining *= left
        if name == CLASSIFIER:
            classifier = score
        else:
            rules_remaining *= left
    total = 1.0 - remaining
    backed = classifier >= lean and 1.0 - rules_remaining >= support
    return Decision(conclusive or total >= threshold or backed, round(total, 4), verdicts)
