"""What the bot can do here, in the group's language: `/help` and `/start`, its first words on
being added to a group (the admin rights it lacks, where an operator starts), and a word each
time an admin changes its rights while some are still missing, naming what stops working
(an operator note: to the operators' chat when the group has one)."""

from __future__ import annotations

from bot.core.actions import SendMessage
from bot.core.context import Context
from bot.core.events import Event, EventKind
from bot.core.i18n import define, translate
from bot.core.router import CommandInfo, Router
from bot.db.models import Group
from bot.groups.repository import GONE
from bot.groups.settings import GroupKind, group_lang
from bot.platforms.base import BotRights
from handlers.entry_config import EntryState, load, save
from handlers.entry_rights import record_rights
from handlers.operator_notes import operator_note

router = Router("guide")

define(
    {
        "guide.header": {"zh": "可用命令：", "en": "Commands:"},
        "guide.operator_header": {"zh": "管理员命令：", "en": "Operator commands:"},
        "guide.added": {
            "zh": "👋 大家好，我是本群的运营助手：欢迎和验证新成员、过滤广告、签到积分、"
            "定时发布内容。",
            "en": "👋 Hello! I help run this group: greeting and verifying newcomers, keeping "
            "ads out, check-ins, points and scheduled posts.",
        },
        "guide.not_admin": {
            "zh": "请把我设为管理员，并开启这些权限：{rights}。在此之前我无法删除广告或验证新成员；"
            "如果还没在 @BotFather 关闭隐私模式（/setprivacy → Disable），我只能看到命令。",
            "en": "Please make me an admin with these rights: {rights}. Until then I cannot "
            "remove ads or verify newcomers, and unless privacy mode is off in @BotFather "
            "(/setprivacy → Disable) I see only commands.",
        },
        "guide.lacking": {
            "zh": "我还缺少这些管理员权限：{rights}。请在群管理员设置中为我开启。",
            "en": "I still lack these admin rights: {rights}. Please grant them in the "
            "group's administrator settings.",
        },
        "guide.start": {
            "zh": "管理员下一步：发送 /template apply <类型> 按群类型一键设置（{kinds}），"
            "/help 查看全部命令。",
            "en": "Operators, next: /template apply <type> sets the group up by its type "
            "({kinds}); /help lists every command.",
        },
        "guide.rights_changed": {
            "zh": "⚠️ 我的管理员权限有变化，现在还缺少：\n{effects}\n请在群管理员设置中为我开启。",
            "en": "⚠️ My admin rights changed, and I still lack:\n{effects}\nPlease grant them "
            "in the group's administrator settings.",
        },
        "guide.effect": {"zh": "· {right}：{effect}", "en": "· {right}: {effect}"},
        # What stops working without each right.
        "guide.effect.delete_messages": {
            "zh": "无法删除广告，也无法清理验证和签到消息",
            "en": "I cannot remove ads, nor tidy away challenges and check-in replies",
        },
        "guide.effect.restrict_members": {
            "zh": "无法让新成员先验证（入群验证暂停），也无法禁言或移出广告发送者",
            "en": "I cannot hold newcomers for verification (it pauses), nor mute or remove "
            "spammers",
        },
        "guide.effect.invite_users": {
            "zh": "无法批准入群申请，也无法给申诉通过的成员发回群链接",
            "en": "I cannot approve join requests, nor send a restored member a link back",
        },
        "guide.effect.pin_messages": {
            "zh": "无法置顶倒计时",
            "en": "I cannot pin countdowns",
        },
        "guide.rights_joiner": {"zh": "、", "en": ", "},
        # As Telegram's apps name them in the administrator settings.
        "guide.right.delete_messages": {"zh": "删除消息", "en": "Delete messages"},
        "guide.right.restrict_members": {"zh": "封禁用户", "en": "Ban users"},
        "guide.right.invite_users": {"zh": "邀请用户", "en": "Invite users via link"},
        "guide.right.pin_messages": {"zh": "置顶消息", "en": "Pin messages"},
    }
)


@router.command(
    "help",
    aliases=("start",),
    words=("帮助",),
    description={"zh": "查看可用命令", "en": "Show the commands"},
)
async def show_help(event: Event, ctx: Context) -> list[SendMessage]:
    def line(info: CommandInfo) -> str:
        said = f" ({', '.join(info.words)})" if info.words else ""
        return f"/{info.name}{said} — {info.description.get(ctx.lang, info.description['en'])}"

    # In a private chat every command is listed: it says what the bot can do in groups.
    shown = [info for info in ctx.commands
             if ctx.group is None or info.listed is None or info.listed(ctx)]
    lines = [ctx.t("guide.header")]
    lines += [line(info) for info in shown if not info.operator_only]
    if ctx.is_operator:
        lines += ["", ctx.t("guide.operator_header")]
        lines += [line(info) for info in shown if info.operator_only]
    return [SendMessage(chat_id=event.chat.id, text="\n".join(lines), reply_to=event.message_id)]


def _bot_added(event: Event) -> bool:
    return event.old_status in GONE and event.new_status not in GONE


def _bot_stays(event: Event) -> bool:
    return event.old_status not in GONE and event.new_status not in GONE


def _effects(lang: str, missing: tuple[str, ...]) -> str:
    """One line per missing right: its name as the apps show it, and what stops without it."""
    return "\n".join(
        translate(lang, "guide.effect", right=translate(lang, f"guide.right.{name}"),
                  effect=translate(lang, f"guide.effect.{name}"))
        for name in missing
    )


def _told(group: Group, missing: tuple[str, ...]) -> bool:
    """Record `missing` as what the operators know of the bot's rights; False when they knew."""
    state = load(group, EntryState)
    if state.told_missing_rights is not None and set(state.told_missing_rights) == set(missing):
        return False
    state.told_missing_rights = list(missing)
    save(group, state)
    return True


@router.on(EventKind.BOT_MEMBERSHIP, when=_bot_stays, group_only=True)
async def tell_rights_change(event: Event, ctx: Context) -> list[SendMessage]:
    """Promoted, or a right granted or taken away, while the bot stays: the rights still
    missing, once per change. Telegram sends the bot's membership again for changes of
    rights it does not use, which say nothing new."""
    assert ctx.group is not None  # group_only route
    missing = event.missing_rights
    if missing is None or not _told(ctx.group, missing) or not missing:
        return []
    text = ctx.t("guide.rights_changed", effects=_effects(ctx.lang, missing))
    # For the operators, who alone can grant them: their chat when the group has one.
    return [operator_note(ctx.group, ctx.lang, text)]


def learn_bot_rights(group: Group, rights: BotRights) -> list[SendMessage]:
    """What the group sync read of the bot's rights (`bot.groups.sync`), kept for verification
    and told to the operators when the rights missing are not those they last heard of: a
    change made while the bot was down, whose update never came. Once per change, as
    `tell_rights_change`, which tells a change whose update does come."""
    if rights.can_restrict is not None:
        record_rights(group, rights.can_restrict)
    if rights.missing is None or not _told(group, rights.missing) or not rights.missing:
        return []
    lang = group_lang(group)
    text = translate(lang, "guide.rights_changed", effects=_effects(lang, rights.missing))
    return [operator_note(group, lang, text)]


@router.on(EventKind.BOT_MEMBERSHIP, when=_bot_added, group_only=True)
async def say_hello(event: Event, ctx: Context) -> list[SendMessage]:
    """Added to a group: what the bot does, the admin rights it still needs, where to start.
    Without a word here the operators learnt of missing rights only when something failed."""
    assert ctx.group is not None  # group_only route
    if ctx.group.created_at < event.at:
        # Known from before: Telegram announces a group's upgrade to a supergroup as the bot
        # joining the new chat, and operators who add the bot back have heard this already;
        # only rights other than those they were told of are news.
        return await tell_rights_change(event, ctx)
    lines = [ctx.t("guide.added")]
    missing = event.missing_rights or ()
    _told(ctx.group, missing)
    rights = ctx.t("guide.rights_joiner").join(ctx.t(f"guide.right.{name}") for name in missing)
    if event.new_status not in ("administrator", "creator"):
        lines.append(ctx.t("guide.not_admin", rights=rights))
    elif missing:
        lines += [ctx.t("guide.lacking", rights=rights), _effects(ctx.lang, missing)]
    lines.append(ctx.t("guide.start", kinds="|".join(GroupKind)))
    return [SendMessage(chat_id=event.chat.id, text="\n".join(lines))]
