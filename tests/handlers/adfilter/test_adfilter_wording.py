"""The wording model's second opinion: what it catches and overrules, what it never overrules,
and the shipped model being the one the corpus trains."""

from __future__ import annotations

import pytest

from handlers.adfilter import FilterConfig, MessageFeatures, Verdict, classify
from handlers.adfilter.wording import (
    CEILING,
    FLOOR,
    LOW_THRESHOLD,
    QUESTION_EXTRA,
    THRESHOLD,
    WordingModel,
    grams,
)
from handlers.adfilter.wording_file import build, load

SHY = "hey there, I'm kind of shy in big groups, mind if I message you privately?"
TICKETS = "Anyone want free concert tickets? I have extra, just send me a message"
CHAT = "今天天气不错，大家吃饭了吗，周末一起爬山"


def reads_as(lean: float, text: str) -> WordingModel:
    """A wording model that gives `text` the margin `lean` (every n-gram of it weighs alike)."""
    found = grams(text)
    return WordingModel({g: complex(lean, 1.0) for g in found}, bias=0.0)


def test_a_soft_opener_the_checks_let_through_is_caught_by_its_wording():
    # A question: the checks let only near-certain evidence decide it, and they were not sure.
    decision = classify(MessageFeatures(text=SHY))
    assert decision.spam
    said = decision.verdict("wording")
    assert said.spam, said  # the wording tipped it, not the checks
    assert said.details.endswith(f">= {THRESHOLD + QUESTION_EXTRA:g}")
    assert not classify(MessageFeatures(text=SHY), FilterConfig(second_opinion=False)).spam


def test_a_members_question_in_the_ads_words_needs_a_near_certain_second_opinion():
    asked = "稳赚不赔的理财产品真的存在吗？"
    decision = classify(MessageFeatures(text=asked))
    assert not decision.spam, decision.explain()
    said = decision.verdict("wording")
    total = float(said.details.split(" = ")[1].split()[0])
    assert THRESHOLD <= total < THRESHOLD + QUESTION_EXTRA  # would decide a statement


def test_newcomers_are_left_to_the_new_member_windows_own_rules():
    for text in (TICKETS, SHY):
        newcomer = classify(MessageFeatures(text=text, member_message_count=0),
                            wording=reads_as(-5.0 if text == TICKETS else 5.0, text))
        assert newcomer.verdict("wording") is None


def test_the_wording_overrules_checks_that_flag_a_message_reading_like_chat():
    flagged = classify(MessageFeatures(text=TICKETS))
    assert flagged.spam and FLOOR <= flagged.score < CEILING
    overruled = classify(MessageFeatures(text=TICKETS), wording=reads_as(-2.0, TICKETS))
    assert not overruled.spam
    assert overruled.score == flagged.score  # the checks' score is kept for the record
    assert not any(v.spam for v in overruled.verdicts)
    assert overruled.verdict("wording").details.endswith(f"< {THRESHOLD}")


def test_below_the_floor_and_from_the_ceiling_the_checks_decide_alone():
    chat = classify(MessageFeatures(text=CHAT), wording=reads_as(5.0, CHAT))
    assert chat.score < FLOOR and not chat.spam and chat.verdict("wording") is None
    ad = "加我微信 abc123 领取福利，名额有限"
    sure = classify(MessageFeatures(text=ad), wording=reads_as(-5.0, ad))
    assert sure.score >= CEILING and sure.spam and sure.verdict("wording") is None


def test_a_short_ad_that_is_all_pitch_is_caught_by_its_sure_wording():
    # Too few features for the classifier, whose score stops at FLOOR: the checks let it pass.
    pitch = "懂的私"
    assert not classify(MessageFeatures(text=pitch), FilterConfig(second_opinion=False)).spam
    decision = classify(MessageFeatures(text=pitch))
    assert decision.spam and decision.score == FLOOR, decision.explain()
    assert decision.verdict("wording").details.endswith(f">= {LOW_THRESHOLD:g}")
    # Wording that would decide a message scoring above FLOOR is not enough down here.
    lean = 0.8 / len(grams(pitch)) ** 0.5
    unsure = reads_as(lean, pitch)
    assert THRESHOLD <= unsure.margin(pitch) + 1.5 * FLOOR < LOW_THRESHOLD
    decision = classify(MessageFeatures(text=pitch), wording=unsure)
    assert not decision.spam and decision.verdict("wording").details.endswith(
        f"< {LOW_THRESHOLD:g}")


class Confident:
    """A classifier sure of every message, short of the near-certainty a question needs."""

    def probability(self, features) -> float:
        return 0.98


def test_a_question_the_checks_were_sure_of_is_still_read():
    # Only conclusive rules decide a question, so one scoring from CEILING up is not left to
    # the checks' own ruling as a statement is: the wording reads it like any other question.
    opener = "Hello dear, are you interested in investing?"
    for lean, spam in ((5.0, True), (-5.0, False)):
        decision = classify(MessageFeatures(text=opener), model=Confident(),
                            wording=reads_as(lean, opener))
        assert decision.score >= CEILING and decision.verdict("question") is not None
        assert decision.spam is spam, decision.explain()
        assert decision.verdict("wording").details.endswith(f"{THRESHOLD + QUESTION_EXTRA:g}")
    # A question a conclusive rule removed stays removed, whatever its wording.
    handing_out = "想兼职的加我薇信 mm8866 好吗？"
    sure = classify(MessageFeatures(text=handing_out), wording=reads_as(-5.0, handing_out))
    assert sure.spam and sure.verdict("wording") is None


@pytest.mark.parametrize("evidence", [
    Verdict("repeats", True, 0.95, "the same text in 3 groups"),
    Verdict("qr_code", True, 0.9, "QR code links outside the allow-list: https://x.example"),
])
def test_evidence_that_is_not_wording_is_never_overruled(evidence):
    message = MessageFeatures(text=TICKETS)
    decision = classify(message, extra=(evidence,), wording=reads_as(-5.0, TICKETS))
    assert decision.spam and decision.verdict("wording") is None


def test_an_operators_own_phrase_is_never_overruled():
    config = FilterConfig(extra_keywords=("concert tickets",))
    decision = classify(MessageFeatures(text=TICKETS), config, wording=reads_as(-5.0, TICKETS))
    assert decision.spam and decision.verdict("wording") is None


def test_a_short_reply_is_left_to_conclusive_rules():
    text = "ok dm me"
    decision = classify(MessageFeatures(text=text, is_reply=True), wording=reads_as(5.0, text))
    assert not decision.spam and decision.verdict("wording") is None


def test_training_needs_both_kinds_of_message():
    with pytest.raises(ValueError, match="both"):
        WordingModel.train([("加我微信", True), ("领取福利", True)])


def test_a_model_round_trips_through_its_data():
    model = WordingModel.train([("加我微信领取福利", True), ("今晚一起吃饭吗", False)] * 3)
    again = WordingModel.from_dict(model.to_dict())
    for text in ("加我微信", "一起吃饭", "hello"):
        assert again.margin(text) == pytest.approx(model.margin(text), abs=1e-5)
    with pytest.raises(ValueError, match="not a qunbot-adfilter-wording"):
        WordingModel.from_dict({"format": "something-else"})


def test_the_shipped_model_is_the_one_the_starter_corpus_trains(tmp_path):
    # Fails after the corpus or the features change until `make wording-model` is run.
    shipped = load().to_dict()
    fresh = build(tmp_path / "wording.json.gz").to_dict()
    assert shipped["bias"] == pytest.approx(fresh["bias"], abs=1e-5)
    assert [w[0] for w in shipped["weights"]] == [w[0] for w in fresh["weights"]]
    assert all(a == pytest.approx(b, abs=1e-5) and q == pytest.approx(r, abs=1e-5)
               for (_, a, q), (_, b, r) in zip(shipped["weights"], fresh["weights"], strict=True))
