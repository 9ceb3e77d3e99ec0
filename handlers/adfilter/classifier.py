"""The statistical check: the naive Bayes model's opinion as a verdict."""

from __future__ import annotations

from handlers.adfilter.config import FilterConfig
from handlers.adfilter.features import MessageFeatures
from handlers.adfilter.model import SpamModel
from handlers.adfilter.normalize import Normalized
from handlers.adfilter.tokens import tokenize
from handlers.adfilter.verdict import CLASSIFIER, Verdict

NAME = CLASSIFIER
MIN_FEATURES = 4  # below this many features the model's opinion is only weak evidence
THIN_SCORE = 0.5
# Under this many letters/characters (punctuation and spaces aside) the model's opinion is not
# conclusive and counts at most SHORT_SCORE: "涨了五块钱" has a dozen overlapping character
# features that naive Bayes counts as independent, and short chat scored up to 0.98. Chosen by
# 5-fold cross-validation inside the starter train split (bench/adfilter_misses.py): under 12,
# 8 -> 5 false alarms for one more missed ad; tg-spam unchanged.
SHORT_CHARS = 12
SHORT_SCORE = 0.85


def check_classifier(message: MessageFeatures, norm: Normalized, config: FilterConfig,
                     model: SpamModel) -> Verdict:
    """Spam when the model's probability reaches the threshold (lower for new members).

    Below the threshold the probability still counts as evidence, scaled down so a merely
    "leaning spam" opinion needs another check to agree before it decides anything.
    """
    if not norm.compact:
        return Verdict(NAME, False, 0.0, "no text to classify")
    tokens = tokenize(norm)
    p = model.probability(tokens)
    features = len(tokens)
    if features < MIN_FEATURES:
        # A greeting like "hello" is one or two features, and one spam-leaning word must not
        # delete a newcomer's first message: too thin to decide alone, at most weak evidence.
        return Verdict(NAME, False, round(min(p, THIN_SCORE), 4),
                       f"spam probability {p:.2f} from only {features} features: too thin")
    if len(norm.compact) < SHORT_CHARS:
        return Verdict(NAME, False, round(min(p, SHORT_SCORE), 4),
                       f"spam probability {p:.2f} of a short message: weak evidence only")
    new = config.is_new(message)
    threshold = config.new_member_classifier_threshold if new else config.classifier_threshold
    who = " (new member)" if new else ""
    if p >= threshold:
        return Verdict(NAME, True, round(p, 4), f"spam probability {p:.2f} >= {threshold}{who}")
    return Verdict(NAME, False, round(p, 4), f"spam probability {p:.2f} < {threshold}{who}")
