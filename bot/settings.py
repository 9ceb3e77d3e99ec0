"""Service settings from the environment (prefix `QUNBOT_`); every one is optional."""

from __future__ import annotations

import re
from ipaddress import ip_network
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The async drivers the service is built on (and installs); any other driver fails at start.
DATABASE_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
DATABASE_FORMS = "sqlite+aiosqlite:///./qunbot.db or postgresql+asyncpg://user:password@host/db"


def zone_named(name: str) -> ZoneInfo:
    """The IANA time zone `name`; ValueError for anything that is not one: an unknown name, a
    folder of the zone database ("Asia", which ZoneInfo fails to open as a file, OSError) or a
    name too long for a file name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown time zone {name[:64]!r}") from exc


class Settings(BaseSettings):
    # An empty variable (`-e QUNBOT_PORT=`, a compose file's `${UNSET}`) means "not set".
    # Errors never repeat the value given: it may be a token or a URL with a password.
    model_config = SettingsConfigDict(
        env_prefix="QUNBOT_", extra="ignore", env_ignore_empty=True, hide_input_in_errors=True
    )

    database_url: str = "sqlite+aiosqlite:///./qunbot.db"
    telegram_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    webhook_secret: SecretStr | None = None
    public_url: str | None = None
    timezone: str = "Asia/Shanghai"
    operators: Annotated[tuple[str, ...], NoDecode] = ()
    dashboard_password: SecretStr | None = None

    host: str = "127.0.0.1"
    # The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (addresses or
    # networks; uvicorn's forwarded_allow_ips). From anyone else those headers are ignored, so
    # a client cannot pose as another address to escape the dashboard's sign-in lockout; and
    # behind an untrusted proxy every client is the proxy, sharing one lockout.
    forwarded_allow_ips: Annotated[tuple[str, ...], NoDecode] = ("127.0.0.1", "::1")
    # Checked: the socket layer takes a port modulo 65536, so 70000 served quietly on 4464.
    port: int = Field(default=8080, ge=1, le=65535)
    log_level: str = "INFO"
    log_json: bool = True
    max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    playground: bool = True

    # Telegram's documented limits; the sender paces at `pacing_margin` of them. Counts and
    # times below are positive: a rate of 0 (read as "no limit") divided by zero at start.
    rate_per_bot_per_second: float = Field(default=30.0, gt=0)
    rate_per_chat_per_second: float = Field(default=1.0, gt=0)
    rate_per_group_per_minute: float = Field(default=20.0, gt=0)
    pacing_margin: float = 0.97
    send_max_attempts: int = Field(default=5, ge=1)
    send_backoff_initial: float = Field(default=0.5, gt=0)
    send_backoff_max: float = Field(default=60.0, gt=0)
    send_timeout: float = Field(default=15.0, gt=0)

    # Photos fetched for the ad filter's QR-code check.
    photo_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    photo_download_seconds: float = Field(default=30.0, gt=0)
    photo_max_attempts: int = Field(default=3, ge=1, le=20)

    inbox_concurrency: int = Field(default=8, ge=1)
    inbox_lease_seconds: float = Field(default=120.0, gt=0)
    inbox_max_attempts: int = Field(default=5, ge=1)
    poll_interval: float = Field(default=1.0, gt=0)
    leader_retry_seconds: float = Field(default=5.0, gt=0)
    # Processed updates (with the chat text they carry) and sent actions are deleted after this
    # many days; 0 keeps them. Pending work is never deleted. At most a century: a date that
    # many days back must exist (a million days failed every pruning round).
    retention_days: int = Field(default=14, ge=0, le=36_500)

    @field_validator("telegram_token", "webhook_secret", "dashboard_password", mode="before")
    @classmethod
    def _blank_secret_is_unset(cls, value: object) -> object:
        # A blank password would let a bare `Authorization: Bearer` into the API, and a blank token
        # would switch Telegram on with no bot behind it.
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("telegram_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # The part before the colon is the bot's id, stored with every update: without one the
        # whole token would be.
        if value is not None and not TOKEN_SHAPE.fullmatch(value.get_secret_value()):
            raise ValueError("not a bot token; @BotFather gives one like 123456789:AAE...")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's rule for secret_token: set-webhook would be refused much later.
        if value is not None and not WEBHOOK_SECRET_SHAPE.fullmatch(value.get_secret_value()):
            raise ValueError("Telegram takes 1 to 256 characters A-Z, a-z, 0-9, _ and - only")
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        try:
            driver = make_url(value).drivername
        except ArgumentError:
            raise ValueError(f"not a database URL; write {DATABASE_FORMS}") from None
        if driver not in DATABASE_DRIVERS:
            raise ValueError(f"the driver {driver!r} is not supported; write {DATABASE_FORMS}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        # Checked here: every update of a group without its own timezone reads this one.
        try:
            zone_named(value)
        except ValueError:
            raise ValueError("unknown time zone; write an IANA name, e.g. Asia/Shanghai") from None
        return value

    @field_validator("public_url")
    @classmethod
    def _https_address(cls, value: str | None) -> str | None:
        # Telegram calls webhooks over https only: set-webhook would be refused much later.
        if value is not None and not _address(value, ("https",)):
            raise ValueError("Telegram calls webhooks over https only; write e.g. "
                             "https://bot.example.com")
        return value

    @field_validator("telegram_api_base")
    @classmethod
    def _api_address(cls, value: str) -> str:
        # Without a scheme every Bot API call failed as a network error, retried for ever.
        if not _address(value, ("http", "https")):
            raise ValueError("write the address with http:// or https://, e.g. "
                             "https://api.telegram.org")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"unknown log level; write one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @field_validator("operators", mode="before")
    @classmethod
    def _split_operators(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        if isinstance(value, tuple | list) and not all(str(part).isdigit() for part in value):
            # A name ("@alice") never matches the numeric id a message carries, so the operator
            # would be politely refused everywhere with nothing to say why.
            raise ValueError(
                "operators are numeric user ids, comma-separated (e.g. 11111111,22222222), "
                "not @usernames; a member's id is shown by bots such as @userinfobot"
            )
        return value

    @field_validator("forwarded_allow_ips", mode="before")
    @classmethod
    def _proxy_addresses(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        for part in value if isinstance(value, tuple | list) else ():
            # uvicorn takes a malformed entry as a literal host name that never matches: the
            # proxy would silently go untrusted.
            if part != "*" and not _ip_or_network(str(part)):
                raise ValueError(
                    "write the proxies' addresses or networks, comma-separated "
                    "(e.g. 127.0.0.1,10.0.0.0/8), or * when only the proxy can reach this port"
                )
        return value

    @field_validator("pacing_margin")
    @classmethod
    def _margin_in_range(cls, value: float) -> float:
        if not 0 < value <= 1:
            raise ValueError("pacing_margin must be in (0, 1]")
        return value

    @property
    def telegram_bot_id(self) -> str | None:
        """The numeric id Telegram puts before the colon of a token; safe to log."""
        if self.telegram_token is None:
            return None
        return self.telegram_token.get_secret_value().split(":", 1)[0]


def _ip_or_network(value: str) -> bool:
    try:
        ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _address(value: str, schemes: tuple[str, ...]) -> bool:
    """An absolute URL with one of `schemes` and a host."""
    parts = urlsplit(value.strip())
    return parts.scheme.lower() in schemes and bool(parts.hostname)


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]


__all__ = ["Settings", "load_settings"]
