"""Every detail the ad filter's checks write is told again in Chinese (and, in English, as the
checks wrote it, with lengths as people read them): /why and the appeal card read them back
from stored decisions. Each sample goes through the checks themselves, so a check whose wording
changes without its telling fails here instead of reaching operators untranslated."""

from __future__ import annotations

import re

from handlers.adfilter import FilterConfig, MessageFeatures, classify
from handlers.adfilter.qr import judge_qr_texts
from handlers.adfilter.repeats import RepeatLimits, check_repeats
from handlers.moderation_reasons import _SHAPES, tell_decision, tell_details

NEW = {"is_new_member": True}
OLD = {"member_message_count": 50}
SAMPLES = [
    ("", OLD), ("hello", OLD), ("加我微信 abc123 领取福利，名额有限", NEW),
    ("加我微信 abc123 领取福利，名额有限", OLD), ("今天天气不错，大家吃饭了吗，周末一起爬山", OLD),
    ("今天天气不错，大家吃饭了吗，周末一起爬山", NEW), ("加我QQ 123456789 领资料", OLD),
    ("wx: abcdef_12 有事找", OLD), ("有问题加他微信说明情况就行：wj_help_2024", OLD),
    ("加我 13812345678", OLD), ("13812345678 在吗", NEW), ("有需要私聊 @someone_abc", NEW),
    ("有需要私聊 @someone_abc", OLD), ("快递单号 13812345678 到了", OLD), ("详情看主页", OLD),
    ("有需要的私聊我", OLD), ("兼职刷单日结", OLD), ("他说“兼职刷单日结”你们信吗", OLD),
    ("提醒大家：说兼职刷单日结的都是骗子", OLD), ("加入 https://t.me/+AbCdEf123", OLD),
    ("看看 https://example.org/a", NEW), ("看看 https://example.org/a", OLD),
    ("bot https://t.me/some_bot", OLD), ("短链 https://bit.ly/3xYz", OLD),
    ("Здpaвcтвyйтe, пpoфиль", OLD), ("Здpaвcтвyйтe друзья", OLD), ("这个靠谱吗？", OLD),
    # the wording model's second opinion, for and against
    ("hey there, I'm kind of shy in big groups, mind if I message you privately?", OLD),
    ("we're hiring a part-time barista at our cafe, $18/hour, drop by with your resume", OLD),
]


def verdict_details() -> set[str]:
    details: set[str] = set()
    for text, extra in SAMPLES:
        for reply in (False, True):
            message = MessageFeatures(text=text, is_reply=reply, **extra)
            details.update(v.details for v in classify(message).verdicts)
    forwards = [
        MessageFeatures(text="x", is_forwarded_from_channel=True, forward_source="@news", **kw)
        for kw in (NEW, OLD)
    ]
    allowed = FilterConfig(allowed_forward_sources=("@news",))
    photo = MessageFeatures(text="找 @someone_abc", has_photo=True, **NEW)
    counted = MessageFeatures(text="找 @someone_abc", has_photo=True, member_message_count=1)
    for message, config in ((forwards[0], None), (forwards[1], None), (forwards[1], allowed),
                            (photo, None), (counted, None),
                            (MessageFeatures(text="hi", member_message_count=1), None),
                            (MessageFeatures(text="hi"), FilterConfig(enabled=False))):
        details.update(v.details for v in classify(message, config).verdicts)
    limits = RepeatLimits()
    for args in ((2, 1, 40), (0, 3, 40), (0, 2, 40), (1, 1, 40), (0, 1, 40)):
        details.add(check_repeats(*args, limits).details)
    details.add(check_repeats(0, 1, 40, limits, wave_senders=5, wave_groups=3).details)
    for texts in ([], ["https://weixin.qq.com/r/abc"], ["https://shop.example"], ["hello"]):
        details.add(judge_qr_texts(texts, FilterConfig()).details)
    details |= {"marked as spam by @op", "reported by 3 members"}  # written by the commands
    # written only in a group whose operators corrected the model (tests/handlers/test_moderation)
    details.add("not asked: the operators judged messages like this")
    return details


def test_every_shape_the_checks_write_is_told_in_chinese():
    details = verdict_details()
    used = set()
    for detail in details:
        told = tell_details("zh", detail)
        assert re.search(r"[\u4e00-\u9fff]", told), f"untranslated: {detail!r}"
        used |= {key for pattern, key in _SHAPES
                 if pattern.fullmatch(detail.removesuffix(", but no rule agrees"))}
    # Every telling is reached by something a check really writes: none is left stale.
    assert {key for _pattern, key in _SHAPES} == used


def test_in_english_details_read_as_written_with_lengths_as_people_say_them():
    for detail in verdict_details():
        if "minutes" not in detail:
            assert tell_details("en", detail) == detail
    assert tell_details("en", "the same text in 3 groups within 60 minutes") == (
        "the same text in 3 groups within 1 hour"
    )
    told = tell_details("zh", "the same text 3 times in 10 minutes")
    assert told == "10 分钟内同样的内容发了 3 次"
    assert tell_details("en", "reported by 1 members") == "reported by 1 member"


def test_a_detail_of_an_unknown_shape_is_shown_as_stored():
    assert tell_details("zh", "something a later version says") == "something a later version says"


def test_a_decision_reads_strongest_evidence_first():
    decision = classify(MessageFeatures(text="加我微信 abc123 领取福利，名额有限", **NEW))
    lines = tell_decision("zh", decision).splitlines()
    assert lines[0].startswith("判定：广告（综合分 ")
    assert "联系方式：确凿 0.95 — 留了微信号：abc123" in lines
