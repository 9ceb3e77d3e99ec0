"""Tables of the spellings spammers use to slip contact details past filters.

Each rule folds a family of homophones or look-alikes onto one canonical spelling, so the
keyword lists and contact checks only need to know "微信", "加微信", "qq" and "私聊".
"""

from __future__ import annotations

import re

# Symbols that stand in for a character. Hearts after 微/威/薇/v read "xin" (信).
HEARTS = "❤♥💗💕💖❣💓💞🧡💛💚💙💜🖤🤍"
# Matched from the character before the hearts (put back by `hearts_as_xin`), not looked
# behind from every position: a pattern that starts with a character class lets the regex
# engine skip to those few characters (0.56 -> 0.22 µs per Chinese message).
HEART_AS_XIN = re.compile(rf"([薇威徽嶶微v])[\s.·_-]*[{HEARTS}]+")


def _xin(m: re.Match[str]) -> str:
    return m.group(1) + "信"


def hearts_as_xin(text: str) -> str:
    """ "微❤" and "威 💗" read "微信", "威信": hearts after 微/威/薇/v spell "xin" (信)."""
    return HEART_AS_XIN.sub(_xin, text)
CHAR_MAP = str.maketrans({"➕": "加", "✚": "加", "╋": "加", "ⓥ": "v", "ν": "v", "。": "."})

# Separators spammers insert between CJK characters ("加 微 信", "加.微.信", "加😀微信").
# Python's re skips ahead in C to where a match can start only when the pattern opens with one
# character, one character class, or alternatives that each open with one character; a pattern
# that opens with a look-behind, a repeat ("[\W_]+") or alternatives opening with classes is
# tried at every position. The hot patterns of the filter are written so ("[\W_][\W_]*"): this
# one opens with the separator and looks behind from there (2.6 -> 1.5 µs per Chinese message).
CJK = "\u3400-\u4dbf\u4e00-\u9fff"
CJK_GAP = re.compile(rf"[\W_](?:(?<=[{CJK}][\W_])[\W_]*(?=[{CJK}a-z0-9])"
                     rf"|(?<=[{CJK}a-z0-9][\W_])[\W_]*(?=[{CJK}]))")

# Order matters: the longer, more specific spellings first. ASCII look-arounds keep "vx" from
# matching inside ordinary English words while still matching right after Chinese characters.
_FOLDS: tuple[tuple[str, str], ...] = (
    (r"(?:加|\+)(?:个|下|我)?(?:(?:v|wx|vx|微|威|薇)(?:信|心|芯)|(?:[vw][\W_]{0,2}x|v)(?![a-z0-9])|[微威薇])",
     "加微信"),
    (r"(?<![a-z0-9])(?:weixin|wechat|vchat|wei xin)(?![a-z])", "微信"),
    (r"(?<![a-z0-9])[vw][\W_]{0,2}x(?![a-z])", "微信"),
    (r"(?<![a-z0-9])v(?:信|心|芯)|[薇威徽嶶](?:信|心|芯|鑫)|微(?:心|芯|鑫)", "微信"),
    (r"扣扣|企鹅号|企鹅|(?<![a-z0-9])q[\W_]{1,2}q(?![a-z0-9])|(?<=加)q(?![a-z0-9])", "qq"),
    (r"密我|滴滴我|私我|私戳|私撩|私信我|私信", "私聊"),
    (r"纸飞机|小飞机|飞机号|电报号", "telegram"),
)
FOLD = re.compile("|".join(f"({p})" for p, _ in _FOLDS))
FOLD_TO = tuple(r for _, r in _FOLDS)
# Text without any CJK character can only hold the Latin spellings: a much cheaper scan.
# (?<![a-z0-9]) weixin|wechat|vchat|wei xin|[vw][\W_]{0,2}x (?![a-z]), opening with "v" or "w"
# (see CJK_GAP): 1.3 -> 0.4 µs per scan.
LATIN_FOLD = re.compile(r"v(?<![a-z0-9]v)(?:chat|[\W_]{0,2}x)(?![a-z])"
                        r"|w(?<![a-z0-9]w)(?:eixin|echat|ei xin|[\W_]{0,2}x)(?![a-z])")


# Every spelling above holds one of these where it starts (or one character later: "纸飞机"),
# so one cheap scan finds where folding could begin: the full alternation (lookbehinds in every
# branch) is 5x slower, and most messages hold no evasion. Single characters such as "私", "小"
# or "加" are not enough: they opened the slow scan for a quarter of the starter corpus's
# messages, where 1 in 15 held an evasion.
# Each alternative opens with one character (see CJK_GAP): 1.9 -> 0.4 µs per scan.
_MAY_FOLD = re.compile(
    r"加[个下我]?[vw微威薇q]|\+[个下我]?[vw微威薇q]|v[\W_]{0,2}x|w[\W_]{0,2}x|we(?:chat|ixin|i xin)"
    r"|vchat|v[信心芯]|薇[信心芯鑫]|威[信心芯鑫]|徽[信心芯鑫]|嶶[信心芯鑫]|微[心芯鑫]|扣扣|企鹅"
    r"|q[\W_]{1,2}q|密我|滴滴我|私[我戳撩信]|飞机|电报号"
)


def _fold(m: re.Match[str]) -> str:
    return FOLD_TO[m.lastindex - 1]  # type: ignore[operator]


def fold_evasions(text: str, has_cjk: bool = True) -> str:
    """Replace every known evasion spelling in `text` with its canonical form."""
    if not has_cjk and "+" not in text:  # "+v" is the one Latin spelling of "加微信"
        # Every Latin spelling holds an "x" or "chat": two substring scans spare the pattern,
        # whose look-behind is tried at every position of a long message.
        if ("x" in text or "chat" in text) and LATIN_FOLD.search(text):
            return LATIN_FOLD.sub("微信", text)
        return text
    first = _MAY_FOLD.search(text)
    if first is None:
        return text
    # Folding starts one character early so the branches' lookbehinds still see their context.
    cut = max(first.start() - 1, 0)
    return text[:cut] + FOLD.sub(_fold, text[cut:])
