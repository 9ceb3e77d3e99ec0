"""The statistical model: learns from operators' marks, survives a JSON round trip, stays good."""

import json
import math
from pathlib import Path

import pytest

from bench.adfilter_eval import score, train_both
from handlers.adfilter import FilterConfig, MessageFeatures, SpamModel, classify, starter_model
from handlers.adfilter.corpus import (
    read_lines,
    split,
    starter_batches,
    starter_corpus,
    starter_split,
    train,
)
from handlers.adfilter.hashed import MAX_FEATURES, chi2q
from handlers.adfilter.model import CorrectedModel

TG_SPAM = Path(__file__).resolve().parents[4] / "shared" / "corpora" / "tg-spam"

REGULAR = MessageFeatures(text="", member_message_count=50)


def test_learning_from_spam_marks_changes_a_later_decision():
    text = "周末市集上有手工蓝莓果酱，摊位在入口左边"
    model = starter_model()
    message = MessageFeatures(text=text, member_message_count=50)
    assert not classify(message, model=model).spam
    # An operator's /spam marks on the group's own kind of ad (a stall plugged again and again).
    for variant in ["周末市集上有手工蓝莓果酱", "手工蓝莓果酱，摊位在入口", "市集摊位在入口左边",
                    "蓝莓果酱摊位在左边", "周末市集手工果酱"]:
        model.learn(variant, is_spam=True)
    assert classify(message, model=model).spam


def test_learning_from_notspam_marks_lowers_the_score():
    model = starter_model()
    text = "有没有人一起做项目，我带大家赚点外快"
    before = model.spam_probability(text)
    for _ in range(3):
        model.learn(text, is_spam=False)
    assert model.spam_probability(text) < before


def test_model_state_round_trips_through_json():
    model = starter_model()
    model.learn("全新骗术关键词测试", is_spam=True)
    restored = SpamModel.from_dict(json.loads(json.dumps(model.to_dict())))
    for text in ["加我微信领取福利", "今天的团购几点开始", "全新骗术关键词测试"]:
        assert restored.spam_probability(text) == model.spam_probability(text)


def test_starter_models_are_independent_copies():
    a, b = starter_model(), starter_model()
    a.learn("只改变一个模型", is_spam=True)
    assert a.docs != b.docs


def test_unknown_text_is_neutral():
    assert SpamModel().spam_probability("hello") == 0.5


def _exact_chi2q(x2, dof):
    m = x2 / 2.0
    terms = [math.exp(-m)]
    for i in range(1, dof // 2):
        terms.append(terms[-1] * m / i)
    return min(math.fsum(terms), 1.0)


@pytest.mark.parametrize("half", [1, 2, 7, 16, 17, 30, 60, 150, 400])
def test_chi_square_tail_stays_close_to_the_exact_sum_for_long_messages(half):
    # Long messages use an approximation; its error must stay far below threshold spacing.
    for x2 in [0.0, 0.5, half * 0.5, half * 1.5, half * 2.0, half * 2.5, half * 4.0]:
        assert chi2q(x2, 2 * half) == pytest.approx(_exact_chi2q(x2, 2 * half), abs=5e-4)


def _model_of(counts: dict[str, list[int]]) -> SpamModel:
    return SpamModel.from_dict({"format": "qunbot-adfilter-nb/1", "alpha": 1.0,
                                "docs": [1000, 1000], "counts": counts})


def test_only_the_strongest_features_of_a_long_message_are_combined():
    # Six features seen only in ads, then a long tail of everyday words, each a little hammy
    # (the more often seen, the hammier): the tail must not drown the ad's evidence.
    ad = {f"ad{i}": [0, 30] for i in range(6)}
    tail = {f"w{i}": [8 + i, 8] for i in range(1, 60)}
    model = _model_of({**ad, **tail})
    strongest = [*ad, *list(tail)[-(MAX_FEATURES - len(ad)):]]
    whole = model.probability([*ad, *tail])
    assert whole == pytest.approx(model.probability(strongest))
    assert whole > 0.4  # all 65 combined: 0.0004


def test_equally_strong_features_at_the_cut_are_all_kept_whatever_their_order():
    # Seen once in an ad or once in chat: equally strong, opposite ways. Keeping some of them
    # would make the score depend on which side a rounding error favoured.
    counts = {**{f"s{i}": [0, 1] for i in range(30)}, **{f"h{i}": [1, 0] for i in range(30)}}
    model = _model_of(counts)
    for order in ([*counts], [*counts][::-1], sorted(counts)):
        assert model.probability(order) == pytest.approx(0.5)


def held_out_scores(train_set, test_set):
    # The evaluation script's own scoring, so the floors here and its printed figures agree.
    r = score(test_set, train_both(train_set), FilterConfig())
    return r["precision"], r["recall"], (r["tp"], r["fp"], r["fn"])


def test_model_meets_a_floor_on_the_held_out_starter_split():
    # Floors a little under the measured 0.983 / 0.930 (eight batches, with the wording model's
    # second opinion; 0.886 without), so a regression fails here. Batches 7 and 8 (soft
    # openers, short lures, reply-style ads) are the hardest yet.
    precision, recall, counts = held_out_scores(*starter_split())
    assert precision >= 0.978, counts
    assert recall >= 0.92, counts


@pytest.mark.skipif(not TG_SPAM.is_dir(), reason="shared tg-spam corpus not checked out")
def test_model_meets_a_floor_on_the_held_out_tg_spam_split():
    items = [(t, True) for t in read_lines(TG_SPAM / "spam-samples.txt")]
    items += [(t, False) for t in read_lines(TG_SPAM / "ham-samples.txt")]
    # measured 0.980 / 0.962 (0.981 / 0.981 without the second opinion: its model, trained on
    # these 430 messages only, overrules one more ad)
    precision, recall, counts = held_out_scores(*split(items))
    assert precision >= 0.97, counts
    assert recall >= 0.96, counts


def test_starter_corpus_is_large_and_has_no_duplicates():
    items = starter_corpus()
    spam = [t for t, y in items if y]
    ham = [t for t, y in items if not y]
    assert len(spam) >= 500 and len(ham) >= 500
    assert len(set(spam) | set(ham)) == len(items)


def test_each_corpus_batch_is_split_on_its_own():
    # A later batch never moves an earlier batch's message across the split.
    train_set, test_set = starter_split()
    for batch in starter_batches():
        batch_train, batch_test = split(batch)
        assert set(batch_test) <= set(test_set) and set(batch_train) <= set(train_set)
    assert len(train_set) + len(test_set) == len(starter_corpus())


def test_corrections_over_a_shared_model_count_by_weight_and_leave_it_alone():
    base = train([("加我微信领取福利", True), ("今晚一起吃饭吗", False)] * 20)
    text = "周末市集有手工果酱"
    before = base.spam_probability(text)
    corrections = SpamModel()
    corrections.learn(text, is_spam=True)
    once = CorrectedModel(base, corrections)
    five = CorrectedModel(base, corrections, weight=5)
    assert before < once.spam_probability(text) < five.spam_probability(text)
    # Features nobody corrected read exactly as in the shared model, which stays as it was.
    assert five.spam_probability("今晚一起吃饭吗") == base.spam_probability("今晚一起吃饭吗")
    assert base.spam_probability(text) == before and "果酱" not in base.counts
    # The same as a model rebuilt with the corrections counted in, up to the class totals.
    rebuilt = train([("加我微信领取福利", True), ("今晚一起吃饭吗", False)] * 20
                    + [(text, True)] * 5)
    assert abs(five.spam_probability(text) - rebuilt.spam_probability(text)) < 0.01
