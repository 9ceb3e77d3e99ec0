"""Weak evidence adding up: a leaning classifier backed by a rule decides, chat stays chat."""

import pytest

from handlers.adfilter import FilterConfig, MessageFeatures, Verdict, classify, combine, normalize
from handlers.adfilter.classifier import check_classifier
from handlers.adfilter.contacts import check_contacts
from handlers.adfilter.keywords import warns_about_scams

REGULAR = 50  # an established member: no new-member strictness


class FixedModel:
    """A model whose opinion is set by the test, to pin down the thresholds around it."""

    def __init__(self, p: float) -> None:
        self.p = p

    def probability(self, features) -> float:
        return self.p


def judge(text: str):
    return classify(MessageFeatures(text=text, member_message_count=REGULAR))


# Everyday chat of the kinds a filter is most tempted to flag: money and prices in a shopping
# group, jobs, links to documents, and members warning each other about the very ads we catch.
HAM = [
    # friendly chat
    "hello everyone, nice to meet you, I moved here from Berlin last month",
    "哈哈哈，周末一起去爬山吧，有人报名吗",
    "谢谢大家的推荐，那家火锅真的好吃",
    "Happy birthday Lisa! Hope you have a great day 🎂",
    # prices and shopping questions
    "这个空气炸锅现在多少钱？上次团购是199",
    "请问群里的团购什么时候截单？我想多订两份",
    "Does anyone know if the flash sale price includes shipping?",
    "How much did you pay for the repair? They quoted me $120",
    "拼团还差一个人，有没有一起的",
    "厂家直销的是不是比超市便宜？",
    "日结的兼职靠谱吗？我怕被坑",
    "Is passive income from dividends taxed here?",
    "稳赚不赔的理财产品真的存在吗？",
    # jobs and money talk between members
    "我们公司今年招人很少，大家找工作多投几家",
    "Anyone here works in finance? I have a question about index funds for my retirement",
    # links to documents
    "会议纪要放在这里了 https://docs.google.com/document/d/1AbCdEf/edit",
    "The install guide is here: https://github.com/qunbot/qunbot/blob/main/README.md",
    "Here's the recording https://www.youtube.com/watch?v=aBcD3fGh1jk from yesterday",
    # warnings about scams, quoting the ad's words
    "刚才有人私聊我说加微信带我刷单赚钱，大家小心，是骗子",
    "别信那些说日结兼职、稳赚不赔的，都是诈骗",
    "Someone DMed me about passive income and crypto signals, beware, it's a scam",
]


@pytest.mark.parametrize("text", HAM)
def test_everyday_chat_is_not_flagged(text):
    d = judge(text)
    assert not d.spam, d.explain()


# Ads with no id, link or phone number: only their vocabulary and the classifier give them away.
ADS = [
    "宝妈在家就能做的兼职，一部手机搞定，日结工资，有兴趣私聊",
    "招募代理，零成本创业，稳赚不亏，详情加我",
    "带单老师每天免费分享，跟着做月入过万，想学的私聊我",
    "Join our crypto signals group, 90% win rate, DM me for the link",
    "Earn passive income from home with just your phone, send me a DM to learn how",
]


@pytest.mark.parametrize("text", ADS)
def test_ads_made_of_weak_signals_are_caught(text):
    d = judge(text)
    assert d.spam, d.explain()


def test_a_leaning_classifier_needs_a_rule_to_back_it():
    lean = Verdict("classifier", False, 0.7, "spam probability 0.70")
    rule = Verdict("keywords", False, 0.45, "matched: 日结")
    thin = Verdict("keywords", False, 0.2, "matched: 推广")
    assert combine((lean, rule), 0.9, lean=0.6, support=0.4).spam
    assert not combine((lean, thin), 0.9, lean=0.6, support=0.4).spam
    # Rules alone never count as the classifier's backing, nor does the rule run by default.
    assert not combine((rule, rule._replace(name="contacts")), 0.9, lean=0.6, support=0.4).spam
    assert not combine((lean, rule), 0.9).spam


def test_the_backing_rule_follows_the_group_config():
    # The classifier only leans (0.65) and the keywords alone are weak (0.7): neither decides,
    # and their noisy-or stays under 0.9, so only the backing rule makes this promotion spam.
    message = MessageFeatures(text="Weekend workshop on investing, register now, only today",
                              member_message_count=REGULAR)
    # The checks' own rule, so without the wording model's second opinion (which reads this
    # promotion's wording as an ad whatever the rule says).
    leaning = FixedModel(0.65)
    d = classify(message, FilterConfig(second_opinion=False), leaning)
    assert d.spam and d.score < 0.9 and not any(v.spam for v in d.verdicts), d.explain()
    for config in (FilterConfig(classifier_lean=0.95, second_opinion=False),
                   FilterConfig(rule_support=0.8, second_opinion=False)):
        assert not classify(message, config, leaning).spam


def test_a_warning_halves_the_rules_weak_evidence_but_not_conclusive_checks():
    assert warns_about_scams(normalize("大家小心骗子")) == "小心"
    assert warns_about_scams(normalize("This is not a scam, I promise")) is None
    warning = judge("有人私聊我说加微信送钱，肯定是骗子")
    assert not warning.spam, warning.explain()
    assert warning.verdict("warning") is not None
    assert warning.verdict("contacts").score == 0.3  # 0.6 for "加微信", halved
    disguised = judge("小心骗子！正规兼职请加薇信 lily_8866")
    assert disguised.spam and disguised.verdict("contacts").spam


def test_wechat_id_after_an_abbreviation_and_colon_is_contact_harvesting():
    for text in ("多多交流，我的v：sunny_mama88", "资料都在这 vx: abc12345 备注来意"):
        v = check_contacts(MessageFeatures(text=text, member_message_count=REGULAR),
                           normalize(text), FilterConfig())
        assert v.spam, (text, v)
    link = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    v = check_contacts(MessageFeatures(text=link, member_message_count=REGULAR), normalize(link),
                       FilterConfig())
    assert not v.spam and v.score == 0


def test_pointing_to_contact_details_in_a_profile_is_weak_evidence():
    text = "想了解的看我主页"
    v = check_contacts(MessageFeatures(text=text, member_message_count=REGULAR), normalize(text),
                       FilterConfig())
    assert not v.spam and v.score == 0.5


def test_a_question_is_decided_by_conclusive_rules_only():
    # Every weak signal is there (ad words, a confident classifier), but it is a question.
    asked = judge("稳赚不赔的理财产品真的存在吗？")
    assert not asked.spam and asked.verdict("question") is not None, asked.explain()
    assert asked.score >= 0.9  # the evidence is still reported, it just does not decide
    handing_out = judge("想兼职的加我薇信 mm8866 好吗？")
    assert handing_out.spam and handing_out.verdict("contacts").spam
    operator = FilterConfig(extra_keywords=("团购代拍",))
    message = MessageFeatures(text="有人要团购代拍吗？", member_message_count=REGULAR)
    assert classify(message, operator).spam


@pytest.mark.parametrize(("p", "reply", "spam"), [
    (0.995, False, True),   # a near-certain classifier decides a question
    (0.98, False, False),   # merely confident: a member's question in the ads' words
    (0.995, True, False),   # a short reply to another member stays for conclusive rules
])
def test_only_a_near_certain_classifier_decides_a_question(p, reply, spam):
    text = "Hello dear, are you interested in investing?" if not reply else "you single?"
    message = MessageFeatures(text=text, member_message_count=REGULAR, is_reply=reply)
    # The checks' own rule; the wording model reads such a question after them
    # (test_adfilter_wording).
    decision = classify(message, FilterConfig(second_opinion=False), FixedModel(p))
    assert decision.spam is spam, decision.explain()
    assert decision.verdict("question") is not None


def test_short_chat_is_not_flagged_even_from_new_members():
    for text in ("又涨了五块钱", "优惠券能换啥", "手环准不准"):
        for count in (0, REGULAR):
            d = classify(MessageFeatures(text=text, member_message_count=count))
            assert not d.spam, (text, d.explain())


@pytest.mark.parametrize(("text", "p", "count", "spam"), [
    ("王者代练低价", 0.95, REGULAR, True),   # short, confident: decided at the normal threshold
    ("王者代练低价", 0.8, 0, False),         # short from a newcomer: no lower new-member threshold
    ("王者荣耀代练上分，价格便宜，质量保证", 0.8, 0, True),  # longer from a newcomer: 0.7 applies
    ("王者荣耀代练上分，价格便宜，质量保证", 0.8, REGULAR, False),
])
def test_short_messages_use_the_normal_classifier_threshold(text, p, count, spam):
    message = MessageFeatures(text=text, member_message_count=count)
    verdict = check_classifier(message, normalize(text), FilterConfig(), FixedModel(p))
    assert verdict.spam is spam and verdict.score == p, verdict


def test_warnings_are_told_from_the_spammers_own_denials():
    assert warns_about_scams(normalize("我被骗了三千，大家注意")) == "骗"
    assert warns_about_scams(normalize("千万别贪这种小便宜")) == "千万别"
    assert warns_about_scams(normalize("watch out, that link is phishing")) == "watchout"
    denials = ("绝对不是骗子，放心加我", "我们不会骗人", "This is no scam, DM me", "不会上当的")
    for denial in denials:
        assert warns_about_scams(normalize(denial)) is None, denial
