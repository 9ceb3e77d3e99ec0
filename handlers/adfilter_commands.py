"""`/filter`: operators read and change the group's ad filter settings."""

from __future__ import annotations

from bot.core.actions import SendMessage
from bot.core.context import Context
from bot.core.events import Event
from bot.core.i18n import define
from bot.core.router import Router
from handlers.moderation import (
    AdFilterSettings,
    adfilter_settings,
    parse_window,
    save_adfilter_settings,
)

router = Router("filter")

define(
    {
        "filter.show": {
            "zh": "广告过滤：{enabled}{shadow}\n允许的链接：{links}\n关键词：{keywords}\n"
            "广告时段：{window}\n处罚阶梯：{ladder}（禁言 {minutes} 分钟）\n举报阈值：{reports} 人",
            "en": "Ad filter: {enabled}{shadow}\nAllowed links: {links}\nKeywords: {keywords}\n"
            "Ad window: {window}\nLadder: {ladder} (mute {minutes} min)\nReports to act: {reports}",
        },
        "filter.on": {"zh": "开启", "en": "on"},
        "filter.off": {"zh": "关闭", "en": "off"},
        "filter.shadow": {"zh": "（影子模式：只记录不处理）", "en": " (shadow mode: log only)"},
        "filter.none": {"zh": "无", "en": "none"},
        "filter.usage": {
            "zh": "用法：/filter [on|off] [shadow on|off] [allow <域名>] "
            "[keyword add|remove <词>] [window <mon..sun|daily> <HH:MM>-<HH:MM>|off]",
            "en": "Usage: /filter [on|off] [shadow on|off] [allow <domain>] "
            "[keyword add|remove <word>] [window <mon..sun|daily> <HH:MM>-<HH:MM>|off]",
        },
        "filter.invalid": {"zh": "无法设置：{reason}", "en": "Cannot set that: {reason}"},
    }
)


def _show(ctx: Context, conf: AdFilterSettings) -> str:
    none = ctx.t("filter.none")
    return ctx.t(
        "filter.show",
        enabled=ctx.t("filter.on" if conf.enabled else "filter.off"),
        shadow=ctx.t("filter.shadow") if conf.shadow else "",
        links=", ".join(conf.allowed_links) or none,
        keywords=", ".join(conf.keywords) or none,
        window=conf.window.describe() if conf.window else none,
        ladder=" → ".join(conf.ladder),
        minutes=conf.mute_minutes,
        reports=conf.report_threshold,
    )


def _change(conf: AdFilterSettings, parts: list[str]) -> AdFilterSettings | None:
    """The settings after one `/filter ...` change; None when the words are not a change."""
    match parts:
        case ["on" | "off" as state]:
            return conf.model_copy(update={"enabled": state == "on"})
        case ["shadow", "on" | "off" as state]:
            return conf.model_copy(update={"shadow": state == "on"})
        case ["allow", domain]:
            links = tuple(dict.fromkeys((*conf.allowed_links, domain.lower())))
            return conf.model_copy(update={"allowed_links": links})
        case ["keyword", "add", *words] if words:
            keywords = tuple(dict.fromkeys((*conf.keywords, " ".join(words))))
            return conf.model_copy(update={"keywords": keywords})
        case ["keyword", "remove", *words] if words:
            word = " ".join(words)
            return conf.model_copy(
                update={"keywords": tuple(k for k in conf.keywords if k != word)}
            )
        case ["window", "off"]:
            return conf.model_copy(update={"window": None})
        case ["window", day, span]:
            return conf.model_copy(update={"window": parse_window(day, span)})
    return None


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
    parts = event.args.split()
    if not parts:
        return reply(_show(ctx, conf))
    try:
        changed = _change(conf, parts)
    except ValueError as exc:
        return reply(ctx.t("filter.invalid", reason=str(exc)))
    if changed is None:
        return reply(ctx.t("filter.usage"))
    save_adfilter_settings(ctx.group, changed)
    return reply(_show(ctx, changed))
