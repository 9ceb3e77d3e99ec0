"""`/filter`: operators read and change the group's ad filter settings."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from typing import get_args

import structlog
from sqlalchemy import select

from bot.core.actions import SendMessage
from bot.core.context import Context
from bot.core.events import Event
from bot.core.i18n import define, named
from bot.core.router import Router
from bot.db.models import Member
from bot.groups.repository import find_member, member_user
from handlers.adfilter.links import allow_entry
from handlers.adfilter.normalize import normalize
from handlers.moderation import (
    AdFilterSettings,
    BadSetting,
    Step,
    adfilter_settings,
    parse_window,
    save_adfilter_settings,
)
from handlers.moderation_actions import display
from handlers.moderation_rights import is_exempt
from handlers.setting_numbers import NumberRefused, check_range, read_whole, whole_number
from schedules.describe import format_duration
from schedules.timewords import parse_duration

log = structlog.get_logger(__name__)

router = Router("filter")

define(
    {
        "filter.show": {
            "zh": "广告过滤：{enabled}{shadow}\n允许的链接：{links}\n关键词：{keywords}\n"
            "豁免成员：{exempt}\n新成员从严：前 {newcomer} 条消息\n"
            "广告时段：{window}\n处罚阶梯：{ladder}\n"
            "举报阈值：{reports} 人\n刷屏：{repeats}\n跨群复制：{crossgroup}",
            "en": "Ad filter: {enabled}{shadow}\nAllowed links: {links}\nKeywords: {keywords}\n"
            "Exempt members: {exempt}\n"
            "Newcomers judged strictly: first {newcomer} {newcomer:message|messages}\n"
            "Ad window: {window}\nLadder: {ladder}\n"
            "Reports to act: {reports}\nFlood: {repeats}\nCopy-paste across groups: {crossgroup}",
        },
        "filter.ladder_mute": {"zh": "{ladder}（禁言 {mute}）", "en": "{ladder} (mute {mute})"},
        "filter.shadow": {"zh": "（影子模式：只记录不处理）", "en": " (shadow mode: log only)"},
        "filter.none": {"zh": "无", "en": "none"},
        "filter.usage": {
            "zh": "用法：/filter [on|off] [shadow on|off] [allow [remove] <域名>] "
            "[keyword add|remove <词>] [exempt add|remove <@用户名|ID>（或回复其消息）] "
            "[window <mon..sun|daily> <HH:MM>-<HH:MM>|off] "
            "[repeats <次数> <分钟>|off] [crossgroup <群数> <分钟>|off] [newcomer <条数>] "
            "[mute <时长>] [reports <人数>] [ladder delete,mute,ban]",
            "en": "Usage: /filter [on|off] [shadow on|off] [allow [remove] <domain>] "
            "[keyword add|remove <word>] [exempt add|remove <@username|id> (or reply to them)] "
            "[window <mon..sun|daily> <HH:MM>-<HH:MM>|off] "
            "[repeats <times> <minutes>|off] [crossgroup <groups> <minutes>|off] "
            "[newcomer <messages>] [mute <length>] [reports <members>] [ladder delete,mute,ban]",
        },
        "filter.repeats": {
            "zh": "同一内容 {count} 次 / {within}",
            "en": "the same text {count} {count:time|times} in {within}",
        },
        "filter.crossgroup": {
            "zh": "同一内容 {count} 个群 / {within}",
            "en": "the same text in {count} {count:group|groups} within {within}",
        },
        "filter.invalid": {"zh": "无法设置：{reason}", "en": "Cannot set that: {reason}"},
        "filter.limit_one": {
            "zh": "至少 2 次（或 off）：{value}",
            "en": "at least 2 (or off): {value}",
        },
        "filter.bad_duration": {
            "zh": "不是时长：{value}（例如 10m、2h）",
            "en": "not a duration: {value} (e.g. 10m, 2h)",
        },
        "filter.bad_ladder": {
            "zh": "处罚阶梯由 delete（删除）、mute（禁言）、ban（封禁）组成，用逗号分隔，"
            "例如 delete,mute,ban：{value}",
            "en": "a ladder is delete, mute and ban separated by commas, e.g. delete,mute,ban: "
            "{value}",
        },
        "filter.unknown_member": {
            "zh": "找不到这位成员：{value}（用 @用户名、用户 ID，或回复其消息）",
            "en": "No such member: {value} (use @username, a user id, or reply to them)",
        },
        "filter.exempt_operator": {
            "zh": "管理员本来就不受广告过滤：{value}",
            "en": "Operators are never filtered anyway: {value}",
        },
        "filter.exempt_self": {
            "zh": "机器人自己的消息本来就不受广告过滤：{value}",
            "en": "The bot's own messages are never filtered anyway: {value}",
        },
        "filter.bad_day": {
            "zh": "不认识的日子：{value}（一天，如 fri、friday，或 daily）",
            "en": "unknown day: {value} (one day, e.g. fri or friday, or daily)",
        },
        "filter.empty_span": {
            "zh": "时间段的开始和结束是同一时刻：{value}（全天请写 00:00-24:00）",
            "en": "the window starts and ends at the same time: {value} (a whole day is "
            "00:00-24:00)",
        },
        "filter.bad_span": {
            "zh": "时间段格式是 HH:MM-HH:MM，例如 20:00-21:00：{value}",
            "en": "a time span is HH:MM-HH:MM, e.g. 20:00-21:00: {value}",
        },
    }
)


def _ladder_shown(ctx: Context, conf: AdFilterSettings) -> str:
    """The ladder's steps, with the mute's length where it has a mute step: without one the
    length is used by nothing (reports mute only where the ladder does)."""
    steps = " → ".join(named(ctx.lang, "value.step", step) for step in conf.ladder)
    if "mute" not in conf.ladder:
        return steps
    length = format_duration(conf.mute_length, ctx.lang)
    return ctx.t("filter.ladder_mute", ladder=steps, mute=length)


async def _exempt_shown(ctx: Context, conf: AdFilterSettings) -> str:
    """The allow-listed members by name, with the id that names them for sure (two members
    may share a name); an id the bot has no member row for (a channel, someone not seen
    yet) as itself."""
    assert ctx.group is not None
    rows = await ctx.session.scalars(
        select(Member).where(Member.group_id == ctx.group.id,
                             Member.user_id.in_(conf.allowed_users))
    )
    named_as = {row.user_id: display(member_user(row)) for row in rows}
    shown = (
        f"{named_as[user]} ({user})" if named_as.get(user, user) != user else user
        for user in conf.allowed_users
    )
    return ", ".join(shown) or ctx.t("filter.none")


async def describe_filter(ctx: Context, conf: AdFilterSettings) -> str:
    """The group's ad filter settings as `/filter` shows them."""
    none = ctx.t("filter.none")
    return ctx.t(
        "filter.show",
        enabled=named(ctx.lang, "value.switch", "on" if conf.enabled else "off"),
        shadow=ctx.t("filter.shadow") if conf.shadow else "",
        links=", ".join(conf.allowed_links) or none,
        keywords=", ".join(conf.keywords) or none,
        exempt=await _exempt_shown(ctx, conf),
        newcomer=conf.new_member_messages,
        window=conf.window.describe(ctx.lang) if conf.window else none,
        ladder=_ladder_shown(ctx, conf),
        reports=conf.report_threshold,
        repeats=ctx.t(
            "filter.repeats",
            count=conf.repeat_limit,
            within=_minutes_shown(ctx, conf.repeat_minutes),
        )
        if conf.repeat_limit
        else named(ctx.lang, "value.switch", "off"),
        crossgroup=ctx.t(
            "filter.crossgroup",
            count=conf.crossgroup_limit,
            within=_minutes_shown(ctx, conf.crossgroup_minutes),
        )
        if conf.crossgroup_limit
        else named(ctx.lang, "value.switch", "off"),
    )


def _minutes_shown(ctx: Context, minutes: int) -> str:
    return format_duration(timedelta(minutes=minutes), ctx.lang)


def _change(conf: AdFilterSettings, parts: list[str]) -> AdFilterSettings | None:
    """The settings after one `/filter ...` change; None when the words are not a change."""
    match parts:
        case ["on" | "off" as state]:
            return conf.model_copy(update={"enabled": state == "on"})
        case ["shadow", "on" | "off" as state]:
            return conf.model_copy(update={"shadow": state == "on"})
        case ["allow", "remove"]:  # no domain: not a domain called "remove"
            return None
        case ["allow", "remove", domain] if allow_entry(domain):
            gone = allow_entry(domain)
            links = tuple(link for link in conf.allowed_links if allow_entry(link) != gone)
            return conf.model_copy(update={"allowed_links": links})
        case ["allow", domain] if allow_entry(domain):
            # Stored as matched, so any spelling of it finds it again to remove, and a second
            # spelling ("https://x.com/" after "x.com") adds nothing.
            added = allow_entry(domain)
            links = tuple(dict.fromkeys(allow_entry(link) for link in conf.allowed_links))
            return conf.model_copy(update={"allowed_links": tuple(dict.fromkeys((*links, added)))})
        case ["newcomer", count]:
            return _validated(conf, {"new_member_messages": read_whole(count)})
        case ["mute", length]:
            return _validated(conf, {"mute_minutes": _minutes(length)})
        case ["reports", count]:
            return _validated(conf, {"report_threshold": read_whole(count)})
        case ["ladder", steps]:
            return conf.model_copy(update={"ladder": _ladder(steps)})
        case ["keyword", "add", *words] if words:
            word = " ".join(words)
            if any(_same_keyword(k, word) for k in conf.keywords):
                return conf  # the filter already matches it, however it was spelled
            return conf.model_copy(update={"keywords": (*conf.keywords, word)})
        case ["keyword", "remove", *words] if words:
            word = " ".join(words)
            return conf.model_copy(
                update={"keywords": tuple(k for k in conf.keywords if not _same_keyword(k, word))}
            )
        case ["window", "off"]:
            return conf.model_copy(update={"window": None})
        case ["window", day, span]:
            return conf.model_copy(update={"window": parse_window(day, span)})
        case ["repeats" | "crossgroup" as rule, "off"]:
            return _validated(conf, {f"{_RULE_PREFIX[rule]}_limit": 0})
        case ["repeats" | "crossgroup" as rule, count, minutes]:
            prefix = _RULE_PREFIX[rule]
            values = {f"{prefix}_limit": _limit(count), f"{prefix}_minutes": _minutes(minutes)}
            return _validated(conf, values)
    return None


_RULE_PREFIX = {"repeats": "repeat", "crossgroup": "crossgroup"}


def _same_keyword(listed: str, typed: str) -> bool:
    """True when the filter matches `listed` and `typed` alike ("VIP群" and "vip 群")."""
    key = normalize(typed).compact
    return normalize(listed).compact == key if key else listed.casefold() == typed.casefold()


def _words(args: str) -> list[str]:
    """`/filter`'s words, the operator's own (a keyword, a member) as typed and the rest read
    as the commands they are whatever the case or width ("ON", "Ｓｈａｄｏｗ")."""
    parts = args.split()
    free = 2 if parts and _read(parts[0]) in ("keyword", "exempt") else len(parts)
    return [_read(word) for word in parts[:free]] + parts[free:]


def _read(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold()


def _limit(text: str) -> int:
    count = read_whole(text)
    if count == 1:
        # Every message is posted once: a limit of one would remove all chat as "repeats".
        raise BadSetting("filter.limit_one", text)
    return count


def _minutes(text: str) -> int:
    """"10" (minutes), "10m", "2h" or "1小时" as minutes."""
    if (number := whole_number(text)) is not None:
        return number
    length = parse_duration(text)
    if length is None:
        raise BadSetting("filter.bad_duration", text)
    return int(length.total_seconds() // 60)


def _ladder(text: str) -> tuple[str, ...]:
    steps = tuple(step.strip().lower() for step in re.split(r"[,，、]", text) if step.strip())
    if not steps or len(steps) > 10 or any(step not in get_args(Step) for step in steps):
        raise BadSetting("filter.bad_ladder", text)
    return steps


def _validated(conf: AdFilterSettings, values: dict[str, int]) -> AdFilterSettings:
    """`conf` with `values`, each checked against its range (model_copy skips the checks)."""
    for key, value in values.items():
        check_range(value, AdFilterSettings, key, minutes=key.endswith("_minutes"))
    return AdFilterSettings.model_validate({**conf.model_dump(), **values})


async def _exempt(
    event: Event, ctx: Context, conf: AdFilterSettings, words: list[str]
) -> AdFilterSettings | None:
    """`exempt add|remove` a member (or the channel they post as) named, or replied to."""
    if not words or words[0] not in ("add", "remove"):
        return None
    if len(words) > 2 or (len(words) == 1 and event.reply_to_message_id is None):
        return None
    if len(words) == 2:
        who = words[1]
        if who.lstrip("-").isdecimal() and len(who) <= 20:
            target = who
        elif event.is_me(who) and event.me is not None:  # it may have no member row to find
            target = event.me.id
        else:
            member = await find_member(ctx.session, ctx.group.id, who)
            if member is None:
                raise BadSetting("filter.unknown_member", who[:40])
            target = member.user_id
    else:
        sender = event.replied_sender
        if sender is None:
            return None
        target = sender.id
    if words[0] == "remove":
        kept = tuple(user for user in conf.allowed_users if user != target)
        return conf.model_copy(update={"allowed_users": kept})
    if event.is_me(target):
        raise BadSetting("filter.exempt_self", target)
    if await is_exempt(ctx, target) and target not in conf.allowed_users:
        raise BadSetting("filter.exempt_operator", target)
    users = tuple(dict.fromkeys((*conf.allowed_users, target)))
    return conf.model_copy(update={"allowed_users": users})


@router.command(
    "filter",
    description={"zh": "查看或设置广告过滤", "en": "Show or change the ad filter"},
    operator_only=True,
    group_only=True,
)
async def filter_command(event: Event, ctx: Context) -> list[SendMessage]:
    assert ctx.group is not None  # group_only route

    def reply(text: str) -> list[SendMessage]:
        return [SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)]

    conf = adfilter_settings(ctx.group)
    parts = _words(event.args)
    if not parts:
        return reply(await describe_filter(ctx, conf))
    try:
        if parts[0] == "exempt":
            changed = await _exempt(event, ctx, conf, parts[1:])
        else:
            changed = _change(conf, parts)
    except BadSetting as bad:
        return reply(ctx.t("filter.invalid", reason=ctx.t(bad.key, value=bad.value)))
    except NumberRefused as refused:
        return reply(ctx.t("filter.invalid", reason=refused.reason(ctx.lang)))
    if changed is None:
        return reply(ctx.t("filter.usage"))
    # The operator's own words (a keyword, a member) stay out of the log.
    _save(ctx, changed, " ".join(parts[:2]), event.user.id if event.user else None)
    return reply(await describe_filter(ctx, changed))


# The filter's three modes as the dashboard offers them, each made by the `/filter` changes
# an operator would type. Off leaves shadow as it is, as `/filter off` does: `/filter on`
# later brings back the mode the group had.
MODES: dict[str, tuple[list[str], ...]] = {
    "on": (["on"], ["shadow", "off"]),
    "shadow": (["on"], ["shadow", "on"]),
    "off": (["off"],),
}


def mode_of(conf: AdFilterSettings) -> str:
    """The filter's mode: one of `MODES`."""
    return "off" if not conf.enabled else "shadow" if conf.shadow else "on"


async def set_mode(ctx: Context, mode: str, actor: str | None) -> tuple[bool, str]:
    """Switch the filter to `mode` through `/filter`'s own changes: whether it was, and what
    `/filter` answers (the settings after it, or its usage for a mode it has no words for)."""
    assert ctx.group is not None
    if mode not in MODES:
        return False, ctx.t("filter.usage")
    conf = adfilter_settings(ctx.group)
    for words in MODES[mode]:
        conf = _change(conf, words)
    _save(ctx, conf, f"mode {mode}", actor)
    return True, await describe_filter(ctx, conf)


def _save(ctx: Context, conf: AdFilterSettings, change: str, actor: str | None) -> None:
    assert ctx.group is not None
    save_adfilter_settings(ctx.group, conf)
    log.info("filter.changed", group=ctx.group.chat_id, change=change, by=actor)
