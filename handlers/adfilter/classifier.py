"""The statistical check: the naive Bayes model's opinion as a verdict."""

from __future__ import annotations

from handlers.adfilter.config import FilterConfig
from handlers.adfilter.features import MessageFeatures
from handlers.adfilter.hashed import Features
from handlers.adfilter.links import extract_links, is_allowed
from handlers.adfilter.model import Scorer
from handlers.adfilter.normalize import Normalized
from handlers.adfilter.tokens import URL_FEATURE, hashed, link_features
from handlers.adfilter.verdict import CLASSIFIER, Verdict

NAME = CLASSIFIER
MIN_FEATURES = 4  # below this many features the model's opinion is only weak evidence
THIN_SCORE = 0.5
# Under this many letters/characters (punctuation and spaces aside) a message is judged at the
# normal threshold even from a new member: "涨了五块钱" has a dozen overlapping character
# features that naive Bayes counts as independent, and a newcomer's short hello must not fall to
# the lower new-member threshold. It used to cap such messages at weak evidence (0.85); with
# the second corpus batch, 5-fold cross-validation inside the starter train split
# (bench/adfilter_misses.py) found that cap cost 28 short ads ("王者代练", "收U出U", "话费85折")
# and spared no normal message: recall 0.834 -> 0.859, the same 15 false alarms; tg-spam unchanged.
SHORT_CHARS = 12


def check_classifier(message: MessageFeatures, norm: Normalized, config: FilterConfig,
                     model: Scorer, tokens: Features | None = None) -> Verdict:
    """Spam when the model's probability reaches the threshold (lower for new members).

    Below the threshold the probability still counts as evidence, scaled down so a merely
    "leaning spam" opinion needs another check to agree before it decides anything.
    `tokens` are the message's features (`tokens.hashed`) when the caller has them already.
    """
    if not norm.compact:
        return Verdict(NAME, False, 0.0, "no text to classify")
    if tokens is None:
        tokens = hashed(norm)
    if config.allowed_links and URL_FEATURE in tokens:
        tokens = _without_allowed_links(tokens, extract_links(message, norm), config)
    p = model.probability(tokens)
    features = len(tokens)
    if features < MIN_FEATURES:
        # A greeting like "hello" is one or two features, and one spam-leaning word must not
        # delete a newcomer's first message: too thin to decide alone, at most weak evidence.
        return Verdict(NAME, False, round(min(p, THIN_SCORE), 4),
                       f"spam probability {p:.2f} from only {features} features: too thin")
    new = config.is_new(message) and len(norm.compact) >= SHORT_CHARS
    threshold = config.new_member_classifier_threshold if new else config.classifier_threshold
    who = " (new member)" if new else ""
    if p >= threshold:
        return Verdict(NAME, True, round(p, 4), f"spam probability {p:.2f} >= {threshold}{who}")
    return Verdict(NAME, False, round(p, 4), f"spam probability {p:.2f} < {threshold}{who}")


def _without_allowed_links(tokens: Features, links: list[str], config: FilterConfig
                           ) -> Features:
    """`tokens` without what the group's allowed links gave: the operator vouched for them, and
    a member sharing the group's own site or docs must not read like an ad with a link."""
    vouched = [link for link in links if is_allowed(link, config.allowed_links)]
    if not vouched:
        return tokens
    gone = [feature for link in vouched for feature in link_features(link)]
    if len(vouched) == len(links):
        gone.append(URL_FEATURE)
    return tokens.without(gone)
