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
from handlers.adfilter.keywords import check_keywords
from handlers.adfilter.links import check_links
from handlers.adfilter.lookalikes import check_lookalikes
from handlers.adfilter.model import SpamModel
from handlers.adfilter.normalize import normalize
from handlers.adfilter.verdict import Decision, Verdict, combine

# Cheap, explainable rules first so verdict lists read from concrete evidence to opinion.
CHECKS = (check_links, check_contacts, check_keywords, check_lookalikes, check_forward,
          check_new_member)

_DEFAULT_CONFIG = FilterConfig()


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
    return combine(tuple(verdicts), config.spam_threshold)
