"""`qunbot check-config`: is the bot able to do its job, and if not, what to fix."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import SCHEMA_ADVICE, database_schema
from bot.db.models import Group
from bot.groups.repository import GONE
from bot.platforms.base import PlatformError
from bot.settings import Settings
from bot.setup.webhook import allowed_updates, telegram_platform, unanswered, webhook_url

# Update types Telegram leaves out of a webhook set without `allowed_updates` (Bot API,
# setWebhook): a webhook registered by hand or by another tool never receives them.
ONLY_WHEN_LISTED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

# The only ports Telegram delivers webhooks to (Bot API, setWebhook).
WEBHOOK_PORTS = (443, 80, 88, 8443)

NEEDED_RIGHTS = {
    "can_delete_messages": "delete spam and old welcome messages",
    "can_restrict_members": "mute, verify and ban members",
    "can_invite_users": "approve join requests",
    "can_pin_messages": "pin countdowns and announcements",
}


async def check_configuration(
    settings: Settings, http: httpx.AsyncClient
) -> tuple[list[str], bool]:
    platform = telegram_platform(settings, http)
    if platform is None:
        return ["FAIL token: QUNBOT_TELEGRAM_TOKEN is not set. Get one from @BotFather."], False
    lines: list[str] = []
    ok = True
    try:
        me = await platform.get_me()
    except PlatformError as exc:
        if reason := unanswered(exc, settings):
            return [f"FAIL Bot API: {reason}"], False
        return [f"FAIL token: Telegram refused it ({exc.description}). Check the token."], False
    lines.append(f"OK   token: bot @{me.get('username')} (id {me.get('id')})")
    if me.get("can_read_all_group_messages"):
        lines.append("OK   privacy mode: off, the bot sees every group message")
    else:
        lines.append(
            "WARN privacy mode: on, so the ad filter only sees commands and replies. "
            "Fix: @BotFather → /setprivacy → Disable, or make the bot an admin in each group."
        )
    try:
        info = await platform.get_webhook_info()
    except PlatformError as exc:
        reason = unanswered(exc, settings) or f"Telegram refused to show it ({exc.description})."
        lines.append(f"FAIL webhook: {reason}")
        ok = False
    else:
        ok &= _check_webhook(info, settings, platform, lines)
    if settings.webhook_secret is None:
        lines.append(
            "WARN webhook secret: QUNBOT_WEBHOOK_SECRET is not set, so anyone who learns the "
            "webhook's address can post updates, an operator's commands among them. Fix: set "
            "it (e.g. `openssl rand -hex 24`) and run `qunbot set-webhook`."
        )
    ok &= await _check_groups(settings, platform, str(me.get("id")), lines)
    return lines, ok


def public_url_problem(public_url: str) -> str | None:
    """What stops Telegram from calling `public_url` (already checked to be https with a host),
    or None."""
    parts = urlsplit(public_url.strip())
    try:
        port = parts.port or 443
    except ValueError:
        return "its port is not a number"
    if port not in WEBHOOK_PORTS:
        return f"Telegram calls webhooks on ports {', '.join(map(str, WEBHOOK_PORTS))} only"
    host = parts.hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        local = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
    else:
        local = not address.is_global
    if local:
        return f"{host} is not reachable from the internet, where Telegram calls from"
    return None


def _check_webhook(info: dict, settings: Settings, platform, lines: list[str]) -> bool:
    ok = True
    expected = webhook_url(settings)
    problem = public_url_problem(settings.public_url) if settings.public_url else None
    if problem:
        lines.append(f"FAIL public URL: QUNBOT_PUBLIC_URL={settings.public_url}: {problem}.")
        ok = False
    url = info.get("url") or ""
    if not url:
        if not settings.public_url:
            fix = "set QUNBOT_PUBLIC_URL (the https address Telegram should call) and run"
        elif problem:
            fix = "correct QUNBOT_PUBLIC_URL (above) and run"
        else:
            fix = f"to register {expected}, run"
        lines.append(f"FAIL webhook: none set. Fix: {fix} `qunbot set-webhook`.")
        ok = False
    elif expected and url != expected:
        lines.append(
            f"FAIL webhook: points at {url}, expected {expected}. Fix: `qunbot set-webhook`."
        )
        ok = False
    else:
        lines.append(f"OK   webhook: {url} ({info.get('pending_update_count', 0)} pending)")
    if info.get("last_error_message"):
        lines.append(f"WARN webhook: Telegram's last delivery error: {info['last_error_message']}")
    wanted = set(allowed_updates(platform, settings))
    subscribed = set(info.get("allowed_updates") or [])
    # No list means Telegram's default: every type but those it sends only when listed.
    missing = wanted - subscribed if subscribed else wanted & ONLY_WHEN_LISTED
    if url and missing:
        lines.append(
            f"FAIL webhook: not subscribed to {', '.join(sorted(missing))} "
            "(chat_member is only sent when listed). Fix: `qunbot set-webhook`."
        )
        ok = False
    return ok


def _missing_sqlite_file(database_url: str) -> Path | None:
    """The SQLite file `database_url` names when it does not exist: connecting would create it
    empty, and a check must change nothing."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(url.database)
    return None if path.exists() else path


async def _check_groups(settings: Settings, platform, bot_user_id: str, lines: list[str]) -> bool:
    if (missing := _missing_sqlite_file(settings.database_url)) is not None:
        lines.append(
            f"FAIL database: {missing} does not exist: the database has not been created and "
            "migrated yet. Fix: run `qunbot migrate` (or `qunbot serve --migrate`)."
        )
        return False
    engine = create_engine(settings.database_url)
    try:
        try:
            schema = await database_schema(engine)
        except Exception as exc:
            # Not a schema to migrate: the service itself could not start on this database.
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            password = make_url(settings.database_url).password
            if password:
                reason = reason.replace(password, "***")
            lines.append(
                f"FAIL database: cannot connect ({type(exc).__name__}: {reason}). Check "
                "QUNBOT_DATABASE_URL and that the database is running."
            )
            return False
        if schema != "current":
            lines.append(f"FAIL database: its schema is {SCHEMA_ADVICE[schema]}.")
            return False
        try:
            async with create_sessionmaker(engine)() as session:
                query = select(Group).where(Group.platform == "telegram")
                groups = list(await session.scalars(query))
        except Exception as exc:
            lines.append(
                f"WARN groups: cannot read the database ({type(exc).__name__}); "
                "run `qunbot migrate`."
            )
            return True
    finally:
        await engine.dispose()
    if not groups:
        lines.append("INFO groups: none known yet; add the bot to a group and make it an admin.")
        return True
    ok = True
    for group in groups:
        name = f"{group.title or group.chat_id} ({group.chat_id})"
        if group.bot_status in GONE:
            # Removed, or left at the end of a flash group's dissolve: nothing to fix there.
            lines.append(f"INFO group {name}: the bot is no longer in it ({group.bot_status})")
            continue
        try:
            member = await platform.get_chat_member(group.chat_id, bot_user_id)
        except PlatformError as exc:
            lines.append(f"FAIL group {name}: {exc.description}")
            ok = False
            continue
        if member.get("status") != "administrator":
            lines.append(f"FAIL group {name}: the bot is not an admin. Fix: promote it to admin.")
            ok = False
            continue
        lacking = [why for right, why in NEEDED_RIGHTS.items() if not member.get(right)]
        if lacking:
            lines.append(f"WARN group {name}: admin, but cannot {'; '.join(lacking)}.")
        else:
            lines.append(f"OK   group {name}: admin with every right needed")
    return ok
