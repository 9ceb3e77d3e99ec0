"""Operators' `/code` command: create single-use or counted, expiring invite codes, list, revoke.

A code works as the name of an invite link (approved on the join request) or typed privately
to the bot by a requester who was asked for one (see `handlers.entry_dialogue`).
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.core.context import Context
from handlers import entry_texts  # noqa: F401  (registers the texts)
from handlers.entry_applications import (
    InviteCode,
    find_code,
    has_usable_code,
    new_code,
    normalise_code,
)
from handlers.entry_config import ScreeningConfig, load

CODE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{3,32}$")
OPTION = re.compile(r"^(uses|days|hours)=(.*)$")
LIMITS = {"uses": 100_000, "days": 3650, "hours": 24 * 3650}
LIST_CHARS = 3900  # of /code list's lines: Telegram's 4,096 leaves room for its first and last


class BadValue(ValueError):
    """An option an operator typed that cannot be used; `key` names the text explaining it."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key, self.params = key, params


def parse_options(tokens: list[str]) -> dict[str, int]:
    """`uses=10 days=7` -> {"uses": 10, "days": 7}; positive whole numbers within limits."""
    options: dict[str, int] = {}
    for token in tokens:
        match = OPTION.match(token.lower())
        if match is None:
            raise BadValue("code.bad_option", option=token)
        name, raw = match.groups()
        # isdecimal, not isdigit: "²" is a digit int() cannot read.
        if not raw.isdecimal() or not 1 <= int(raw) <= LIMITS[name]:
            raise BadValue("code.bad_number", option=name, value=raw, limit=LIMITS[name])
        options[name] = int(raw)
    if "days" in options and "hours" in options:
        raise BadValue("code.bad_option", option="days + hours")
    return options


async def command(ctx: Context, operator_id: str, args: str) -> str:
    """Run one `/code` command; returns the reply text."""
    verb, *rest = args.split() or [""]
    try:
        if verb in ("add", "new"):
            return await _create(ctx, operator_id, verb, rest)
        if verb == "list":
            return await _list(ctx)
        if verb == "revoke" and len(rest) == 1:
            return await _revoke(ctx, rest[0])
    except BadValue as bad:
        return ctx.t(bad.key, **bad.params)
    return ctx.t("code.usage")


async def _create(ctx: Context, operator_id: str, verb: str, rest: list[str]) -> str:
    assert ctx.group is not None
    if verb == "add":
        if not rest or "=" in rest[0]:
            return ctx.t("code.usage")
        typed, rest = rest[0], rest[1:]
        code = normalise_code(typed)
        if not CODE_SHAPE.match(code):
            raise BadValue("code.bad_code", code=typed)
    else:
        code = new_code()
    options = parse_options(rest)
    if await find_code(ctx.session, ctx.group.id, code) is not None:
        raise BadValue("code.exists", code=code)
    lifetime = (
        timedelta(days=options["days"])
        if "days" in options
        else timedelta(hours=options["hours"])
        if "hours" in options
        else None
    )
    row = InviteCode(
        group_id=ctx.group.id,
        code=code,
        # `/code new` hands out a single-use code unless told otherwise.
        max_uses=options.get("uses", 1 if verb == "new" else None),
        uses=0,
        expires_at=ctx.now + lifetime if lifetime else None,
        revoked=False,
        created_by=operator_id,
        created_at=ctx.now,
    )
    ctx.session.add(row)
    await ctx.session.flush()
    return ctx.t("code.created", line=_describe(ctx, row))


async def _list(ctx: Context) -> str:
    assert ctx.group is not None
    rows = list(
        await ctx.session.scalars(
            select(InviteCode).where(InviteCode.group_id == ctx.group.id).order_by(InviteCode.id)
        )
    )
    if not rows:
        return ctx.t("code.none")
    # Telegram refuses a message over 4,096 characters: a group handing out single-use codes
    # piles up used ones, so the codes that still work are listed first, then the newest others.
    lines = {row.id: _describe(ctx, row) for row in rows}
    by_priority = sorted(rows, key=lambda row: (not row.usable(ctx.now), -row.id))
    shown, room = set(), LIST_CHARS
    for row in by_priority:
        if len(lines[row.id]) + 1 > room:
            break
        shown.add(row.id)
        room -= len(lines[row.id]) + 1
    text = [ctx.t("code.list_header"), *(lines[row.id] for row in rows if row.id in shown)]
    hidden = [row for row in rows if row.id not in shown]
    if hidden:
        usable = sum(row.usable(ctx.now) for row in hidden)
        key = "code.more_usable" if usable else "code.more"
        text.append(ctx.t(key, count=len(hidden), usable=usable))
    return "\n".join(text)


async def _revoke(ctx: Context, code: str) -> str:
    assert ctx.group is not None
    row = await find_code(ctx.session, ctx.group.id, code)
    if row is None:
        raise BadValue("code.unknown", code=normalise_code(code))
    row.revoked = True
    text = ctx.t("code.revoked", code=row.code)
    config = load(ctx.group, ScreeningConfig)
    if config.mode == "code" and not await has_usable_code(
        ctx.session, ctx.group.id, ctx.now, config.codes
    ):
        # The last way in is gone: every requester would now be declined, and nothing else
        # tells the operator (`/screening code` refuses to start like this for the same reason).
        text += "\n" + ctx.t("code.none_left")
    return text


def _describe(ctx: Context, row: InviteCode) -> str:
    uses = (
        ctx.t("code.uses_of", used=row.uses, limit=row.max_uses)
        if row.max_uses is not None
        else ctx.t("code.uses_unlimited", used=row.uses)
    )
    if row.expires_at is None:
        expiry = ctx.t("code.never_expires")
    else:
        local = row.expires_at.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M")
        expiry = ctx.t("code.expires", at=local)
    state = "" if row.usable(ctx.now) else " " + ctx.t("code.not_usable")
    return f"{row.code} — {uses}, {expiry}{state}"
