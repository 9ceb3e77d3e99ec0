"""Contact harvesting: WeChat/QQ ids, phone numbers and "add me / DM me" invitations."""

from __future__ import annotations

import re

from handlers.adfilter.config import FilterConfig
from handlers.adfilter.features import MessageFeatures
from handlers.adfilter.links import URL_RE, may_hold_link
from handlers.adfilter.normalize import Normalized, normalize, speaks_of_joining
from handlers.adfilter.phrases import find_phrases
from handlers.adfilter.verdict import Verdict

NAME = "contacts"

# Read on the compact view, where separators are gone and evasions are folded to 微信/qq.
WECHAT_ID = re.compile(r"微信(?:号|id|是|号码|搜索|搜)?([a-z][a-z0-9]{5,19})")
QQ_ID = re.compile(r"qq(?:号|群|号码|是)?(\d{5,11})(?!\d)")
# Read on the plain view: separators inside a number are allowed, digits around it are not,
# so a 16-digit order number or a date is not taken for a phone number.
CN_MOBILE = re.compile(r"(?<![\d.])1[3-9]\d(?:[\s-]?\d){8}(?![\d.])")
INTL_PHONE = re.compile(r"(?<![\w+])\+\d{1,3}[\s-]?\(?\d{2,4}\)?(?:[\s-]?\d{2,4}){2,4}(?!\d)")
# Every phone number has 7 digits in a row once squeezed ("\d\d{6}": see evasions.CJK_GAP).
_DIGITS = re.compile(r"\d\d{6}")
# "v: lianai_x", "vx：abc123", "wechat: abc123": an id after a WeChat abbreviation and a colon,
# read on the plain view (the compact one glues the id to the abbreviation). Not inside links
# ("?v=dQw4w9"), hence the look-behind and the colon only.
WECHAT_LABEL = re.compile(
    r"(?<![a-z0-9/?&=._-])(?:v|vx|wx|wechat|weixin)\s*:\s*([a-z][a-z0-9_-]{5,19})(?![a-z0-9_])"
)
# "加他微信说明情况就行：wj_help_2024", "绿泡泡搜一下 mengmeng_0620", "卫星：zz-kk-2024", "加 line：
# shiba_jp88": a WeChat word, its slang (卫星, 绿泡泡, 薇), "新号" (a new account) or LINE, a few
# Chinese characters, a colon or a space, then an id. Read on the plain view, where the id keeps
# its "_" and "-" and the separator is still there: "微信头像是iphone15拍的" sets nothing apart.
# The id must hold a digit, "_" or "-", as made-up ids do, so a word is not taken for one.
CONTACT_NEAR_ID = re.compile(
    r"(?:微信|卫星|绿泡泡|新号|薇|加\s?line)[\u3400-\u9fff]{0,8}?(?:\s*:\s*|\s+)"
    r"([a-z][a-z0-9_-]{5,19})(?![a-z0-9_-])"
)
_ID_MARK = re.compile(r"[0-9_-]")
MENTION = re.compile(r"(?<![\w@])@[a-z][a-z0-9_]{4,31}")

# The cues ("加我", "dm me"), profile pointers ("看主页") and follow requests ("关注") a
# message can hold are listed in `phrases`, which finds them in the same pass as keywords.
STRONG_CUES = ("加微信", "加qq")
# Built once: most messages end here, and a verdict per message is a needless allocation.
NOTHING = Verdict(NAME, False, 0.0, "no contact details")


def _cues(compact: str, extra: tuple[str, ...]) -> dict[str, str]:
    """The first cue of each kind in `compact`; for "cue", a strong one if there is one."""
    found: dict[str, str] = {}
    for end, phrase in find_phrases(compact, extra):
        kind, cue = phrase.cue_kind, phrase.cue
        if cue is None or speaks_of_joining(compact, end, cue):
            continue
        if kind == "cue" and cue in STRONG_CUES:
            found["cue"] = cue
        found.setdefault(kind, cue)
    return found


def _without_links(norm: Normalized) -> Normalized:
    """`norm` with its links taken out: the link check judges links, and inside one
    "mp.weixin.qq.com/s/Lc2Tq7pW" reads as "微信" and an id, a path's digits as a phone."""
    if not may_hold_link(norm.plain):
        return norm
    stripped = URL_RE.sub(" ", norm.plain)
    return norm if stripped == norm.plain else normalize(stripped)


def check_contacts(message: MessageFeatures, norm: Normalized, config: FilterConfig) -> Verdict:
    """Spam when a message hands out a WeChat/QQ id, or a phone number with an "add me" cue.

    A bare cue ("私聊我") or a bare phone number is only weak evidence for established
    members: people do ask each other to talk privately, and order numbers look like phones.
    """
    new = config.is_new(message)
    verdict = _judge(norm, new, config.extra_keywords)
    if verdict.score:  # only then can a link have been taken for contact details
        linkless = _without_links(norm)
        if linkless is not norm:
            return _judge(linkless, new, config.extra_keywords)
    return verdict


def _judge(norm: Normalized, new: bool, extra: tuple[str, ...]) -> Verdict:
    compact = norm.compact
    # The `in` tests are plain substring scans, far cheaper than the patterns they guard.
    if "微信" in compact and (m := WECHAT_ID.search(compact)):
        return Verdict(NAME, True, 0.95, f"hands out a WeChat id: {m.group(1)}")
    if "qq" in compact and (m := QQ_ID.search(compact)):
        return Verdict(NAME, True, 0.95, f"hands out a QQ number: {m.group(1)}")
    plain = norm.plain
    if ":" in plain and (m := WECHAT_LABEL.search(plain)):
        return Verdict(NAME, True, 0.9, f"hands out a WeChat id: {m.group(1)}")
    if not plain.isascii():
        for m in CONTACT_NEAR_ID.finditer(plain):
            if _ID_MARK.search(m.group(1)):
                return Verdict(NAME, True, 0.9, f"hands out a contact id: {m.group(1)}")
    cues = _cues(compact, extra) if compact else {}
    cue = cues.get("cue")
    phone = None
    if _DIGITS.search(compact):
        phone = CN_MOBILE.search(plain) or ("+" in plain and INTL_PHONE.search(plain)) or None
    if phone and (cue or new):
        why = f"with '{cue}'" if cue else "from a new member"
        return Verdict(NAME, True, 0.9, f"phone number {phone.group(0).strip()} {why}")
    mention = MENTION.search(plain) if "@" in plain else None
    if mention and not cue:
        cue = cues.get("follow")
    if mention and cue:
        if new:
            return Verdict(NAME, True, 0.85, f"new member asks to contact {mention.group(0)}")
        return Verdict(NAME, False, 0.5, f"asks to contact {mention.group(0)} ('{cue}')")
    if phone:
        return Verdict(NAME, False, 0.3, f"phone-like number {phone.group(0).strip()}")
    if profile := cues.get("profile"):
        return Verdict(NAME, False, 0.5, f"points to contact details in a profile: '{profile}'")
    if cue:
        score = 0.6 if cue in STRONG_CUES else 0.3
        return Verdict(NAME, False, score, f"invites private contact: '{cue}'")
    return NOTHING
