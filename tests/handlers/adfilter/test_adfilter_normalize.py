"""Normalisation folds the spellings spammers use to dodge filters."""

import pytest

from handlers.adfilter import normalize


@pytest.mark.parametrize(
    "raw",
    ["加薇信", "➕V", "加 V", "+vx", "加威❤", "加 微 信", "加.V.x", "加徽信", "加v信"],
)
def test_add_me_on_wechat_evasions_fold_to_one_spelling(raw):
    assert normalize(raw).compact == "加微信"


def test_full_width_letters_and_digits_become_half_width():
    assert normalize("ＷＥＣＨＡＴ：ａｂｃ１２３").compact == "微信abc123"


def test_traditional_chinese_becomes_simplified():
    assert normalize("點擊進群領取優惠").text == "点击进群领取优惠"


def test_spaces_emoji_and_punctuation_between_characters_are_removed():
    assert normalize("私 😀 聊 . 我").compact == "私聊我"


def test_case_is_folded():
    assert normalize("DM Me").compact == "dmme"


def test_ordinary_english_words_are_left_alone():
    assert normalize("devx tools and wax").text == "devx tools and wax"


def test_qq_nicknames_fold():
    assert normalize("扣扣 123456").compact == "qq123456"
