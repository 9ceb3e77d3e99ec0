"""`qunbot set-webhook`: point Telegram at us, with exactly the update types we handle."""

from __future__ import annotations

import httpx

from bot.dispatch import Dispatcher
from bot.metrics import Metrics
from bot.platforms.base import PlatformError, TransientError
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.platforms.telegram.api import TelegramApi
from bot.settings import Settings

WEBHOOK_PATH = "/webhook/telegram"


def telegram_platform(settings: Settings, http: httpx.AsyncClient) -> TelegramPlatform | None:
    if settings.telegram_token is None:
        return None
    api = TelegramApi(http, settings.telegram_api_base, settings.telegram_token.get_secret_value())
    return TelegramPlatform(api, bot_id=settings.telegram_bot_id or "")


def allowed_updates(platform: TelegramPlatform, settings: Settings) -> list[str]:
    """Computed from the registered handlers; `chat_member` is only sent when listed."""
    return platform.subscriptions(Dispatcher(settings, Metrics()).event_kinds)


def webhook_url(settings: Settings) -> str | None:
    """Where Telegram posts updates: QUNBOT_PUBLIC_URL and the webhook's path, whether the
    address was given with that path or without it."""
    if not settings.public_url:
        return None
    return settings.public_url.rstrip("/").removesuffix(WEBHOOK_PATH) + WEBHOOK_PATH


def unanswered(exc: PlatformError, settings: Settings) -> str | None:
    """What to fix when a call got no answer from Telegram (a network fault, a timeout, a 5xx or
    a proxy's page): the network, not the token; None when Telegram itself answered."""
    if not isinstance(exc, TransientError):
        return None
    # The host alone: a proxy's address may carry its password.
    where = httpx.URL(settings.telegram_api_base).netloc.decode().rpartition("@")[2]
    return (
        f"cannot reach the Bot API at {where} ({exc.description}). Check the network (a "
        "firewall or proxy in the way) and QUNBOT_TELEGRAM_API_BASE, then try again."
    )


async def register_webhook(settings: Settings, http: httpx.AsyncClient) -> tuple[list[str], bool]:
    platform = telegram_platform(settings, http)
    if platform is None:
        return ["QUNBOT_TELEGRAM_TOKEN is not set."], False
    url = webhook_url(settings)
    if url is None:
        return ["QUNBOT_PUBLIC_URL is not set (the https address Telegram should call)."], False
    updates = allowed_updates(platform, settings)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    commands = Dispatcher(settings, Metrics()).commands
    try:
        await platform.set_webhook(url, secret, updates)
        await platform.set_commands([(c.name, c.description["en"]) for c in commands], None)
        await platform.set_commands([(c.name, c.description["zh"]) for c in commands], "zh")
    except PlatformError as exc:
        return [unanswered(exc, settings) or f"Telegram refused: {exc.description}"], False
    lines = [f"Webhook set to {url}", f"Update types: {', '.join(updates)}"]
    if secret is None:
        lines.append("Warning: QUNBOT_WEBHOOK_SECRET is not set; anyone can post updates.")
    lines.append(f"Commands registered: {len(commands)} (en, zh)")
    return lines, True
