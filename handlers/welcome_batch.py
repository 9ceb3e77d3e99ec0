"""Greeting newcomers: render a template safely as HTML, and fold joins into one message.

Burst batching: the first newcomer opens a `WelcomeBatch` and its greeting is stored in the
outbox with `not_before` = the end of a short window (3 s by default, wider in raid mode). Joins
arriving while that greeting still waits are added to the batch and the waiting outbox row is
re-rendered, so a burst becomes one message, sent a few seconds after the first join.

Each newcomer in a batch keeps the inviter and language they were greeted with, for
`handlers.welcome_departures`, which takes out of the greeting whoever leaves before it is sent.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import escape

from sqlalchemy import func, or_, select

from bot.core.actions import Button, SendMessage, over_limit
from bot.core.context import Context
from bot.db.models import Member
from bot.groups.settings import GroupKind
from bot.outbox.store import enqueue
from handlers.entry_config import (
    EntryState,
    IcebreakerConfig,
    RaidConfig,
    ScreeningConfig,
    WelcomeConfig,
    load,
)
from handlers.entry_store import WelcomeBatch, update_pending_payload
from handlers.raid import raid_active, spend

PLACEHOLDER = re.compile(r"\{(name|group|count|rules|inviter)\}")
# A burst's greeting names this many newcomers and counts the rest: Telegram refuses a message
# over 4096 characters, and a name may be 129 long, so a raid would otherwise greet nobody.
MAX_NAMED = 20
# Telegram counts a message's characters after its HTML is read; counting the HTML itself
# (never shorter) keeps the greeting within the limit (`over_limit`) whatever the markup.
# How many newcomers a greeting too long for the limit names, step by step, and how much of
# the rules it keeps before it names fewer.
NAMED_STEPS = (MAX_NAMED, 10, 5, 2, 1)
RULES_KEPT = 300


def mention(user_id: str, name: str) -> str:
    """An HTML mention that notifies the user; the name is escaped, the id is digits."""
    return f'<a href="tg://user?id={escape(user_id, quote=True)}">{escape(name or user_id)}</a>'


def render(template: str, values: dict[str, str]) -> str:
    """Fill placeholders; the template's own text is escaped, values arrive already HTML."""
    pieces = PLACEHOLDER.split(template)
    # re.split with one group alternates literal text and placeholder names.
    return "".join(
        escape(piece, quote=False) if index % 2 == 0 else values.get(piece, "")
        for index, piece in enumerate(pieces)
    )


def rules_text(ctx: Context) -> str:
    """The group's published rules, or a one-line default."""
    return load(ctx.group, ScreeningConfig).rules or ctx.t("welcome.no_rules")


def greeting_message(ctx: Context, chat_id: str, batch: WelcomeBatch) -> SendMessage:
    """The greeting for everyone in the batch, in the group's template and language."""
    config = load(ctx.group, WelcomeConfig)
    builtin = "welcome.ceremony" if ctx.group_settings.kind is GroupKind.SUPER_USER else None
    template = config.template or ctx.t(builtin or "welcome.default", **_raw_placeholders())
    text = _fitted(ctx, template, batch, rules_text(ctx))
    buttons: tuple[tuple[Button, ...], ...] = ()
    if config.buttons:
        buttons = (
            (
                Button(text=ctx.t("welcome.button_rules"), data="wl:rules"),
                Button(text=ctx.t("welcome.button_intro"), data="wl:intro"),
            ),
        )
    return SendMessage(
        chat_id=chat_id,
        text=text,
        html=True,
        buttons=buttons,
        delete_after_seconds=config.delete_after_seconds,
    )


def _fitted(ctx: Context, template: str, batch: WelcomeBatch, rules: str) -> str:
    """The greeting within Telegram's limit, which refuses a longer one and so greets nobody:
    long rules are cut first (to no less than RULES_KEPT, ending with where the rest is), then
    fewer newcomers are named (the rest counted)."""
    more = "…" + ctx.t("welcome.rules_more")
    text = ""
    for named in NAMED_STEPS:
        text = _greeting_text(ctx, template, batch, named, rules)
        if over_limit(text) <= 0:
            return text
        # The longest cut of the rules that fits; fewer names only when even the shortest
        # allowed cut does not (the last step cuts them to nothing if need be).
        low, high, best = min(len(rules), RULES_KEPT) if named > 1 else 0, len(rules) - 1, None
        while low <= high:
            middle = (low + high) // 2
            cut = rules[:middle].rstrip() + more
            candidate = _greeting_text(ctx, template, batch, named, cut)
            if over_limit(candidate) <= 0:
                best, low = candidate, middle + 1
            else:
                high = middle - 1
        if best is not None:
            return best
    return text  # the template alone is too long: refused, and recorded as failed


# Telegram's longest name (a first and a last name of 64 characters each, and the space).
LONGEST_NAME = "W" * 129


def longest_greeting(ctx: Context, template: str) -> str:
    """`template` as a greeting renders it for a newcomer and inviter with the longest names,
    with the group's current rules (cut as a greeting cuts them): past the platform's limit,
    no greeting made from it could ever be sent."""
    newcomer = {"id": "9" * 10, "name": LONGEST_NAME, "intro": True}
    sample = WelcomeBatch(members=[newcomer], count=99999, inviter=LONGEST_NAME)
    return _fitted(ctx, template, sample, rules_text(ctx))


def _greeting_text(
    ctx: Context, template: str, batch: WelcomeBatch, named: int, rules: str
) -> str:
    names = ", ".join(mention(p["id"], p["name"]) for p in batch.members[:named])
    if len(batch.members) > named:
        names += ctx.t("welcome.and_others", count=len(batch.members) - named)
    text = render(
        template,
        {
            "name": names,
            "group": escape(ctx.group.title or ""),
            "count": str(batch.count),
            "rules": escape(rules),
            "inviter": escape(batch.inviter or "-"),
        },
    )
    intro = load(ctx.group, IcebreakerConfig).intro_template
    if intro != "" and any(p.get("intro") for p in batch.members):  # "": turned off
        prompt = render(intro or ctx.t("intro.prompt", name="{name}"), {"name": names})
        text = f"{text}\n\n{prompt}"
    return text


def _raw_placeholders() -> dict[str, str]:
    # Built-in texts keep their placeholders so they go through the same escaping `render`.
    return {key: "{" + key + "}" for key in ("name", "group", "count", "rules", "inviter")}


async def member_count(ctx: Context) -> int:
    """How many members the group has: the platform's count when last read, moved by the joins
    and leaves seen since; the members seen here when it was never read (or when they are more).
    """
    here = Member.status.in_(("member", "restricted"))
    seen = await ctx.session.scalar(
        select(func.count()).select_from(Member).where(Member.group_id == ctx.group.id, here)
    )
    read_at, counted = ctx.group.synced_at, ctx.group.member_count
    if read_at is None or counted is None:
        return seen
    joined = await ctx.session.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.group_id == ctx.group.id, here, Member.joined_at > read_at)
    )
    # Counted in the platform's number, gone since: joined before that read (or never seen
    # joining), left after it.
    left = await ctx.session.scalar(
        select(func.count())
        .select_from(Member)
        .where(
            Member.group_id == ctx.group.id,
            ~here,
            Member.left_at > read_at,
            or_(Member.joined_at.is_(None), Member.joined_at <= read_at),
        )
    )
    return max(seen, counted + joined - left)


async def queue_greeting(
    ctx: Context,
    chat_id: str,
    people: list[dict],
    inviter: str | None,
    state: EntryState,
) -> None:
    """Greet `people` (dicts of id, name, intro), joining a waiting batch when there is one.

    Past the group's send budget the greeting waits until it has refilled: in a busy hour
    (a newcomer passing verification every few seconds) it then greets them all at once.
    """
    config = load(ctx.group, WelcomeConfig)
    people = [{**person, "inviter": inviter, "lang": ctx.lang} for person in people]
    count = await member_count(ctx)
    batch = await ctx.session.scalar(
        select(WelcomeBatch)
        .where(WelcomeBatch.group_id == ctx.group.id, WelcomeBatch.closes_at > ctx.now)
        .order_by(WelcomeBatch.id.desc())
        .limit(1)
    )
    if batch is not None:
        before = batch.members, batch.count, batch.inviter
        batch.members = [*batch.members, *people]
        batch.count = count
        batch.inviter = batch.inviter or inviter
        message = greeting_message(ctx, chat_id, batch)
        if await update_pending_payload(
            ctx.session, batch.outbox_key, message.model_dump(mode="json")
        ):
            return
        # Its greeting is on its way (or called off): a batch lists whom its greeting names.
        batch.members, batch.count, batch.inviter = before
    raid = raid_active(state, ctx.now, load(ctx.group, RaidConfig))
    window = config.raid_batch_seconds if raid else config.batch_seconds
    send_at = spend(state, ctx.now + timedelta(seconds=window), config.budget_per_minute)
    batch = WelcomeBatch(
        group_id=ctx.group.id,
        members=list(people),
        inviter=inviter,
        count=count,
        opened_at=ctx.now,
        closes_at=send_at,
    )
    ctx.session.add(batch)
    await ctx.session.flush()
    await enqueue(
        ctx.session,
        ctx.platform,
        [greeting_message(ctx, chat_id, batch)],
        key=f"welcome:{batch.id}",
        now=ctx.now,
        not_before=batch.closes_at,
    )

