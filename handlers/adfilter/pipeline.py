"""`classify`: run every check on a message and decide."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from handlers.adfilter import wording_file
from handlers.adfilter.classifier import check_classifier
from handlers.adfilter.config import FilterConfig
from handlers.adfilter.contacts import check_contacts
from handlers.adfilter.corpus import starter_corpus, train
from handlers.adfilter.features import MessageFeatures
from handlers.adfilter.forwards import check_forward, check_new_member
from handlers.adfilter.greetings import greets
from handlers.adfilter.hashed import Features
from handlers.adfilter.keywords import WARNING_DAMPING, check_keywords, warns_about_scams
from handlers.adfilter.links import check_links
from handlers.adfilter.lookalikes import check_lookalikes
from handlers.adfilter.model import CorrectedModel, Scorer, SpamModel
from handlers.adfilter.normalize import Normalized, normalize
from handlers.adfilter.tokens import hashed
from handlers.adfilter.verdict import CLASSIFIER, Decision, Verdict, combine
from handlers.adfilter.wording import NAME as WORDING
from handlers.adfilter.wording import WordingModel, consulted, overrule

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
# A message ending in a question ("日结的兼职靠谱吗？", "is passive income taxed here?") is
# decided by conclusive rules only (an id, an invite link, an operator's keyword) and by a
# near-certain classifier: members ask about prices, jobs and schemes in the ads' own words, so
# neither built-in keywords, nor weak evidence adding up, nor the classifier's usual threshold
# decide a question. Scam openers are questions too ("Hello dear, are you interested in
# investing?"). In 5-fold cross-validation inside the starter train split (batches 1-3), 43 of
# 401 questions were ads; a classifier score of 0.99 caught 8 of them and no normal question
# (0.95: 14 ads and a member's question quoting a scam). A short reply stays for rules alone.
QUESTION_ONLY_CONCLUSIVE = 2.0  # a noisy-or total never reaches it
QUESTION_CLASSIFIER_THRESHOLD = 0.99
QUESTION_END = re.compile(r"[?吗呢][\W_]*$")
SHORT_REPLY_CHARS = 20  # letters/characters, spaces and punctuation aside: a few words
# Share of a message's features the group's operators have marked before the second opinion
# leaves it to their marks: most of its words, not a word or two shared with a corrected ad.
OPERATORS_JUDGED = 0.5


@cache
def shared_model() -> SpamModel:
    """The starter model used when the caller passes none (treat it as read-only)."""
    # Trained here rather than copied from `starter_model`, whose cached state would keep a
    # second copy of every count alive for the life of the process (9 MB with 198,000
    # features) only to build this one model.
    return train(starter_corpus())


@cache
def shared_wording() -> WordingModel:
    """The shipped wording model, trained on the starter corpus (read-only)."""
    return wording_file.load()


def warm_up() -> None:
    """Build the starter models (a few seconds) and load OpenCC and the keyword automata, so
    the first message after a start does not wait for them."""
    classify(MessageFeatures(text="预热 warm-up 加微信 https://example.com"))
    shared_wording()


def classify(message: MessageFeatures, config: FilterConfig | None = None,
             model: Scorer | None = None, extra: Iterable[Verdict] = (),
             wording: WordingModel | None = None) -> Decision:
    """Judge one message with every check and return the decision with all verdicts.

    `config` is the group's filter profile (defaults when None); `model` the group's spam model
    (the shared starter model when None). `extra` carries verdicts computed elsewhere, such as
    the QR-code check that runs in a worker thread, so they weigh into the same decision.
    `wording` is the second opinion's model (`wording.overrule`; the starter one when None).
    """
    config = config or _DEFAULT_CONFIG
    if not config.enabled:
        return Decision(spam=False, score=0.0, verdicts=(Verdict("filter", False, 0.0, "off"),))
    norm = normalize(message.text)
    # A short reply to another member ("看私信", "扫码了", "check your inbox") is conversation,
    # and a greeting alone ("hello everyone") offers nothing: like a question, only conclusive
    # rules decide them, and their few words are no wording to judge; nor is a command to
    # another bot, which is that bot's syntax.
    talk = _plain_talk(message, norm)
    model = model or shared_model()
    # A group whose operators marked messages reads the features twice (its classifier, then
    # how much of the message they marked): tokenised once for both.
    tokens = hashed(norm) if isinstance(model, CorrectedModel) else None
    decision = _checked(message, norm, config, model, extra, talk, tokens)
    # The new-member window has strict rules of its own, with their own measured exceptions
    # (a newcomer's "Hi everyone, I'm new here"); the second opinion was chosen on members'
    # messages and leaves newcomers to them.
    if (talk or message.to_other_bot or message.introduces or not config.second_opinion
            or config.is_new(message) or _link_behind_words(message, decision)):
        return decision
    if (isinstance(model, CorrectedModel) and consulted(decision)
            and model.corrected_share(tokens) >= OPERATORS_JUDGED):
        # The group's operators marked a message like this one (/spam, /notspam, undo): their
        # marks decide, through the classifier they retrained. The shared wording model never
        # hears of them, and "dm me" restored by /notspam was removed again on its wording.
        said = Verdict(WORDING, False, 0.0, "not asked: the operators judged messages like this")
        return decision._replace(verdicts=(*decision.verdicts, said))
    return overrule(decision, norm, wording or shared_wording())


def _link_behind_words(message: MessageFeatures, decision: Decision) -> bool:
    """Whether a link the link check found conclusive is hidden behind the message's words (a
    text link): the wording model reads only the words, which say nothing of it ("大家看看这个"
    over a group invite), so it must not overrule that evidence."""
    if not message.urls or not any(v.name == "links" and v.spam for v in decision.verdicts):
        return False
    shown = message.text.casefold()
    return any(url.casefold() not in shown for url in message.urls)


def _plain_talk(message: MessageFeatures, norm: Normalized) -> str | None:
    """Why only conclusive rules decide a message that is plain talk: "a short reply" to
    another member, or "a greeting" and nothing else (`greetings`); None for anything else."""
    if message.is_reply and len(norm.compact) < SHORT_REPLY_CHARS:
        return "a short reply"
    return "a greeting" if greets(norm.compact) else None


def _checked(message: MessageFeatures, norm: Normalized, config: FilterConfig, model: Scorer,
             extra: Iterable[Verdict], talk: str | None, tokens: Features | None) -> Decision:
    """The checks' decision, before the wording model's second opinion (`tokens`: the
    message's features, when already read)."""
    verdicts = [check(message, norm, config) for check in CHECKS]
    verdicts.extend(extra)
    opinion = check_classifier(message, norm, config, model, tokens)
    if (opinion.spam and opinion.score < config.classifier_threshold
            and not any(v.score for v in verdicts)):
        # Only the lower new-member threshold called it spam, and no rule found anything (no
        # link, contact, listed phrase, forward or repeat): a newcomer's "Hi everyone, I'm new
        # here" reads like the openers scammers copy from it. Measured with every train message
        # posted as a newcomer's first, in 5-fold cross-validation inside the starter train
        # split: 42 -> 27 false alarms for 31 more missed ads; established members unchanged.
        opinion = opinion._replace(spam=False, details=f"{opinion.details}, but no rule agrees")
    verdicts.insert(len(CHECKS), opinion)
    # A command to another bot ("/play 周杰伦 晴天" to a music bot) is that bot's input in the
    # bot's own terse syntax, which the model, trained on chat, reads as an ad (0.93): like a
    # short reply, only conclusive rules decide it, even when it warns about scams (that path
    # would judge it at the normal threshold, the classifier included).
    command = message.to_other_bot
    # Only a message some rule found something in can need damping: most chat skips the scan.
    if not command and (verdicts[1].score or verdicts[2].score) and (
            warning := warns_about_scams(norm)):
        verdicts = [v._replace(score=round(v.score * WARNING_DAMPING, 4))
                    if v.name in DAMPED and not v.spam else v for v in verdicts]
        verdicts.append(Verdict("warning", False, 0.0,
                                f"warns about scams ('{warning}'): weak rule evidence halved"))
        return combine(tuple(verdicts), config.spam_threshold)
    # A newcomer's self-introduction, tagged as the bot's own prompt asks, says who they are and
    # what they do ("I'm Anna, a teacher in Beijing"): the very words scam openers copy, which
    # the classifier scores 0.94-0.97. Only conclusive rules decide it, as for a short reply: a
    # contact id, a link or an operator's phrase in it is still removed. The tag counts once a
    # member (the icebreaker marks them introduced), so it cannot shield every later message.
    rules_only = command or talk is not None or message.introduces
    if rules_only or QUESTION_END.search(norm.plain[-8:]):  # the pattern is end-anchored
        # An operator's phrase scores exactly 1.0 and stays conclusive; built-in ones stay < 1.
        verdicts = [v._replace(spam=False) if v.spam and (
            (v.name == CLASSIFIER and (rules_only or v.score < QUESTION_CLASSIFIER_THRESHOLD))
            or (v.name == "keywords" and v.score < 1.0)) else v
            for v in verdicts]
        why = ("a command to another bot" if command else talk if talk
               else "a self-introduction" if message.introduces else "asks a question")
        verdicts.append(Verdict("question", False, 0.0, f"{why}: only conclusive rules decide"))
        return combine(tuple(verdicts), QUESTION_ONLY_CONCLUSIVE)
    return combine(tuple(verdicts), config.spam_threshold, config.classifier_lean,
                   config.rule_support)
