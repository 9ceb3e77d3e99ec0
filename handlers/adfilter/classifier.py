"""The statistical check: the naive Bayes model's opinion as a verdict."""

from __future__ import annotations

from handlers.adfilter.config import FilterConfig
from handlers.adfilter.features import MessageFeatures
from handlers.adfilter.model import SpamModel
from handlers.adfilter.normalize import Normalized
from handlers.adfilter.verdict import Verdict

NAME = "classifier"


def check_classifier(message: MessageFeatures, norm: Normalized, config: FilterConfig,
                     model: SpamModel) -> Verdict:
    """Spam when the model's probability reaches the threshold (lower for new members).

    Below the threshold the probability still counts as evidence, scaled down so a merely
    "leaning spam" opinion needs another check to agree before it decides anything.
    """
    if not norm.compact:
        return Verdict(NAME, False, 0.0, "no text to classify")
    p = model.spam_probability(norm)
    new = config.is_new(message)
    threshold = config.new_member_classifier_threshold if new else config.classifier_threshold
    who = " (new member)" if new else ""
    if p >= threshold:
        return Verdict(NAME, True, round(p, 4), f"spam probability {p:.2f} >= {threshold}{who}")
    return Verdict(NAME, False, round(p, 4), f"spam probability {p:.2f} < {threshold}{who}")
