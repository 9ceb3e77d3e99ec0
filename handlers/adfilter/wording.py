"""The second opinion: a linear model of a message's wording, which confirms or overrules the
checks' combined score.

Why a second model: the naive Bayes classifier and the rules judge each character pair and
rule on its own, and miss soft, chat-like ads ("Haha I'm shy in groups, can I DM you?",
"月瘦二十斤") whose pitch lies in how the words go together. A linear SVM over TF-IDF
character 2-3-grams and words reads that, and weighs the same evidence against the checks'
false alarms (a neighbour selling a bike, a member warning about a scam). 5-fold
cross-validation inside the starter train split (bench/adfilter_misses.py): the checks alone
missed 932 ads for 140 false alarms; with this second opinion (`overrule`, as set below) 555
for 142. Measured on the same folds' scores and discarded: the SVM as a plain "or" beside the
checks (669 missed for 160 false alarms), folded into the classifier's probability (598 for
168), a logistic or boosted-tree combiner of its margin with the checks' scores (no better than
the fixed sum), character 1-3-grams (499 against 478 for 160 alarms at equal weights), adding
the classifier's own features (499), fewer n-grams (min_df 3: 486 against 464) and counts
instead of presence (533). Its strength is in overruling as much as in catching.

scikit-learn trains it; scoring is done here, one table lookup per n-gram, because sklearn's
per-call overhead is a millisecond. The n-grams are hashed as the text is walked, in compiled
code (`hashed.grams`): making their strings and looking them up in a dict cost 37 µs a
message, against 3. Each weight is one complex number, (coefficient x idf) + i idf^2, so one
sum gives both the dot product and the squared length of the message's TF-IDF vector. The
starter model is trained once, at build time, and shipped (`data/wording.json.gz`, `make
wording-model`): training takes 4-6 s and scikit-learn, SciPy and NumPy 150 MB, neither of
which a bot's start or image should pay for.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from itertools import chain

from handlers.adfilter.hashed import WeightTable
from handlers.adfilter.hashed import grams as hashed_grams
from handlers.adfilter.normalize import Normalized, normalize
from handlers.adfilter.verdict import Decision, Verdict

SVM_C = 1.0  # chosen by the cross-validation above (0.5: 509 missed for 160 alarms, 2.0: 482)
MIN_DF = 2  # an n-gram seen in one message only is that message, not wording
FORMAT = "qunbot-adfilter-wording/1"


def grams(text: str) -> set[str]:
    """Character 2-3-grams of `text` (spaces collapsed, padded) and its words, as strings: what
    the model is trained on. Scoring reads the same walk's hashes (`hashed.grams`)."""
    return hashed_grams(text, True)


def _known(index: int | None) -> bool:
    return index is not None


class WordingModel:
    """A trained linear model over `grams` of a message's normalised text (read-only)."""

    def __init__(self, weights: dict[str, complex], bias: float) -> None:
        self._weights = weights
        self.bias = bias
        self._table = WeightTable(len(weights))  # what `margin` reads, keyed by hash
        for gram, weight in weights.items():
            self._table.put(gram, weight)

    @classmethod
    def train(cls, items: Iterable[tuple[str, bool]]) -> WordingModel:
        """Train on labelled (text, is_spam) messages."""
        # Imported here: only training needs them, and they take a second to import.
        import numpy as np
        from scipy.sparse import csr_matrix
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.svm import LinearSVC

        docs, labels = [], []
        for text, is_spam in items:
            docs.append(grams(normalize(text).text))
            labels.append(is_spam)
        if len(set(labels)) < 2:
            raise ValueError("training needs both ads and normal messages")
        # The presence matrix is built here rather than by sklearn's vectorizers, whose
        # per-feature Python loop took 3 of the 4.5 s. Most common n-grams first: their
        # weights then share cache lines when messages are scored (lookups 15% faster).
        df = Counter(chain.from_iterable(docs))
        kept = sorted((g for g, n in df.items() if n >= MIN_DF), key=lambda g: (-df[g], g))
        vocabulary = dict(zip(kept, range(len(kept)), strict=True))
        rows = [[*filter(_known, map(vocabulary.get, doc))] for doc in docs]
        indptr = np.cumsum([0, *map(len, rows)])
        indices = np.fromiter(chain.from_iterable(rows), np.int64, indptr[-1])
        presence = csr_matrix((np.ones(len(indices)), indices, indptr), (len(docs), len(kept)))
        tfidf = TfidfTransformer()  # idf weights, each message's vector of length 1
        svm = LinearSVC(C=SVM_C, random_state=0).fit(tfidf.fit_transform(presence), labels)
        idf, coef = tfidf.idf_, svm.coef_[0]
        weights = {"".join(g): complex(coef[i] * idf[i], idf[i] * idf[i])
                   for g, i in vocabulary.items()}
        return cls(weights, float(svm.intercept_[0]))

    def to_dict(self) -> dict[str, object]:
        """The model as JSON-able data, most common n-grams first (`from_dict` keeps the order)."""
        return {"format": FORMAT, "bias": self.bias,
                "weights": [[g, round(w.real, 7), round(w.imag, 7)]
                            for g, w in self._weights.items()]}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> WordingModel:
        """Rebuild a model saved with `to_dict`."""
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} model: {data.get('format')!r}")
        weights = {g: complex(a, q) for g, a, q in data["weights"]}  # type: ignore[attr-defined]
        return cls(weights, float(data["bias"]))  # type: ignore[arg-type]

    def margin(self, text: str | Normalized) -> float:
        """Signed distance from the SVM's boundary: above 0 leans ad, below 0 normal chat."""
        norm = text if isinstance(text, Normalized) else normalize(text)
        total = self._table.total(hashed_grams(norm.text))
        if not total.imag:
            return self.bias  # no known n-gram: the model knows nothing of this text
        return total.real / math.sqrt(total.imag) + self.bias


# How the second opinion decides, chosen by the cross-validation in the module docstring:
# spam when `margin + SCORE_WEIGHT x score` reaches THRESHOLD, where score is the checks'
# combined score. Up to FLOOR the checks found too little for the wording to matter: that
# includes a message too short for the classifier (its score is capped at 0.5), since
# "hello" opens many a scam (a message the group's operators marked is left to their marks:
# `pipeline.OPERATORS_JUDGED`). 25 short ads ("WTS", "Meds without rx") stay missed for it. From
# CEILING up the wording would have cleared 1 false alarm but also 7 ads, and caught 9 more,
# so the checks decide alone and the n-grams are not computed for most ads. THRESHOLD is the
# highest recall at which cross-validated precision stays at the checks' own 0.982 (1.3: 528
# missed for 154 false alarms, precision 0.9815; 1.33: 555 for 142, 0.9829); SCORE_WEIGHT 1.5
# beat 1, 2, 2.5, 3 and 4 at 140, 160 and 170 false alarms.
FLOOR = 0.5
# Just up to FLOOR, from LOW_FLOOR, the wording is read only to catch, at a surer LOW_THRESHOLD:
# a message too short for the classifier scores exactly FLOOR, and some short ads are all
# pitch ("懂的私", "💰💰 DM", "要的扣1", "check inbox"). In the cross-validation this caught 7 of
# those 548 missed ads and flagged no normal message (1.7: 10 for 1, 1.5: 19 for 3; tg-spam
# unchanged at each); any LOW_FLOOR from 0.3 to 0.49 caught the same, so the n-grams are read
# for few more messages. Greetings and short replies stay left to conclusive rules.
LOW_FLOOR = 0.45
LOW_THRESHOLD = 1.9
CEILING = 0.99
SCORE_WEIGHT = 1.5
THRESHOLD = 1.33
# A question ("稳赚不赔的理财产品真的存在吗？") needs a near-certain second opinion, as it needs a
# near-certain classifier (pipeline.QUESTION_CLASSIFIER_THRESHOLD): members ask about schemes
# in the ads' own words. In the cross-validation, 0.7 more left no normal question flagged
# (5 at 0) for 39 more ads missed, most of them openers such as "can I DM you?".
QUESTION_EXTRA = 0.7
NAME = "wording"
# Evidence that is not wording, which a model of wording must not overrule: an image's QR
# code, the same text flooding groups, a forwarded post, the new-member window's strict rules.
# An operator's own phrase (score 1.0) stands too.
_NOT_WORDING = frozenset({"qr_code", "repeats", "forward", "new_member"})


def consulted(decision: Decision) -> bool:
    """Whether the second opinion is asked about `decision`: its score in between (or a
    question's, however high), and no conclusive evidence that is not wording."""
    score = decision.score
    if score <= LOW_FLOOR or (score <= FLOOR and decision.spam) or (
            score >= CEILING and (decision.spam or not _question(decision))):
        return False
    return not any(
        v.spam and (v.name in _NOT_WORDING or v.score >= 1.0) for v in decision.verdicts)


def _question(decision: Decision) -> bool:
    # CEILING leaves ads to the checks' own ruling, which a question does not get: only
    # conclusive rules decide one, so a question above CEILING that no such rule removed was
    # left unread. Reading it caught 7 more ads and flagged no normal message in the
    # cross-validation (548 missed for 142 false alarms).
    return any(v.name == "question" for v in decision.verdicts)


def overrule(decision: Decision, norm: Normalized, model: WordingModel) -> Decision:
    """`decision` confirmed or overruled by the wording model, with a verdict saying why."""
    if not consulted(decision):
        return decision
    score = decision.score
    threshold = THRESHOLD if score > FLOOR else LOW_THRESHOLD
    if _question(decision):
        threshold += QUESTION_EXTRA
    margin = model.margin(norm)
    total = margin + SCORE_WEIGHT * score
    spam = total >= threshold
    sign = ">=" if spam else "<"
    said = Verdict(NAME, spam and not decision.spam, round(1.0 / (1.0 + math.exp(-margin)), 4),
                   f"wording {margin:+.2f} + {SCORE_WEIGHT} x score {score:.2f} = {total:.2f}"
                   f" {sign} {threshold:g}")
    if spam == decision.spam:
        return decision._replace(verdicts=(*decision.verdicts, said))
    if spam:
        return Decision(True, score, (*decision.verdicts, said))
    # Overruled: the checks' own verdicts stay for the record, no longer conclusive.
    cleared = tuple(v._replace(spam=False) if v.spam else v for v in decision.verdicts)
    return Decision(False, score, (*cleared, said))
