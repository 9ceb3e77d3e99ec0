"""Whether the verification gate can hold newcomers at all.

A challenge restricts the newcomer, which needs the admin right to restrict members (Telegram
calls it "Ban users"). A bot added without it, or demoted, would post "press or be removed"
challenges it cannot enforce and remove nobody, while the operators believe the group is
screened. So the gate steps aside (newcomers are greeted as if it were off) and the operators are
told once; when the platform says the right is back, the gate holds again by itself.

What the bot may do is learned from the platform's word on its own membership (Telegram's
`my_chat_member`), and read again by the periodic group sync (`record_rights`), kept in the
group's `entry_state`.
"""

from __future__ import annotations

from bot.core.actions import SendMessage
from bot.core.context import Context
from bot.core.i18n import define
from bot.db.models import Group
from handlers.entry_config import EntryState, load, save
from handlers.operator_notes import operator_note

define(
    {
        "verify.no_rights": {
            "zh": "⚠️ 入群验证已暂停：我没有“封禁用户”（限制成员）的管理员权限，无法限制新成员，"
            "新成员现在直接入群。请在群管理员设置中给我开启“封禁用户”权限，验证会自动恢复。",
            "en": "⚠️ Newcomer verification is paused: I lack the admin right 'Ban users' "
            "(restrict members), so I cannot hold newcomers and they now join directly. Grant "
            "me 'Ban users' in the group's administrator settings and verification resumes by "
            "itself.",
        },
    }
)


def learn_rights(state: EntryState, can_restrict: bool | None) -> None:
    """Record what the platform said of the bot's right to restrict (None: it did not say, and
    the gate holds as before). A right given back re-arms the alert for a next loss."""
    state.can_restrict = can_restrict
    if can_restrict is not False:
        state.told_cannot_restrict = False


def record_rights(group: Group, can_restrict: bool) -> None:
    """Keep what the group sync read of the bot's right to restrict in the group's state."""
    state = load(group, EntryState)
    if state.can_restrict != can_restrict:
        learn_rights(state, can_restrict)
        save(group, state)


def can_hold(state: EntryState) -> bool:
    """False only when the platform said the bot may not restrict members."""
    return state.can_restrict is not False


def paused_note(ctx: Context, group: Group) -> str:
    """A line for the reply that turns verification on where the bot cannot hold newcomers (""
    where it can): saying "on" alone, the operators would believe newcomers are screened."""
    return "\n" + ctx.t("verify.no_rights") if not can_hold(load(group, EntryState)) else ""


def tell_operators_once(ctx: Context, group: Group, state: EntryState) -> list[SendMessage]:
    """The alert that verification is paused, the first time a newcomer goes in without it."""
    if state.told_cannot_restrict:
        return []
    state.told_cannot_restrict = True
    return [operator_note(group, ctx.lang, ctx.t("verify.no_rights"))]
