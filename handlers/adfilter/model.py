"""An incrementally trainable naive Bayes spam model with JSON-able state.

Hand-written rather than scikit-learn: sklearn's per-call overhead was measured at ~1.5 ms
per single message (HashingVectorizer + MultinomialNB), 30x over the pipeline's budget, while
scoring here is one dict lookup per feature. Learning one message updates a few counters, so
operators' /spam and /notspam marks take effect immediately.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable

from handlers.adfilter.normalize import Normalized, normalize
from handlers.adfilter.tokens import tokenize

FORMAT = "qunbot-adfilter-nb/1"
# How many sightings it takes before a feature's own rate dominates, and how far from 0.5 a
# feature's probability must be to be read. Chosen by 5-fold cross-validation inside the train
# splits of both corpora (bench/adfilter_eval.py): (0.45, 0.0) against the former (1.0, 0.1)
# cut missed ads from 76 to 64 on the starter corpus and false alarms from 5 to 4 on tg-spam,
# for one more false alarm (10 against 9) on the starter corpus. 0.45 is also SpamBayes' default.
_STRENGTH = 0.45
_MIN_STRENGTH = 0.0
# Up to this many features per half the exact sum is a short loop. Past it the Wilson-Hilferty
# approximation ((X/k)^(1/3) is nearly normal) stays within 4e-4 of the exact tail, far below
# the 0.05 steps the thresholds were chosen on, and costs one erfc (0.4 µs) where the exact sum
# cost a loop step per feature (4.5 µs for 60 features). Over the starter corpus scores moved
# by at most 0.0003, and `classify` ran 10% faster.
_EXACT_MAX_HALF = 16
# Only a message's most telling features are combined (SpamBayes' "max_discriminators"): in a
# long message dozens of weak, everyday character pairs outvoted the few that make it an ad
# ("...分享给朋友还能赚提成", a story ending in a pitch). 5-fold cross-validation inside the
# starter train split: 1,049 -> 942 missed ads for 133 -> 140 false alarms, where lowering the
# classifier threshold to 0.88 instead gives 993 for 147; tg-spam unchanged (4 and 4). Fewer
# (20, 15) cost tg-spam recall; more (30, 40) gave back most of the gain.
MAX_FEATURES = 25


def _chi2q(x2: float, dof: int) -> float:
    """Survival function of the chi-square distribution for even `dof`."""
    half = dof // 2
    if half > _EXACT_MAX_HALF:
        v = 2.0 / (9.0 * dof)
        z = ((x2 / dof) ** (1.0 / 3.0) - 1.0 + v) / math.sqrt(2.0 * v)
        return 0.5 * math.erfc(z)
    # For even dof the tail is P(Poisson(x2/2) < dof/2), a sum of `half` terms.
    m = x2 / 2.0
    term = total = math.exp(-m)
    for i in range(1, half):
        term *= m / i
        total += term
    return min(total, 1.0)


def _fisher(found: list[complex]) -> float:
    """Combine feature weights (ln f + i ln(1-f)) into a spam score, 0.5 when there are none."""
    n = len(found)
    if not n:
        return 0.5
    if n > MAX_FEATURES:
        # |w| grows with |f - 0.5|, so abs() orders weights by strength in C. Ties at the cut
        # are all kept: f and 1 - f are equally strong, and a cut between them would favour
        # whichever a rounding error made a hair stronger. 1e-9 covers such rounding errors.
        found.sort(key=abs)
        found = found[bisect_left(found, abs(found[-MAX_FEATURES]) - 1e-9, key=abs):]
        n = len(found)
    total = sum(found, 0j)
    spamminess = 1.0 - _chi2q(-2.0 * total.imag, 2 * n)
    hamminess = 1.0 - _chi2q(-2.0 * total.real, 2 * n)
    return (1.0 + spamminess - hamminess) / 2.0


def _times_seen(item: tuple[str, list[int]]) -> int:
    return item[1][0] + item[1][1]


class SpamModel:
    """Naive Bayes over message features (SpamBayes-style), trainable one message at a time."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha
        self.docs = [0, 0]  # ham, spam
        self.counts: dict[str, list[int]] = {}  # feature -> [ham docs, spam docs]
        self._complex: dict[str, complex] = {}  # weights packed for summing in C
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
        return self.probability(tokenize(norm))

    def probability(self, features: Iterable[str]) -> float:
        """Spam score (0..1) of a message's `tokenize` features.

        Features are combined with Fisher's chi-square method (as in SpamBayes), which stays
        honest when many weak features agree, where a plain naive-Bayes product goes to 0 or 1.
        Class priors are deliberately left out: the training mix says nothing about how much
        spam a given group receives.
        """
        if self._stale:
            self._reweigh()
        # map(), filter() and sum() run in C, where a Python loop over the features cost 3x
        # more. A weight is one complex number (ln f + i ln(1-f)) so one sum adds both halves;
        # it is never 0j (f stays within 0.01..0.99), so filter(None) drops exactly the
        # features the model has no weight for.
        return _fisher([*filter(None, map(self._complex.get, features))])

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
        # Features seen as often share one weight object: two thirds of the starter model's
        # 198,000 features were seen once, and all of them hold 2,800 distinct weights, which
        # stay in the CPU cache while lookups walk the big table (classify 3-4% faster).
        # The table is filled most-seen features first, each key a fresh copy of its string:
        # the features most messages hold then share cache lines and pages, where the training
        # order scattered them over 150,000 keys (lookups 6% faster, classify about 1%).
        shared: dict[tuple[int, int], complex] = {}
        packed: dict[str, complex] = {}
        for tok, (ham, spam) in sorted(self.counts.items(), key=_times_seen, reverse=True):
            weight = shared.get((ham, spam))
            if weight is None:
                w = self._weight([ham, spam])
                weight = shared[ham, spam] = complex(*w) if w else 0j
            if weight:
                packed["".join(tok)] = weight
        self._complex = packed
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
        self._overlay: dict[str, complex] = {}  # 0j: the feature is too neutral to read
        for tok, (ham, spam) in corrections.counts.items():
            base_ham, base_spam = base.counts.get(tok, (0, 0))
            w = base._weight([base_ham + ham * weight, base_spam + spam * weight], docs)
            self._overlay[tok] = complex(*w) if w else 0j
        # Every message meets the marked features: a set & set runs in C on the smaller side,
        # where `dict.keys() &` a message's features built a set through the iterator protocol
        # (0.8 against 1.4 µs a message).
        self._marked = frozenset(self._overlay)

    def corrected_share(self, features: set[str]) -> float:
        """The share of `features` the group's operators have marked, as spam or not: 1.0 for
        a message they judged themselves, about 0 for one that shares a word or two with it."""
        return len(self._marked & features) / len(features) if features else 0.0

    def probability(self, features: Iterable[str]) -> float:
        """Spam score (0..1) of a message's `tokenize` features, as `SpamModel.probability`."""
        features = features if isinstance(features, (set, frozenset)) else set(features)
        hits = features & self._marked
        if not hits:
            return self._base.probability(features)
        found = [*filter(None, map(self._base._complex.get, features - hits))]
        found += filter(None, map(self._overlay.__getitem__, hits))
        return _fisher(found)

    def spam_probability(self, text: str | Normalized) -> float:
        """Spam score (0..1) of a message."""
        norm = text if isinstance(text, Normalized) else normalize(text)
        return self.probability(tokenize(norm))


Scorer = SpamModel | CorrectedModel  # what the classifier check reads a probability from
