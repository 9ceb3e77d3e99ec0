"""What a handler may know besides the event: the group, the member, rights, language, time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.events import User
from bot.core.i18n import translate
from bot.core.router import CommandInfo
from bot.db.models import Group, Member
from bot.groups.settings import GroupSettings, load_group_settings, unasked_language


@dataclass
class Context:
    """Built by the dispatcher's middlewares for one event.

    `session` is the event's unit of work: records a handler changes are committed together with
    the actions it returns, or not at all.
    """

    session: AsyncSession
    now: datetime
    platform: str
    group: Group | None = None
    group_settings: GroupSettings = field(default_factory=GroupSettings)
    member: Member | None = None
    # Who this event tells of joining for the first time (a join is told twice in groups
    # small enough for join messages: the message and a member update).
    arrivals: tuple[User, ...] = ()
    is_operator: bool = False
    # Platform-wide operators (settings), so handlers can judge other people's rights too.
    platform_operators: tuple[str, ...] = ()
    lang: str = "zh"
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    # The time zone of groups without their own, for handlers that act in other groups too.
    default_tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    commands: tuple[CommandInfo, ...] = ()

    def t(self, key: str, /, **params: object) -> str:
        return translate(self.lang, key, **params)

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.tz)


def operator_context(
    session: AsyncSession,
    group: Group,
    now: datetime,
    *,
    default_tz: str,
    operators: tuple[str, ...] = (),
    lang: str | None = None,
) -> Context:
    """A context for acting on `group` as its operator outside any event (the dashboard), as
    the middlewares would build it; in the group's language unless `lang` is given."""
    settings = load_group_settings(group.settings)
    return Context(
        session=session,
        now=now,
        platform=group.platform,
        group=group,
        group_settings=settings,
        is_operator=True,
        platform_operators=operators,
        lang=lang or unasked_language(settings),
        tz=ZoneInfo(settings.timezone or default_tz),
        default_tz=ZoneInfo(default_tz),
    )
