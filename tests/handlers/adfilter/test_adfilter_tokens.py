"""Classifier features: what the model reads from a message, whatever spelling it arrives in."""

import unicodedata

from handlers.adfilter import normalize
from handlers.adfilter.tokens import tokenize


def features(text):
    return tokenize(normalize(text))


def test_chinese_is_read_as_character_pairs():
    toks = features("加微信领红包")
    assert {"红包", "领红", "加微"} <= toks
    assert "红" not in toks  # single characters diluted the telling pairs
    assert "加微信领红包" not in toks  # whole runs are too rare to learn from
    assert "好" in features("ok 好 thanks")  # a lone character is all there is to read


def test_evasive_spellings_give_the_same_features_as_the_plain_one():
    plain = features("加微信领红包")
    evasions = ("加薇信领红包", "➕V领红包", "加 微 信 领 红 包", "加.V.x领红包", "加威❤领红包")
    for evasive in evasions:
        assert features(evasive) == plain, evasive


def test_traditional_and_full_width_text_reads_like_simplified_half_width():
    assert features("點擊進群領取優惠") == features("点击进群领取优惠")
    assert features("ＷＥＣＨＡＴ　ｄｍ　ｍｅ") == features("wechat dm me")


def test_words_come_with_their_neighbours_and_stems():
    toks = features("Send me a message for investment details")
    assert {"send", "me", "send me", "a message", "investment", "inves~"} <= toks


def test_a_link_is_one_host_feature_not_its_words():
    toks = features("look https://www.youtube.com/watch?v=0PK9RzSl9O0 lol")
    assert {"__url__", "host:youtube.com", "look", "lol"} <= toks
    assert not {"https", "www", "watch", "com"} & toks
    assert "host:jd.com" in features("京东自营 https://item.jd.com/100038004353.html")
    assert "host:t.me" in features("join t.me/some_channel now")


def test_a_link_also_gives_the_words_of_a_made_up_name():
    toks = features("secure it here: boa-secure-login.top")
    assert {"host:boa-secure-login.top", "boa", "secure", "login"} <= toks
    assert "boa secure" not in toks  # the name's words, not text: no word pairs
    assert {"instant", "loan"} <= features("go instant-loan88.win")
    plain = features("look https://www.youtube.com/watch?v=0PK9RzSl9O0")
    assert "youtube" not in plain  # a plain name is the host, not words


def test_numbers_are_read_by_their_length():
    toks = features("订单号 202411230012345678，价格 99")
    assert {"#12", "#2"} <= toks  # lengths above 12 share one feature
    assert not any(t.isdigit() for t in toks)


def test_message_shapes_are_features():
    assert "__at__" in features("write to @crypto_anna_pro")
    assert "__emoji__" in features("🚀🚀🚀 to the moon")
    assert "__mixed_script__" in features("Здpaвcтвyйтe")
    assert not {"__at__", "__emoji__", "__mixed_script__", "__url__"} & features("hello there")


def test_full_width_fast_path_agrees_with_nfkc():
    # normalize maps full-width ASCII itself and skips NFKC when nothing else needs it.
    for code in [*range(0xFF01, 0xFF5F), 0x3000]:
        char = chr(code)
        text = f"中{char}文"
        assert normalize(text).plain == unicodedata.normalize("NFKC", text).casefold(), text
    assert normalize("ｱｲｳ ①② Ｘ").plain == "アイウ 12 x"


def test_sums_of_money_share_one_feature_whatever_the_topic():
    for text in ("日赚500元轻松到手", "earn $300 daily", "月入两万，底薪5千"):
        assert "__money__" in features(text), text
    assert "__money__" not in features("我家住在3楼，明天见")


def test_each_emoji_is_a_feature_but_hearts_read_as_part_of_a_spelling():
    assert {"💰", "👉"} <= features("好消息💰👉点这里")
    assert "❤" not in features("加威❤领红包")
