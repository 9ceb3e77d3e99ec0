"""Link checks: invite links to other groups, and links from outside the group's allow-list."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from handlers.adfilter.config import FilterConfig
from handlers.adfilter.features import MessageFeatures
from handlers.adfilter.normalize import Normalized
from handlers.adfilter.verdict import Verdict

NAME = "links"
NOTHING = Verdict(NAME, False, 0.0, "no links outside the allow-list")  # most messages

_TLDS = (
    "com|net|org|io|me|ly|cn|ru|su|ua|kz|by|uk|de|us|xyz|top|ltd|vip|cc|co|info|biz|site|online|"
    "app|link|club|shop|store|live|pro|gg|tk|ml|ga|cf|gq|fun|icu|win|bet|cash|money|finance|"
    "exchange|trade|work|life|world|space|website|tech|ai|hk|tw|sg|in|to|so|im|tv|ws|page|bio"
)
# Scheme links, "www." links and bare domains ("accetgrowth.ltd/x"); spammers often drop the
# scheme and put spaces around the dot, so "t . me", "eloheaven .net" and "t。me" (via CHAR_MAP)
# count too. A space after the dot alone is how sentences end: "every night. me too" and
# "free. link below" are not links. A label never gives back letters ("++"): the dot after it
# cannot be one, and backing off letter by letter at every word cost 20% of the scan.
URL_RE = re.compile(
    rf"(?:https?://|tg://|www\.)[^\s<>\"']+"
    rf"|(?<![\w@.-])(?:[a-z0-9-]++(?:\s\.\s|\s?\.))+(?:{_TLDS})(?![a-z0-9-])(?:/[^\s<>\"']*)?"
)
# What every match of URL_RE holds. Most messages with a dot hold no link, and this scan starts
# only at a few characters where URL_RE tries both branches at every letter (2.0 -> 0.9 µs
# per starter message).
_MAY_BE_URL = re.compile(rf"://|www\.|\.\s?(?:{_TLDS})(?![a-z0-9-])")


def may_hold_link(text: str) -> bool:
    """False when `text` certainly holds no link that URL_RE would find."""
    return "." in text and _MAY_BE_URL.search(text) is not None

# Links that join another group or channel: the classic cross-group promotion.
INVITE_RE = re.compile(
    r"(?:t|telegram)\.(?:me|dog)/(?:joinchat/|\+)|tg://join|chat\.whatsapp\.com/|discord\.gg/"
    r"|discord(?:app)?\.com/invite/|(?:qm|jq|qun)\.qq\.com/|weixin\.qq\.com/g/|u\.wechat\.com/"
    r"|line\.me/(?:ti/g|r/)|vk\.me/join|signal\.group/|join\.skype\.com/"
)
TELEGRAM_RE = re.compile(r"(?:t|telegram)\.(?:me|dog)/[a-z0-9_]{4,}")
SHORTENERS = frozenset(
    [
        "bit.ly", "tinyurl.com", "t.cn", "goo.gl", "cutt.ly", "is.gd", "ow.ly", "rb.gy",
        "shorturl.at", "t.ly", "tiny.cc", "dwz.cn", "url.cn", "suo.im", "clck.ru", "s.id", "v.gd",
    ]
)
# Found anywhere in a link, one of the names may be its host; parsing the link to be sure costs
# 3 µs, and most links name none of them.
_MAY_BE_SHORT = re.compile("|".join(map(re.escape, sorted(SHORTENERS))))


def extract_links(message: MessageFeatures, norm: Normalized) -> list[str]:
    """All distinct links of a message: entity links first, then those written in the text."""
    found = [u.casefold() for u in message.urls] if message.urls else []
    if may_hold_link(norm.plain):
        found += ["".join(m.split()) for m in URL_RE.findall(norm.plain)]  # "t . me" -> "t.me"
    if not found:  # most messages: spare building the de-duplicated list
        return found
    return list(dict.fromkeys(link.rstrip(".,;:!?)）】") for link in found))


def _host_and_path(link: str) -> tuple[str, str]:
    parts = urlsplit(link if "://" in link else "http://" + link)
    host = (parts.hostname or "").removeprefix("www.")
    return host, host + parts.path.rstrip("/")


def allow_entry(text: str) -> str:
    """An allow-list entry as it is matched: "https://www.X.com/" and "x.com" are both "x.com"."""
    entry = text.casefold().removeprefix("https://").removeprefix("http://")
    return entry.removeprefix("www.").rstrip("/")


def is_allowed(link: str, allowed: tuple[str, ...]) -> bool:
    """True if `link` matches an allow-list entry: a domain (with subdomains) or a link prefix."""
    host, host_path = _host_and_path(link)
    for entry in map(allow_entry, allowed):
        if "/" in entry:
            if host_path == entry or host_path.startswith(entry + "/"):
                return True
        elif host == entry or host.endswith("." + entry):
            return True
    return False


def check_links(message: MessageFeatures, norm: Normalized, config: FilterConfig) -> Verdict:
    """Invite links to other groups are spam; other foreign links are spam from new members.

    A link shared by an established member is only weak evidence: members legitimately post
    product pages and articles, so it counts for little unless other checks agree.
    """
    links = extract_links(message, norm)
    if config.allowed_links:
        links = [x for x in links if not is_allowed(x, config.allowed_links)]
    if not links:
        return NOTHING
    invites = [x for x in links if INVITE_RE.search(x)]
    if invites:
        return Verdict(NAME, True, 0.95, f"invite link to another group: {invites[0]}")
    shown = ", ".join(links[:3])
    if config.is_new(message):
        return Verdict(NAME, True, 0.9, f"new member posted a link: {shown}")
    if telegram := next(filter(TELEGRAM_RE.search, links), None):
        return Verdict(NAME, False, 0.5, f"link to a Telegram chat or bot: {telegram}")
    if short := next((x for x in links if _MAY_BE_SHORT.search(x)
                      and _host_and_path(x)[0] in SHORTENERS), None):
        return Verdict(NAME, False, 0.5, f"shortened link hides its target: {short}")
    score = 0.3 if len(links) == 1 else 0.4
    return Verdict(NAME, False, score, f"link outside the allow-list: {shown}")
