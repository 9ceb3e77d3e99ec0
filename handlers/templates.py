"""`/template apply <type>`: set a group up by its type's playbook (DESIGN's operating model).

Each playbook sets the group type and the settings that type needs (entry, ad filter, check-ins,
points), keeps every other setting as it was, and answers with what it changed and the next steps
that need the operator's own words or dates (a countdown's deadline, the rules text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from bot.core.actions import SendMessage
from bot.core.context import Context
from bot.core.events import Event
from bot.core.i18n import define, named
from bot.core.router import Router
from bot.groups.settings import GroupKind, GroupSettings, read_kind, with_changes
from handlers import entry_config, moderation, settings_sections
from handlers.entry_rights import paused_note
from schedules import texts as _schedule_texts  # noqa: F401  (the countdowns' end actions)
from schedules.countdowns import running_countdowns

router = Router("templates")

# Each section's model, from the registries the capabilities already keep.
SECTIONS: dict[str, type[BaseModel]] = {
    **{name: model for model, name in entry_config.SECTIONS.items()},
    **settings_sections.SECTION_MODELS,
    moderation.SECTION: moderation.AdFilterSettings,
}


# A change is shown by the name `/settings <name> <value>` takes, where there is one, so a line
# can be copied back to undo or tune it (`points.activity`, not the stored `activity_enabled`).
SETTINGS_NAMES = {
    (spec.section, spec.key): name for name, spec in settings_sections.FIELDS.items()
}


@dataclass(frozen=True)
class Playbook:
    presets: dict[str, dict[str, Any]] = field(default_factory=dict)
    # What to do next, in each language: commands ready to copy, or completed with the
    # operator's own words where they hold a <placeholder>, and what only the app can set.
    next_steps: tuple[dict[str, str], ...] = ()


PLAYBOOKS: dict[GroupKind, Playbook] = {
    GroupKind.GENERAL: Playbook(),
    # One campaign, then gone: quick greetings, bots kept out, a countdown to the end.
    GroupKind.FLASH: Playbook(
        presets={
            "welcome": {"enabled": True, "delete_after_seconds": 300},
            "verification": {"enabled": True, "mode": "button"},
            "adfilter": {"new_member_messages": 5, "repeat_limit": 2},
        },
        next_steps=(
            {
                "zh": "/countdown <截止时间> <内容> end=dissolve pin update",
                "en": "/countdown <deadline> <text> end=dissolve pin update",
            },
        ),
    ),
    # First buyers: a warm welcome, an introduction round, daily check-ins and tips.
    GroupKind.NEWCOMER: Playbook(
        presets={
            "welcome": {"enabled": True, "buttons": True},
            "verification": {"enabled": True, "mode": "button"},
            "screening": {"mode": "open"},
        },
        next_steps=(
            {
                "zh": "/schedule add 每天 20:00 破冰",
                "en": "/schedule add every day 20:00 icebreaker",
            },
            {
                "zh": "/schedule add 每天 9:00 签到提醒",
                "en": "/schedule add every day 9:00 checkin reminder",
            },
        ),
    ),
    # Top customers, invitation only: reviewed entry, a question to pass, a strict ad filter.
    GroupKind.SUPER_USER: Playbook(
        presets={
            "welcome": {"enabled": True},
            "verification": {"enabled": True, "mode": "question"},
            "screening": {"mode": "review"},
            "adfilter": {"new_member_messages": 5},
        },
        next_steps=(
            # Telegram sends join requests only for a link (or group) that asks for approval:
            # without it people walk in and the review never sees them.
            {
                "zh": "在群设置 → 邀请链接中开启「需要管理员批准」，入群申请才会交给我审核",
                "en": "Turn on \"Request admin approval\" for the group's invite link (group "
                "settings → Invite links), so join requests come to me for review",
            },
            {"zh": "/rules set <群规>", "en": "/rules set <text>"},
            {
                "zh": "/screening questions <问题1> | <问题2>",
                "en": "/screening questions <Q1> | <Q2>",
            },
            {"zh": "/code new", "en": "/code new"},
        ),
    ),
    # A paid course or camp: homework check-ins that pay well, reminders and a weekly digest.
    GroupKind.DELIVERY: Playbook(
        presets={
            "welcome": {"enabled": True},
            "checkin": {"homework_points": 20},
        },
        next_steps=(
            {
                "zh": "/schedule add 每天 20:00 签到提醒 交作业啦",
                "en": "/schedule add every day 20:00 checkin reminder Homework is due today!",
            },
            {"zh": "/schedule add 每周一 9:00 日报", "en": "/schedule add every mon 09:00 digest"},
        ),
    ),
    # Loyal fans: points for real talk, escalating red packets, a daily topic.
    GroupKind.FAN: Playbook(
        presets={
            "welcome": {"enabled": True},
            "points": {"activity_enabled": True},
            "redpacket": {"rounds": 3},
        },
        next_steps=(
            {
                "zh": "/schedule add 每天 21:00 破冰",
                "en": "/schedule add every day 21:00 icebreaker",
            },
            {"zh": "/redpacket 100 10", "en": "/redpacket 100 10"},
        ),
    ),
}

define(
    {
        "template.usage": {
            "zh": "用法：/template apply <类型>，类型：{kinds}",
            "en": "Usage: /template apply <type>, types: {kinds}",
        },
        "template.applied": {
            "zh": "已按「{name}」模板设置本群：\n{changes}",
            "en": "Set up as {name}:\n{changes}",
        },
        # What each type is called in the heading; the type's key stays in the lines below,
        # as /settings kind takes it.
        "template.name.general": {"zh": "普通群", "en": "a general group"},
        # 快闪群: a group for one campaign, dissolved at its end; not a flash sale (秒杀).
        "template.name.flash": {
            "zh": "快闪群（单次活动）", "en": "a flash group (one campaign, then closed)"
        },
        "template.name.newcomer": {"zh": "新人群", "en": "a newcomer group"},
        "template.name.super": {
            "zh": "超级用户群（邀请制）", "en": "an invitation-only super-user group"
        },
        "template.name.delivery": {
            "zh": "交付群（课程/服务）", "en": "a delivery (course/service) group"
        },
        "template.name.fan": {"zh": "粉丝群", "en": "a fan group"},
        "template.next": {"zh": "\n下一步：\n{steps}", "en": "\nNext steps:\n{steps}"},
        "template.countdown_ends_group": {
            "zh": "⚠️ 倒计时 #{id} 仍会在 {deadline} 结束时{end}：不需要的话 /countdown cancel {id}",
            "en": "⚠️ Countdown #{id} will still {end} at {deadline}: if that is no longer "
            "wanted, /countdown cancel {id}",
        },
    }
)


def apply_playbook(settings: dict[str, Any], kind: GroupKind) -> tuple[dict[str, Any], list[str]]:
    """The group's settings document with `kind`'s playbook applied, and one line per change."""
    updated = {**settings, "kind": kind.value}
    changes = [f"kind = {kind.value}"]
    for section, preset in PLAYBOOKS[kind].presets.items():
        current = settings.get(section)
        merged = {**(current if isinstance(current, dict) else {}), **preset}
        updated[section] = with_changes(current, SECTIONS[section].model_validate(merged))
        changes += [
            f"{SETTINGS_NAMES.get((section, key), f'{section}.{key}')} = "
            f"{settings_sections.show_value(value)}"
            for key, value in preset.items()
        ]
    GroupSettings.model_validate(updated)  # the document stays valid as a whole
    return updated, changes


@router.command(
    "template",
    description={"zh": "按群类型套用运营模板", "en": "Set the group up by its type"},
    operator_only=True,
    group_only=True,
)
async def template_command(event: Event, ctx: Context) -> list[SendMessage]:
    assert ctx.group is not None  # group_only route
    words = event.args.split()
    kind = read_kind(words[1]) if len(words) == 2 and words[0] == "apply" else None
    if kind is None:
        text = ctx.t("template.usage", kinds="|".join(GroupKind))
    else:
        ctx.group.settings, changes = apply_playbook(dict(ctx.group.settings or {}), kind)
        name = ctx.t(f"template.name.{kind.value}")
        text = ctx.t("template.applied", name=name, changes="\n".join(changes))
        if entry_config.load(ctx.group, entry_config.VerificationConfig).enabled:
            text += paused_note(ctx, ctx.group)
        if steps := PLAYBOOKS[kind].next_steps:
            text += ctx.t("template.next", steps="\n".join(step[ctx.lang] for step in steps))
        if kind is not GroupKind.FLASH:
            text += "".join(f"\n{line}" for line in await _ending_countdowns(ctx))
    return [SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)]


async def _ending_countdowns(ctx: Context) -> list[str]:
    """A warning for each countdown that still closes or dissolves the group at its end: made
    by a flash playbook's next step, it would end a group now set up to last."""
    assert ctx.group is not None
    lines = []
    for job in await running_countdowns(ctx.session, ctx.group.id):
        end = job.payload.get("end")
        if end in ("close", "dissolve") and job.next_run_at is not None:
            deadline = job.next_run_at.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M")
            lines.append(ctx.t("template.countdown_ends_group", id=job.countdown_id,
                               deadline=deadline, end=named(ctx.lang, "value.end", end)))
    return lines
