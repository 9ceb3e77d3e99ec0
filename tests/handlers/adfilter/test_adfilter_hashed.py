"""The compiled scoring (`hashed`) reads exactly the features `tokenize` and `wording.grams` give
and scores them as the plain formulas do, on every message of both corpora."""

import math
import re
from bisect import bisect_left
from itertools import pairwise
from operator import add
from pathlib import Path

import pytest

from handlers.adfilter import normalize, starter_model, tokens
from handlers.adfilter.corpus import read_lines, starter_corpus
from handlers.adfilter.evasions import HEARTS
from handlers.adfilter.hashed import MAX_FEATURES, Features, feature_hash
from handlers.adfilter.hashed import grams as hashed_grams
from handlers.adfilter.links import may_hold_link
from handlers.adfilter.lookalikes import switches_alphabet
from handlers.adfilter.model import CorrectedModel, SpamModel
from handlers.adfilter.pipeline import shared_wording
from handlers.adfilter.tokens import hashed, tokenize
from handlers.adfilter.wording import grams

TG_SPAM = Path(__file__).resolve().parents[4] / "shared" / "corpora" / "tg-spam"
# Edges the corpora hold few of: a lone CJK character, digits that are not ASCII, letters that
# are \w but not words ("_", "²"), "@", money, emoji, mixed alphabets, links, nothing at all.
ODD = ["ok 好 thanks", "x² ½ snake_case __init__", "١٢٣ ٤٥ digits", "@me 500元 $ 20", "a", "",
       "日", "ａｂｃ ｄｅｆ", "💰💰👉 earn ❤ now", "cаsino bоnus", "see t.me/abc or boa-x.top",
       "abcdefghij abcdef abcdefg", "维 123456789012345 x", " ", "\t a  b\u3000c \n", "ab"]


@pytest.fixture(scope="module")
def norms():
    texts = [t for t, _ in starter_corpus()] + ODD
    if TG_SPAM.is_dir():
        texts += read_lines(TG_SPAM / "spam-samples.txt") + read_lines(TG_SPAM / "ham-samples.txt")
    return [normalize(t) for t in texts]


# The features as regular expressions define them: what the compiled walk replaced.
_CJK = re.compile(r"[\u3400-\u9fff]+")
_WORDS = re.compile(r"[^\W\d_\u3400-\u9fff]+")
_DIGITS = re.compile(r"\d+")


def _reference_tokenize(norm):
    out = set()
    text = norm.text
    if may_hold_link(text):
        pieces = tokens._LINK_SPLIT.split(text)
        if len(pieces) > 1:
            out.add(tokens.URL_FEATURE)
            for link in pieces[1::2]:
                out.update(tokens.link_features(link))
            text = " ".join(pieces[::2])
    for run in _CJK.findall(text):
        out.update(map(add, run, run[1:]) if len(run) > 1 else run)
    words = _WORDS.findall(text)
    out.update(words, map(" ".join, pairwise(words)), [w[:5] + "~" for w in words if len(w) > 6])
    if digits := _DIGITS.findall(text):
        out.update(f"#{min(len(d), 12)}" for d in digits)
        if tokens._MONEY.search(text):
            out.add("__money__")
    if "@" in text:
        out.add("__at__")
    if not norm.raw.isascii():
        if emoji := tokens._EMOJI.findall(norm.plain):
            if len(emoji) >= 3:
                out.add("__emoji__")
            out.update(e for e in emoji if e not in HEARTS)
        if switches_alphabet(norm.plain):
            out.add("__mixed_script__")
    return out


def _reference_grams(text):
    t = " " + " ".join(text.split()) + " "
    two = [*map(add, t, t[1:])]
    return {*two, *map(add, two, t[2:]), *re.findall(r"\w+", text)}


def test_hashed_features_are_the_hashes_of_the_tokenized_strings(norms):
    for norm in norms:
        strings = tokenize(norm)
        assert strings == _reference_tokenize(norm), norm.text
        features = hashed(norm)
        assert features.hashes() == {feature_hash(f) for f in strings}, norm.text
        assert len(features) == len(strings), norm.text
        assert all(f in features for f in strings)


def _chi2q(x2, dof):
    half = dof // 2
    if half > 16:
        v = 2.0 / (9.0 * dof)
        z = ((x2 / dof) ** (1.0 / 3.0) - 1.0 + v) / math.sqrt(2.0 * v)
        return 0.5 * math.erfc(z)
    m = x2 / 2.0
    term = total = math.exp(-m)
    for i in range(1, half):
        term *= m / i
        total += term
    return min(total, 1.0)


def _fisher(found):
    # The combination as plain Python over complex weights (ln f + i ln(1-f)).
    if not found:
        return 0.5
    if len(found) > MAX_FEATURES:
        found.sort(key=abs)
        found = found[bisect_left(found, abs(found[-MAX_FEATURES]) - 1e-9, key=abs):]
    total = sum(found, 0j)
    n = len(found)
    return (1.0 + (1.0 - _chi2q(-2.0 * total.imag, 2 * n))
            - (1.0 - _chi2q(-2.0 * total.real, 2 * n))) / 2.0


def _weights(model, docs=None):
    def weight(counts):
        w = model._weight(list(counts), docs)
        return complex(*w) if w else 0j
    return weight


def _expected(model: SpamModel, strings):
    weight = _weights(model)
    return _fisher([weight(model.counts[f]) for f in strings if f in model.counts])


# Summing the same weights in another order moves the last bit or two: the Python path itself
# gave scores 9e-16 apart under two PYTHONHASHSEEDs (a set's order), so "the same score" is
# "within a few ulps", far under the 1e-4 the verdicts round to.
SAME = 1e-12


def test_scores_are_the_plain_formulas_on_every_message(norms):
    model = starter_model()
    for norm in norms:
        p = model.probability(hashed(norm))
        assert p == pytest.approx(_expected(model, tokenize(norm)), abs=SAME), norm.text
        assert p == model.spam_probability(norm)


def test_a_groups_corrections_are_scored_as_the_plain_formulas_too(norms):
    base = starter_model()
    corrections = SpamModel()
    for i, norm in enumerate(norms[:200:7]):
        corrections.learn(norm, is_spam=i % 2 == 0)
    weight = 3
    corrected = CorrectedModel(base, corrections, weight)
    docs = [a + b * weight for a, b in zip(base.docs, corrections.docs, strict=True)]
    base_weight, marked_weight = _weights(base), _weights(base, docs)
    marked = 0
    for norm in norms:
        strings = tokenize(norm)
        found = []
        for f in strings:
            if f in corrections.counts:
                ham, spam = base.counts.get(f, (0, 0))
                extra = corrections.counts[f]
                found.append(marked_weight([ham + extra[0] * weight, spam + extra[1] * weight]))
            elif f in base.counts:
                found.append(base_weight(base.counts[f]))
        features = hashed(norm)
        share = len(strings & corrections.counts.keys()) / len(strings) if strings else 0.0
        marked += share > 0
        assert corrected.corrected_share(features) == share, norm.text
        assert corrected.probability(features) == pytest.approx(
            _fisher([w for w in found if w]), abs=SAME), norm.text
    assert marked > 1000  # the corrections reach many messages


def test_learning_reads_the_strings_and_scoring_then_finds_them():
    model = SpamModel()
    model.learn("加微信领红包 dm me now", is_spam=True)
    model.learn("今天天气不错 see you", is_spam=False)
    assert {"加微", "dm me", "see you"} <= model.counts.keys()
    assert model.spam_probability("加微信领红包") > 0.5 > model.spam_probability("今天天气不错")
    assert model.probability(["加微", "领红"]) == model.probability(Features.of(["领红", "加微"]))


def test_hashed_grams_are_the_hashes_of_the_wording_models_strings(norms):
    for norm in norms:
        for text in (norm.text, norm.raw):  # the raw text for its spaces and underscores
            strings = grams(text)
            assert strings == _reference_grams(text), text
            assert hashed_grams(text).hashes() == {feature_hash(g) for g in strings}, text
            assert len(hashed_grams(text)) == len(strings), text


def test_the_wording_margin_is_the_plain_dot_product_on_every_message(norms):
    model = shared_wording()
    for norm in norms:
        total = sum(filter(None, map(model._weights.get, grams(norm.text))), 0j)
        expected = total.real / math.sqrt(total.imag) + model.bias if total.imag else model.bias
        assert model.margin(norm) == pytest.approx(expected, abs=SAME), norm.text
