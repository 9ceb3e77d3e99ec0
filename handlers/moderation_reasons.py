"""A stored decision told to operators in their language (/why, an appeal's card).

The ad filter writes each verdict's details in English, once, as it decides: that is what the
log and the database keep, and the filter's hot path never formats for a reader. Reading a
decision back, the details are matched against the shapes the checks write and told again in
the reader's language, with lengths as people read them ("1 小时", "1 hour" rather than "60
minutes"). A detail of a shape not listed here (written by an older version) is shown as stored.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.core.i18n import define, named, translate
from handlers.adfilter import Decision, Verdict
from schedules.describe import format_duration

# (pattern of the stored English, text key); the first pattern that matches the whole detail
# wins, so a longer shape comes before the shorter one it contains. Named groups are passed to
# the text; a group called `minutes` is shown as a length instead.
_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key) for pattern, key in (
        # classifier (a suffix of its own is read apart: see `_SUFFIXES`)
        (r"no text to classify", "reason.no_text_to_classify"),
        (r"spam probability (?P<p>[\d.]+) from only (?P<n>\d+) features: too thin",
         "reason.thin"),
        (r"spam probability (?P<p>[\d.]+) >= (?P<t>[\d.]+) \(new member\)", "reason.p_new_over"),
        (r"spam probability (?P<p>[\d.]+) < (?P<t>[\d.]+) \(new member\)", "reason.p_new_under"),
        (r"spam probability (?P<p>[\d.]+) >= (?P<t>[\d.]+)", "reason.p_over"),
        (r"spam probability (?P<p>[\d.]+) < (?P<t>[\d.]+)", "reason.p_under"),
        # contacts
        (r"no contact details", "reason.no_contacts"),
        (r"hands out a WeChat id: (?P<x>.+)", "reason.wechat"),
        (r"hands out a QQ number: (?P<x>.+)", "reason.qq"),
        (r"hands out a contact id: (?P<x>.+)", "reason.contact_id"),
        (r"phone number (?P<x>.+) with '(?P<cue>.+)'", "reason.phone_cue"),
        (r"phone number (?P<x>.+) from a new member", "reason.phone_new"),
        (r"new member asks to contact (?P<x>\S+)", "reason.mention_new"),
        (r"asks to contact (?P<x>\S+) \('(?P<cue>.+)'\)", "reason.mention"),
        (r"phone-like number (?P<x>.+)", "reason.phone_like"),
        (r"points to contact details in a profile: '(?P<x>.+)'", "reason.profile"),
        (r"invites private contact: '(?P<x>.+)'", "reason.private"),
        # forwards and the new-member window
        (r"not forwarded from a channel", "reason.not_forwarded"),
        (r"established member: normal rules", "reason.established"),
        (r"forwarded from allowed channel (?P<x>.+)", "reason.forward_allowed"),
        (r"new member forwarded a post from (?P<x>.+)", "reason.forward_new"),
        (r"forwarded a post from (?P<x>.+)", "reason.forward"),
        (r"new member \(message (?P<n>\d+) of the first (?P<of>\d+)\): strict rules",
         "reason.new_nth"),
        (r"new member \(recently joined\): strict rules", "reason.new_joined"),
        (r"new member \(message (?P<n>\d+) of the first (?P<of>\d+)\) posted a photo mentioning"
         r" an account", "reason.new_nth_photo"),
        (r"new member \(recently joined\) posted a photo mentioning an account",
         "reason.new_joined_photo"),
        # keywords
        (r"no text", "reason.no_text"),
        (r"no listed phrases", "reason.no_phrases"),
        (r"matched: (?P<x>.+), halved inside a warning \('(?P<w>.+)'\)", "reason.matched_warning"),
        (r"matched: (?P<x>.+) \(halved inside quotes: (?P<q>.+)\)", "reason.matched_quotes"),
        (r"matched: (?P<x>.+)", "reason.matched"),
        # links
        (r"no links outside the allow-list", "reason.no_links"),
        (r"invite link to another group: (?P<x>.+)", "reason.invite"),
        (r"new member posted a link: (?P<x>.+)", "reason.link_new"),
        (r"link to a Telegram chat or bot: (?P<x>.+)", "reason.link_telegram"),
        (r"shortened link hides its target: (?P<x>.+)", "reason.link_short"),
        (r"link outside the allow-list: (?P<x>.+)", "reason.link"),
        # look-alike letters
        (r"no mixed-alphabet words", "reason.no_mixed"),
        (r"(?P<n>\d+) words mix Latin and Cyrillic: (?P<x>.+)", "reason.mixed_many"),
        (r"word mixes Latin and Cyrillic: (?P<x>.+)", "reason.mixed"),
        # QR codes
        (r"no QR code", "reason.no_qr"),
        (r"QR code with a contact or group invite: (?P<x>.+)", "reason.qr_contact"),
        (r"QR code links outside the allow-list: (?P<x>.+)", "reason.qr_link"),
        (r"QR code without links: (?P<x>.+)", "reason.qr_plain"),
        # repeats
        (r"the same text (?P<n>\d+) times in (?P<minutes>\d+) minutes", "reason.repeat_limit"),
        (r"the same text in (?P<n>\d+) groups within (?P<minutes>\d+) minutes",
         "reason.groups_limit"),
        (r"the same text from (?P<n>\d+) members in (?P<g>\d+) groups", "reason.wave"),
        (r"the same text in (?P<n>\d+) groups", "reason.groups"),
        (r"the same text (?P<n>\d+) times", "reason.repeated"),
        (r"not repeated", "reason.not_repeated"),
        # the wording model's second opinion
        (r"wording (?P<m>[+-][\d.]+) \+ (?P<w>[\d.]+) x score (?P<s>[\d.]+) = (?P<t>-?[\d.]+)"
         r" >= (?P<th>[\d.]+)", "reason.wording_over"),
        (r"wording (?P<m>[+-][\d.]+) \+ (?P<w>[\d.]+) x score (?P<s>[\d.]+) = (?P<t>-?[\d.]+)"
         r" < (?P<th>[\d.]+)", "reason.wording_under"),
        (r"not asked: the operators judged messages like this", "reason.wording_operators"),
        # how the pipeline weighed the rest, and decisions people made
        (r"off", "reason.off"),
        (r"warns about scams \('(?P<w>.+)'\): weak rule evidence halved", "reason.warning"),
        (r"a short reply: only conclusive rules decide", "reason.short_reply"),
        (r"a greeting: only conclusive rules decide", "reason.greeting"),
        (r"asks a question: only conclusive rules decide", "reason.question"),
        (r"marked as spam by (?P<x>.+)", "reason.operator"),
        (r"reported by (?P<n>\d+) members", "reason.reports"),
    )
)
_SUFFIXES = ((", but no rule agrees", "reason.no_rule_agrees"),)

define(
    {
        "reason.header": {"zh": "判定：广告（综合分 {score}）", "en": "SPAM (score {score})"},
        "reason.line": {"zh": "{check}：{strength} {score} — {details}",
                        "en": "{check}: {strength} {score} - {details}"},
        "reason.conclusive": {"zh": "确凿", "en": "spam"},
        "reason.weak": {"zh": "弱证据", "en": "weak"},
        "reason.check.links": {"zh": "链接", "en": "links"},
        "reason.check.contacts": {"zh": "联系方式", "en": "contacts"},
        "reason.check.keywords": {"zh": "关键词", "en": "keywords"},
        "reason.check.lookalikes": {"zh": "混用字母", "en": "lookalikes"},
        "reason.check.forward": {"zh": "频道转发", "en": "forward"},
        "reason.check.new_member": {"zh": "新成员", "en": "new_member"},
        "reason.check.classifier": {"zh": "分类器", "en": "classifier"},
        "reason.check.repeats": {"zh": "重复内容", "en": "repeats"},
        "reason.check.wording": {"zh": "措辞", "en": "wording"},
        "reason.check.qr": {"zh": "二维码", "en": "qr"},
        "reason.check.warning": {"zh": "防骗提醒", "en": "warning"},
        "reason.check.question": {"zh": "提问", "en": "question"},
        "reason.check.operator": {"zh": "管理员", "en": "operator"},
        "reason.check.reports": {"zh": "成员举报", "en": "reports"},
        "reason.check.filter": {"zh": "过滤器", "en": "filter"},
        "reason.action.delete": {"zh": "删除", "en": "delete"},
        "reason.action.mute": {"zh": "删除并禁言", "en": "mute"},
        "reason.action.ban": {"zh": "删除并移出", "en": "ban"},
        "reason.action.ban_chat": {"zh": "删除并封禁频道", "en": "ban_chat"},
        "reason.source.filter": {"zh": "过滤器", "en": "filter"},
        "reason.source.operator": {"zh": "管理员", "en": "operator"},
        "reason.source.report": {"zh": "成员举报", "en": "report"},
        "reason.no_text": {"zh": "没有文字", "en": "no text"},
        "reason.no_text_to_classify": {"zh": "没有可判断的文字", "en": "no text to classify"},
        "reason.thin": {
            "zh": "广告概率 {p}，只有 {n} 个特征，不足以判断",
            "en": "spam probability {p} from only {n} features: too thin",
        },
        "reason.p_over": {"zh": "广告概率 {p} ≥ {t}", "en": "spam probability {p} >= {t}"},
        "reason.p_under": {"zh": "广告概率 {p} < {t}", "en": "spam probability {p} < {t}"},
        "reason.p_new_over": {
            "zh": "广告概率 {p} ≥ {t}（新成员）",
            "en": "spam probability {p} >= {t} (new member)",
        },
        "reason.p_new_under": {
            "zh": "广告概率 {p} < {t}（新成员）",
            "en": "spam probability {p} < {t} (new member)",
        },
        "reason.no_rule_agrees": {"zh": "，但没有规则佐证", "en": ", but no rule agrees"},
        "reason.no_contacts": {"zh": "没有联系方式", "en": "no contact details"},
        "reason.wechat": {"zh": "留了微信号：{x}", "en": "hands out a WeChat id: {x}"},
        "reason.qq": {"zh": "留了 QQ 号：{x}", "en": "hands out a QQ number: {x}"},
        "reason.contact_id": {"zh": "留了联系账号：{x}", "en": "hands out a contact id: {x}"},
        "reason.phone_cue": {
            "zh": "手机号 {x}，并说「{cue}」",
            "en": "phone number {x} with '{cue}'",
        },
        "reason.phone_new": {
            "zh": "新成员留了手机号 {x}",
            "en": "phone number {x} from a new member",
        },
        "reason.mention_new": {
            "zh": "新成员请大家联系 {x}",
            "en": "new member asks to contact {x}",
        },
        "reason.mention": {
            "zh": "请大家联系 {x}（「{cue}」）",
            "en": "asks to contact {x} ('{cue}')",
        },
        "reason.phone_like": {"zh": "像手机号的数字 {x}", "en": "phone-like number {x}"},
        "reason.profile": {
            "zh": "引导去看主页上的联系方式：「{x}」",
            "en": "points to contact details in a profile: '{x}'",
        },
        "reason.private": {"zh": "邀请私下联系：「{x}」", "en": "invites private contact: '{x}'"},
        "reason.not_forwarded": {"zh": "不是频道转发", "en": "not forwarded from a channel"},
        "reason.established": {
            "zh": "老成员：常规规则",
            "en": "established member: normal rules",
        },
        "reason.forward_allowed": {
            "zh": "转发自允许的频道 {x}",
            "en": "forwarded from allowed channel {x}",
        },
        "reason.forward_new": {
            "zh": "新成员转发了 {x} 的帖子",
            "en": "new member forwarded a post from {x}",
        },
        "reason.forward": {"zh": "转发了 {x} 的帖子", "en": "forwarded a post from {x}"},
        "reason.new_nth": {
            "zh": "新成员（前 {of} 条消息中的第 {n} 条）：从严判断",
            "en": "new member (message {n} of the first {of}): strict rules",
        },
        "reason.new_joined": {
            "zh": "新成员（刚入群）：从严判断",
            "en": "new member (recently joined): strict rules",
        },
        "reason.new_nth_photo": {
            "zh": "新成员（前 {of} 条消息中的第 {n} 条）发了提到账号的图片",
            "en": "new member (message {n} of the first {of}) posted a photo mentioning an "
            "account",
        },
        "reason.new_joined_photo": {
            "zh": "新成员（刚入群）发了提到账号的图片",
            "en": "new member (recently joined) posted a photo mentioning an account",
        },
        "reason.no_phrases": {"zh": "没有命中词库", "en": "no listed phrases"},
        "reason.matched": {"zh": "命中：{x}", "en": "matched: {x}"},
        "reason.matched_quotes": {
            "zh": "命中：{x}（引号内的减半：{q}）",
            "en": "matched: {x} (halved inside quotes: {q})",
        },
        "reason.matched_warning": {
            "zh": "命中：{x}，在防骗提醒（「{w}」）中减半",
            "en": "matched: {x}, halved inside a warning ('{w}')",
        },
        "reason.no_links": {
            "zh": "没有允许列表以外的链接",
            "en": "no links outside the allow-list",
        },
        "reason.invite": {
            "zh": "其他群的邀请链接：{x}",
            "en": "invite link to another group: {x}",
        },
        "reason.link_new": {"zh": "新成员发了链接：{x}", "en": "new member posted a link: {x}"},
        "reason.link_telegram": {
            "zh": "指向 Telegram 群、频道或机器人的链接：{x}",
            "en": "link to a Telegram chat or bot: {x}",
        },
        "reason.link_short": {
            "zh": "短链接隐藏了真实地址：{x}",
            "en": "shortened link hides its target: {x}",
        },
        "reason.link": {"zh": "允许列表以外的链接：{x}", "en": "link outside the allow-list: {x}"},
        "reason.no_mixed": {"zh": "没有混用字母的单词", "en": "no mixed-alphabet words"},
        "reason.mixed_many": {
            "zh": "{n} 个单词混用拉丁字母和西里尔字母：{x}",
            "en": "{n} words mix Latin and Cyrillic: {x}",
        },
        "reason.mixed": {
            "zh": "单词混用拉丁字母和西里尔字母：{x}",
            "en": "word mixes Latin and Cyrillic: {x}",
        },
        "reason.no_qr": {"zh": "没有二维码", "en": "no QR code"},
        "reason.qr_contact": {
            "zh": "二维码里有联系方式或群邀请：{x}",
            "en": "QR code with a contact or group invite: {x}",
        },
        "reason.qr_link": {
            "zh": "二维码链接在允许列表以外：{x}",
            "en": "QR code links outside the allow-list: {x}",
        },
        "reason.qr_plain": {"zh": "二维码里没有链接：{x}", "en": "QR code without links: {x}"},
        "reason.repeat_limit": {
            "zh": "{minutes}内同样的内容发了 {n} 次",
            "en": "the same text {n} times in {minutes}",
        },
        "reason.groups_limit": {
            "zh": "{minutes}内同样的内容出现在 {n} 个群",
            "en": "the same text in {n} groups within {minutes}",
        },
        "reason.wave": {
            "zh": "{n} 位成员在 {g} 个群发了同样的内容",
            "en": "the same text from {n} members in {g} groups",
        },
        "reason.groups": {"zh": "同样的内容出现在 {n} 个群", "en": "the same text in {n} groups"},
        "reason.repeated": {"zh": "同样的内容发了 {n} 次", "en": "the same text {n} times"},
        "reason.not_repeated": {"zh": "没有重复", "en": "not repeated"},
        "reason.off": {"zh": "已关闭", "en": "off"},
        "reason.wording_over": {
            "zh": "措辞评分 {m}，加 {w} × 综合分 {s} 得 {t}，达到 {th}",
            "en": "wording {m} + {w} x score {s} = {t} >= {th}",
        },
        "reason.wording_operators": {
            "zh": "未参与：管理员判定过类似的消息",
            "en": "not asked: the operators judged messages like this",
        },
        "reason.wording_under": {
            "zh": "措辞评分 {m}，加 {w} × 综合分 {s} 得 {t}，不到 {th}",
            "en": "wording {m} + {w} x score {s} = {t} < {th}",
        },
        "reason.warning": {
            "zh": "在提醒防骗（「{w}」）：较弱的规则证据减半",
            "en": "warns about scams ('{w}'): weak rule evidence halved",
        },
        "reason.short_reply": {
            "zh": "简短的回复：只由确凿的规则判定",
            "en": "a short reply: only conclusive rules decide",
        },
        "reason.greeting": {
            "zh": "只是打招呼：只由确凿的规则判定",
            "en": "a greeting: only conclusive rules decide",
        },
        "reason.question": {
            "zh": "是在提问：只由确凿的规则判定",
            "en": "asks a question: only conclusive rules decide",
        },
        "reason.operator": {"zh": "由 {x} 标记为广告", "en": "marked as spam by {x}"},
        "reason.reports": {
            "zh": "{n} 位成员举报",
            "en": "reported by {n} {n:member|members}",
        },
    }
)


def tell_details(lang: str, details: str) -> str:
    """One verdict's stored details in `lang`; as stored when its shape is not known."""
    suffix = ""
    for ending, key in _SUFFIXES:
        if details.endswith(ending):
            details, suffix = details[: -len(ending)], translate(lang, key)
    for pattern, key in _SHAPES:
        if m := pattern.fullmatch(details):
            params: dict[str, object] = {
                name: int(value) if value.isdigit() and name != "x" else value
                for name, value in m.groupdict().items()
            }
            if "minutes" in params:
                params["minutes"] = format_duration(timedelta(minutes=int(m["minutes"])), lang)
            return translate(lang, key, **params) + suffix
    return details + suffix


def tell_action(lang: str, action: str) -> str:
    """A decision's action (delete, mute, ban, ban_chat) as operators say it."""
    return named(lang, "reason.action", action)


def tell_source(lang: str, source: str) -> str:
    """Who decided: the filter, an operator, members' reports."""
    return named(lang, "reason.source", source)


def tell_decision(lang: str, decision: Decision) -> str:
    """The head line and one line per verdict that saw evidence, strongest first."""
    lines = [translate(lang, "reason.header", score=f"{decision.score:.2f}")]
    lines += [_line(lang, verdict) for verdict in decision.reasons]
    return "\n".join(lines)


def _line(lang: str, verdict: Verdict) -> str:
    return translate(
        lang,
        "reason.line",
        check=named(lang, "reason.check", verdict.name),
        strength=translate(lang, "reason.conclusive" if verdict.spam else "reason.weak"),
        score=f"{verdict.score:.2f}",
        details=tell_details(lang, verdict.details),
    )
