"""Per-group settings of check-ins and points, with pure rules: streak points, titles, tiers.

Typed sections of a group's settings document: `checkin` (keywords, check-in and homework
points), `points` (effective-activity points, titles, membership tiers) and `redpacket` (rounds
and their escalation). Operators edit them with `/settings` (`handlers.settings_sections`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from bot.db.models import Group

# The most points a setting can award for one thing or allow in one day. A day pays at most
# five of them (a check-in's base and streak bonus, homework, activity, referrals), so a
# member paid the most every day for a century holds 5 x 10,000 x 36,525 = 1,826,250,000
# points, still below 2^31 - 1, the integer columns and sums points are kept in. Shown in
# the range `/settings` answers with: "要在 0 到 10000 之间".
MAX_AWARD = 10_000


def _within_award(value: Any) -> Any:
    # A section stored before the ceiling is read at the ceiling, not refused: a refused section
    # falls back to the defaults whole, and the group would lose its keywords, titles and tiers.
    if isinstance(value, int) and not isinstance(value, bool) and value > MAX_AWARD:
        return MAX_AWARD
    return value


# Points one setting awards or allows; `/settings` refuses a typed value outside 0..MAX_AWARD.
Award = Annotated[int, BeforeValidator(_within_award), Field(ge=0, le=MAX_AWARD)]


class CheckinConfig(BaseModel):
    """How check-ins are recognised and rewarded in one group.

    A check-in earns `base_points` plus `streak_bonus` for every consecutive day before today,
    with the bonus capped at `streak_bonus_cap`, so a long streak pays more without running away.
    """

    model_config = ConfigDict(frozen=True)

    extra_keywords: tuple[str, ...] = ()
    base_points: Award = 10
    streak_bonus: Award = 2
    streak_bonus_cap: Award = 10
    homework_points: Award = 20
    homework_tags: tuple[str, ...] = ("作业", "#homework")
    # The bot's answers to check-ins are deleted after this long (None: kept), so a group where
    # everyone checks in daily does not read as a wall of "签到成功"; the points stay.
    # The range of the welcome's cleanup (`/welcome cleanup`).
    cleanup_seconds: int | None = Field(default=600, ge=60, le=7 * 86400)


class Title(BaseModel):
    model_config = ConfigDict(frozen=True)

    min_points: int
    zh: str
    en: str


class Tier(BaseModel):
    """A membership level; `privileges` are names other capabilities look for."""

    model_config = ConfigDict(frozen=True)

    name: str
    min_points: int
    privileges: frozenset[str] = frozenset()
    zh: str = ""
    en: str = ""

    def label(self, lang: str) -> str:
        return (self.en if lang == "en" else self.zh) or self.name


# The ad filter skips its strict new-member window (and only that: ads are still removed) for
# members whose tier holds this privilege, e.g. paid members imported with points.
ADFILTER_EXEMPT = "adfilter_exempt"
# Every privilege some capability looks for: a name outside it would be saved and do nothing.
PRIVILEGES = (ADFILTER_EXEMPT,)

DEFAULT_TITLES = (
    Title(min_points=0, zh="新人", en="Newcomer"),
    Title(min_points=50, zh="活跃成员", en="Regular"),
    Title(min_points=200, zh="骨干", en="Core member"),
    Title(min_points=500, zh="元老", en="Veteran"),
    Title(min_points=1000, zh="传奇", en="Legend"),
)

DEFAULT_TIERS = (
    Tier(name="basic", min_points=0, zh="普通成员", en="Member"),
    Tier(
        name="trusted",
        min_points=100,
        privileges=frozenset({ADFILTER_EXEMPT}),
        zh="信任成员",
        en="Trusted",
    ),
    Tier(
        name="vip",
        min_points=500,
        privileges=frozenset({ADFILTER_EXEMPT}),
        zh="VIP",
        en="VIP",
    ),
)


class PointsConfig(BaseModel):
    """Effective activity: a message of `activity_min_chars` or more once spaces, punctuation
    and emoji are gone, saying at least `activity_min_distinct` distinct things (Chinese
    characters or words, laughter and filler aside: `handlers.points_substance`) and mentioning
    one of `topic_words` when the group lists any, earns `activity_points`; a reply answering
    another member's question earns `answer_points` when it says `answer_min_distinct` things;
    an answer in an icebreaker round earns the round's points (`icebreaker.round_points`);
    the same text twice in a local day pays once; together at most `activity_daily_cap` points
    per member per local day, so chatter cannot farm points."""

    model_config = ConfigDict(frozen=True)

    activity_enabled: bool = True
    activity_min_chars: int = Field(default=15, ge=1)
    # "哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈" is 15 characters and says nothing: length alone paid it.
    activity_min_distinct: int = Field(default=5, ge=1, le=1000)
    # "周五" answers "作业什么时候交？"; "好" or "哈哈" answers nothing. 0: any reply counts.
    answer_min_distinct: int = Field(default=2, ge=0, le=1000)
    activity_points: Award = 1
    answer_points: Award = 2
    # Paid to a member who adds someone to the group, once per person added, at most
    # `referral_daily_cap` a local day: adding accounts in bulk must not buy a trusted tier.
    referral_points: Award = 5
    referral_daily_cap: Award = 10
    activity_daily_cap: Award = 5
    # When set, only a message that mentions one of these words is on-topic enough to earn
    # activity points (a course group: "作业", "homework"); answers to questions always count.
    topic_words: tuple[str, ...] = ()
    titles: tuple[Title, ...] = DEFAULT_TITLES
    tiers: tuple[Tier, ...] = DEFAULT_TIERS


class RedPacketConfig(BaseModel):
    """Red packet rounds: how many rounds `/redpacket` opens when not told, and how much each
    next round (opened only once the previous one is fully claimed) grows."""

    model_config = ConfigDict(frozen=True)

    rounds: int = Field(default=1, ge=1, le=5)
    escalation: float = Field(default=2.0, ge=1.0, le=10.0)


def _section(group: Group | None, name: str) -> dict:
    data = (group.settings or {}).get(name) if group is not None else None
    return data if isinstance(data, dict) else {}


def checkin_config(group: Group | None) -> CheckinConfig:
    """The group's `checkin` section; an invalid section falls back to defaults."""
    try:
        return CheckinConfig.model_validate(_section(group, "checkin"))
    except ValueError:
        return CheckinConfig()


def points_config(group: Group | None) -> PointsConfig:
    """The group's `points` section; an invalid section falls back to defaults."""
    try:
        return PointsConfig.model_validate(_section(group, "points"))
    except ValueError:
        return PointsConfig()


def redpacket_config(group: Group | None) -> RedPacketConfig:
    """The group's `redpacket` section; an invalid section falls back to defaults."""
    try:
        return RedPacketConfig.model_validate(_section(group, "redpacket"))
    except ValueError:
        return RedPacketConfig()


def checkin_points(streak: int, config: CheckinConfig) -> int:
    """Points for a check-in that makes a `streak`-day streak (1 = first day)."""
    bonus = min(config.streak_bonus * max(streak - 1, 0), config.streak_bonus_cap)
    return config.base_points + bonus


def title_for(points: int, titles: tuple[Title, ...], lang: str) -> str:
    """The highest title whose threshold `points` reaches; the built-in newcomer title when
    `points` reach none."""
    ordered = sorted(titles, key=lambda title: title.min_points)
    # Not the lowest title: with `100=骨干/Core` first, a member with no points would be called
    # a core member (as `tier_for` keeps the plain member tier).
    chosen = DEFAULT_TITLES[0]
    for title in ordered:
        if points >= title.min_points:
            chosen = title
    return chosen.en if lang == "en" else chosen.zh


def tier_for(points: int, config: PointsConfig) -> Tier:
    """The highest membership tier whose threshold `points` reaches; the plain member tier,
    without privileges, when `points` reach none."""
    ordered = sorted(config.tiers, key=lambda tier: tier.min_points)
    # Not the lowest tier: a list starting at `trusted=100:adfilter_exempt` would otherwise
    # exempt every newcomer (and every member whose points were taken away) from the ad filter.
    chosen = DEFAULT_TIERS[0]
    for tier in ordered:
        if points >= tier.min_points:
            chosen = tier
    return chosen
