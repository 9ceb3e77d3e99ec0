"""`classify`: run every check on a message and decide."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from handlers.adfilter.classifier import check_classifier
from handlers.adfilter.config import FilterConfig
from handlers.adfilter.contacts import check_contacts
from handlers.adfilter.corpus import starter_model
from handlers.adfilter.features import MessageFeatures
from handlers.adfilter.forwards import check_forward, check_new_member
from handlers.adfilter.keywords import WARNING_DAMPING, check_keywords, warns_about_scams
from handlers.adfilter.links import check_links
from handlers.adfilter.lookalikes import check_lookalikes
from handlers.adfilter.model import SpamModel
from handlers.adfilter.normalize import normalize
from handlers.adfilter.verdict import Decision, Verdict, combine

# Cheap, explainable rules first so verdict lists read from concrete evidence to opinion.
# `classify` reads the contacts and keywords verdicts by position (1 and 2).
CHECKS = (check_links, check_contacts, check_keywords, check_lookalikes, check_forward,
          check_new_member)

_DEFAULT_CONFIG = FilterConfig()
# In a message that warns about scams, weak contact cues count half (keywords halve their own),
# and rule evidence does not back a leaning classifier: the warning quotes the ad's words
# ("说加微信送钱，肯定是骗子"). Conclusive checks and the classifier alone keep their full
# weight, so an ad cannot hide behind "beware of scams".
DAMPED = frozenset({"contacts"})


@cache
def shared_model() -> SpamModel:
    """The starter model used when the caller passes none (treat it as read-only)."""
    return starter_model()


def classify(message: MessageFeatures, config: FilterConfig | None = None,
             model: SpamModel | None = None, extra: Iterable[Verdict] = ()) -> Decision:
    """Judge one message with every check and return the decision with all verdicts.

    `config` is the group's filter profile (defaults when None); `model` the group's spam model
    (the shared starter model when None). `extra` carries verdicts computed elsewhere, such as
    the QR-code check that runs in a worker thread, so they weigh into the same decision.
    """
    config = config or _DEFAULT_CONFIG
    if not config.enabled:
        return Decision(spam=False, score=0.0, verdicts=(Verdict("filter", False, 0.0, "off"),))
    norm = normalize(message.text)
    verdicts = [check(message, norm, config) for check in CHECKS]
    verdicts.append(check_classifier(message, norm, config, model or shared_model()))
    verdicts.extend(extra)
    # Only a message some rule found something in can need damping: most chat skips the scan.
    if (verdicts[1].score or verdicts[2].score) and (warning := warns_about_scams(norm)):
        verdicts = [v._replace(score=round(v.score * WARNING_DAMPING, 4))
                    if v.name in DAMPED and not v.spam else v for v in verdicts]
        verdicts.append(Verdict("warning", False, 0.0,
                                f"warns about scams ('{warning}'): weak rule evidence halved"))
        return combine(tuple(verdicts), config.spam_threshold)
    return combine(tuple(verdicts), config.spam_threshold, config.classifier_lean,
                   config.rule_support)
