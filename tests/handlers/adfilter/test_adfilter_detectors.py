"""Each check on its own: what it flags, what it lets through, and why."""

from handlers.adfilter import FilterConfig, MessageFeatures, normalize
from handlers.adfilter.contacts import check_contacts
from handlers.adfilter.forwards import check_forward, check_new_member
from handlers.adfilter.keywords import check_keywords
from handlers.adfilter.links import check_links
from handlers.adfilter.lookalikes import check_lookalikes

DEFAULT = FilterConfig()
REGULAR = 50  # messages a long-standing member has already posted


def run(check, text, config=DEFAULT, **features):
    features.setdefault("member_message_count", REGULAR)
    return check(MessageFeatures(text=text, **features), normalize(text), config)


def test_telegram_invite_links_are_spam():
    for text in ["join https://t.me/+jS6cJeri0ug5MDkx", "t.me/joinchat/AAAAAEx9kT3"]:
        v = run(check_links, text)
        assert v.spam and "invite" in v.details


def test_other_platform_group_invites_are_spam():
    assert run(check_links, "来 chat.whatsapp.com/Kf8Ld2xY").spam
    assert run(check_links, "discord.gg/freeskin").spam


def test_a_member_sharing_a_product_link_is_only_weak_evidence():
    v = run(check_links, "京东自营的 https://item.jd.com/100038004353.html 挺好用")
    assert not v.spam and 0 < v.score < 0.5


def test_links_spelled_with_spaces_count_but_sentence_ends_do_not():
    for text, link in [("进群看 t . me/fuli_888", "t.me/fuli_888"),
                       ("eloheaven .net 注册送", "eloheaven.net"),
                       ("免费 bit . ly/3xYz 领取", "bit.ly/3xyz")]:
        v = run(check_links, text)
        assert link in v.details, (text, v.details)
    # ". " ends a sentence: the next word is not a top-level domain ("night.me", "free.link").
    for text in ["You seem tired lately. Me too, every night. me and my wife both",
                 "The template is free. link below in the pinned message", "ok. so what now"]:
        v = run(check_links, text)
        assert v.score == 0, (text, v.details)


def test_shortened_links_and_telegram_links_are_named_as_such():
    assert "shortened link" in run(check_links, "see https://bit.ly/3xYz now").details
    assert "shortened link" in run(check_links, "t.cn/A6xyz 领取").details
    # A shortener's name inside another host or a path is not a shortened link.
    for text in ["news at edition.cnn.com/2024 and t.cnn.com", "https://example.org/bit.ly/x"]:
        v = run(check_links, text)
        assert "shortened" not in v.details and v.score > 0, (text, v.details)
    v = run(check_links, "https://bit.ly/3xYz or t.me/some_bot")
    assert "Telegram chat or bot: t.me/some_bot" in v.details


def test_allow_listed_domains_and_prefixes_are_exempt():
    config = FilterConfig(allowed_links=("jd.com", "t.me/our_channel"))
    assert run(check_links, "https://item.jd.com/1.html", config).score == 0
    assert run(check_links, "关注 t.me/our_channel", config).score == 0
    assert run(check_links, "t.me/other_channel", config).score > 0


def test_links_hidden_in_entities_are_checked():
    v = run(check_links, "click here", urls=("https://t.me/+hidden123",))
    assert v.spam


def test_new_members_may_not_post_foreign_links():
    text = "check https://example.org/page"
    assert not run(check_links, text).spam
    assert run(check_links, text, member_message_count=0).spam
    assert run(check_links, text, member_message_count=None, is_new_member=True).spam


def test_wechat_and_qq_ids_are_spam_even_when_disguised():
    assert run(check_contacts, "加薇信 lily_8866 领取福利").spam
    assert run(check_contacts, "威 ❤ 号: ming8899").spam
    assert run(check_contacts, "扣扣 2876654321 联系我").spam


def test_an_id_set_apart_a_few_characters_after_a_wechat_word_or_its_slang_is_spam():
    for text, handed in [("加他微信说明情况就行：wj_help_2024", "wj_help_2024"),
                         ("绿泡泡搜一下 mengmeng_0620 就是我", "mengmeng_0620"),
                         ("卫星：zz-kk-2024，加了说是哪个群的", "zz-kk-2024"),
                         ("大家加一下这个新号：tuanzhang_new2024", "tuanzhang_new2024"),
                         ("看照片加 line：shiba_jp88", "shiba_jp88")]:
        v = run(check_contacts, text)
        assert v.spam and handed in v.details, (text, v.details)
    # What follows a WeChat word without a colon or space, or holds no digit, "_" or "-", is chat.
    for text in ["我的微信头像是iphone15拍的", "微信支付的时候提示error_404怎么办",
                 "微信群里有人说 welcome 新人"]:
        v = run(check_contacts, text)
        assert not v.spam, (text, v.details)


def test_links_are_not_read_as_contact_details():
    # A WeChat article: "mp.weixin.qq.com/s/..." folds to 微信 followed by an id-like path.
    for text in ["小区快递柜新规定 https://mp.weixin.qq.com/s/Rq9xK2mZpTvLw7NbYa3Hcg 大家及时取",
                 "官方论坛 https://developers.weixin.qq.com/community/develop/doc/000c8a4e3d81",
                 "track it here https://example.com/orders/13912345678?qq=2876654321"]:
        v = run(check_contacts, text)
        assert not v.spam and v.score == 0, (text, v.details)
    beside = run(check_contacts, "文章 https://mp.weixin.qq.com/s/Rq9xK2 作者微信 lily_8866")
    assert beside.spam and "lily8866" in beside.details


def test_phone_number_with_add_me_cue_is_spam():
    v = run(check_contacts, "有意者请联系我 139 8888 6666")
    assert v.spam and "phone" in v.details


def test_order_numbers_are_not_phone_numbers():
    v = run(check_contacts, "我的订单号 202411230012345678，麻烦查一下")
    assert not v.spam and v.score == 0


def test_asking_to_talk_privately_is_weak_evidence_only():
    v = run(check_contacts, "有问题可以私聊管理员")
    assert not v.spam and v.score < 0.5


def test_contact_mention_is_spam_only_from_new_members():
    text = "contact me @crypto_anna_pro"
    assert not run(check_contacts, text).spam
    assert run(check_contacts, text, member_message_count=1).spam


def test_keywords_match_after_normalisation_and_add_up():
    assert run(check_keywords, "澳門百家樂，首充送彩金").spam
    assert not run(check_keywords, "今天的团购几点开始").spam


def test_operator_keywords_alone_mark_spam():
    config = FilterConfig(extra_keywords=("某某理财",))
    assert run(check_keywords, "推荐 某 某 理 财", config).spam
    assert not run(check_keywords, "推荐 某 某 理 财").spam


def test_channel_forwards_are_spam_only_from_new_members():
    kw = {"is_forwarded_from_channel": True, "forward_source": "@promo"}
    assert not run(check_forward, "news", **kw).spam
    assert run(check_forward, "news", **kw).score > 0
    assert run(check_forward, "news", member_message_count=0, **kw).spam
    allowed = FilterConfig(allowed_forward_sources=("promo",))
    assert run(check_forward, "news", allowed, member_message_count=0, **kw).score == 0


def test_new_member_window_is_configurable():
    config = FilterConfig(new_member_messages=10)
    assert run(check_links, "https://example.org", config, member_message_count=5).spam
    assert not run(check_links, "https://example.org", member_message_count=5).spam
    assert "strict" in run(check_new_member, "hi", config, member_message_count=5).details


def test_words_mixing_latin_and_cyrillic_letters_are_spam():
    assert run(check_lookalikes, "Здpaвcтвyйтe, пpoфиль").spam
    assert not run(check_lookalikes, "на iPadе не воспроизводится").spam


def test_listed_phrases_only_inside_quotation_marks_count_half():
    said = run(check_keywords, "刷单返利是真的能赚钱，我表妹在做")
    reported = run(check_keywords, "有人知道“刷单返利”是不是真的能赚钱吗？我表妹在做")
    assert said.spam
    assert not reported.spam and 0 < reported.score < said.score
    assert "halved inside quotes" in reported.details and "刷单返利" in reported.details
    # said outside the quotes too: full weight
    assert run(check_keywords, '"刷单返利" 刷单返利，真的能赚钱').spam
    config = FilterConfig(extra_keywords=("某某理财",))
    assert run(check_keywords, "推荐“某某理财”", config).spam


def test_a_newcomer_saying_they_just_joined_is_no_invitation():
    for text in ("大家好，刚进群", "新加群的，请多关照", "我才入群，还不熟"):
        assert run(check_contacts, text, member_message_count=0).score == 0, text
        assert run(check_keywords, text, member_message_count=0).score == 0, text
    assert run(check_contacts, "进群领红包").score > 0
    assert run(check_keywords, "新人进群领红包").score > 0
