"""An incrementally trainable naive Bayes spam model with JSON-able state.

Hand-written rather than scikit-learn: sklearn's per-call overhead was measured at ~1.5 ms
per single message (HashingVectorizer + MultinomialNB), 30x over the pipeline's budget, while
scoring here is one table lookup per feature (`hashed`). Learning one message updates a few
counters, so operators' /spam and /notspam marks take effect immediately.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from handlers.adfilter.hashed import Features, WeightTable, probability
from handlers.adfilter.normalize import Normalized, normalize
from handlers.adfilter.tokens import hashed, tokenize

FORMAT = "qunbot-adfilter-nb/1"
# How many sightings it takes before a feature's own rate dominates, and how far from 0.5 a
# feature's probability must be to be read. Chosen by 5-fold cross-validation inside the train
# splits of both corpora (bench/adfilter_eval.py): (0.45, 0.0) against the former (1.0, 0.1)
# cut missed ads from 76 to 64 on the starter corpus and false alarms from 5 to 4 on tg-spam,
# for one more false alarm (10 against 9) on the starter corpus. 0.45 is also SpamBayes' default.
_STRENGTH = 0.45
_MIN_STRENGTH = 0.0
def _times_seen(item: tuple[str, list[int]]) -> int:
    return item[1][0] + item[1][1]


class SpamModel:
    """Naive Bayes over message features (SpamBayes-style), trainable one message at a time."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha
        self.docs = [0, 0]  # ham, spam
        self.counts: dict[str, list[int]] = {}  # feature -> [ham docs, spam docs]
        self._table = WeightTable(0)  # the weights, keyed by the features' hashes
        self._stale = False  # weights depend on class totals, so any learning invalidates all

    def learn(self, text: str | Normalized, is_spam: bool) -> None:
        """Count one labelled message, e.g. from an operator's /spam or /notspam mark."""
        norm = text if isinstance(text, Normalized) else normalize(text)
        label = int(is_spam)
        self.docs[label] += 1
        for tok in tokenize(norm):
            pair = self.counts.setdefault(tok, [0, 0])
            pair[label] += 1
        self._stale = True

    def learn_many(self, texts: Iterable[str], is_spam: bool) -> None:
        """Learn every text in `texts` with the same label."""
        for text in texts:
            self.learn(text, is_spam)

    def _weight(self, pair: list[int], docs: list[int] | None = None
                ) -> tuple[float, float] | None:
        # Robinson's smoothed spam probability of a feature: how often it appears in spam vs
        # ham *per message of each class*, pulled towards 0.5 while it has been seen rarely.
        ham, spam = pair
        docs = docs or self.docs
        ham_rate = ham / max(docs[0], 1)
        spam_rate = spam / max(docs[1], 1)
        p = spam_rate / (spam_rate + ham_rate) if spam_rate + ham_rate else 0.5
        n = ham + spam
        f = (_STRENGTH * 0.5 + n * p) / (_STRENGTH + n)
        if abs(f - 0.5) < _MIN_STRENGTH:
            return None  # too neutral to be worth reading
        f = min(max(f, 0.01), 0.99)
        return math.log(f), math.log(1.0 - f)

    def spam_probability(self, text: str | Normalized) -> float:
        """Spam score (0..1) of a message: 0.5 when nothing is known or evidence conflicts."""
        norm = text if isinstance(text, Normalized) else normalize(text)
        return self.probability(hashed(norm))

    def probability(self, features: Features | Iterable[str]) -> float:
        """Spam score (0..1) of a message's features (`tokens.hashed`, or strings).

        Features are combined with Fisher's chi-square method (as in SpamBayes), which stays
        honest when many weak features agree, where a plain naive-Bayes product goes to 0 or 1.
        Class priors are deliberately left out: the training mix says nothing about how much
        spam a given group receives.
        """
        if self._stale:
            self._reweigh()
        if not isinstance(features, Features):
            features = Features.of(features)
        return probability(features, self._table)

    def to_dict(self) -> dict[str, object]:
        """Return the whole state as JSON-able data."""
        return {"format": FORMAT, "alpha": self.alpha, "docs": list(self.docs),
                "counts": {k: list(v) for k, v in self.counts.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> SpamModel:
        """Rebuild a model saved with `to_dict`."""
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} model: {data.get('format')!r}")
        model = cls(alpha=float(data["alpha"]))  # type: ignore[arg-type]
        model.docs = [int(x) for x in data["docs"]]  # type: ignore[attr-defined]
        model.counts = {k: [int(v[0]), int(v[1])] for k, v in data["counts"].items()}  # type: ignore[attr-defined]
        model._reweigh()
        return model

    def copy(self) -> SpamModel:
        """An independent copy, e.g. to let one group learn without changing the shared model."""
        return SpamModel.from_dict(self.to_dict())

    def _reweigh(self) -> None:
        # The table is filled most-seen features first: they then sit in their first slot and
        # the features most messages hold are found in one probe. A weight is one complex
        # number, ln f + i ln(1-f), never 0j (f stays within 0.01..0.99), and depends only on
        # the counts: the starter model's 198,000 features hold 2,800 distinct ones, each
        # computed once.
        table = WeightTable(len(self.counts))
        shared: dict[tuple[int, int], complex] = {}
        for tok, (ham, spam) in sorted(self.counts.items(), key=_times_seen, reverse=True):
            weight = shared.get((ham, spam))
            if weight is None:
                w = self._weight([ham, spam])
                weight = shared[ham, spam] = complex(*w) if w else 0j
            if weight:
                table.put(tok, weight)
        self._table = table
        self._stale = False


class CorrectedModel:
    """A shared model seen through one group's corrections (its operators' /spam, /notspam and
    undo marks), each corrected message counted `weight` times.

    Only the corrected features get weights of their own; every other feature is read from the
    shared model, never copied: a copy of the starter model's 131,000 features cost 11 MB per
    group and 0.4 s per mark to build. The shared model's other weights keep its own class
    totals, which a few marks move by well under a tenth.
    """

    def __init__(self, base: SpamModel, corrections: SpamModel, weight: int = 1) -> None:
        if base._stale:
            base._reweigh()
        self._base = base
        docs = [a + b * weight for a, b in zip(base.docs, corrections.docs, strict=True)]
        # The marked features' weights, read before the shared model's; 0j: too neutral to read.
        self._overlay = WeightTable(len(corrections.counts))
        for tok, (ham, spam) in corrections.counts.items():
            base_ham, base_spam = base.counts.get(tok, (0, 0))
            w = base._weight([base_ham + ham * weight, base_spam + spam * weight], docs)
            self._overlay.put(tok, complex(*w) if w else 0j)

    def corrected_share(self, features: Features) -> float:
        """The share of `features` the group's operators have marked, as spam or not: 1.0 for
        a message they judged themselves, about 0 for one that shares a word or two with it."""
        return self._overlay.count(features) / len(features) if len(features) else 0.0

    def probability(self, features: Features | Iterable[str]) -> float:
        """Spam score (0..1) of a message's features, as `SpamModel.probability`."""
        if not isinstance(features, Features):
            features = Features.of(features)
        if self._base._stale:
            self._base._reweigh()
        return probability(features, self._base._table, self._overlay)

    def spam_probability(self, text: str | Normalized) -> float:
        """Spam score (0..1) of a message."""
        norm = text if isinstance(text, Normalized) else normalize(text)
        return self.probability(hashed(norm))


Scorer = SpamModel | CorrectedModel  # what the classifier check reads a probability from
