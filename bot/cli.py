"""The `qunbot` command line: serve, migrate, set-webhook, check-config."""

from __future__ import annotations

import asyncio
import socket
from typing import Annotated

import httpx
import typer
from pydantic import ValidationError

from bot.settings import Settings

app = typer.Typer(help="Qunbot: runs community chat groups on autopilot.", no_args_is_help=True)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        # Named by variable and never echoing the value: a database URL carries its password.
        lines = [
            f"  QUNBOT_{'_'.join(map(str, error['loc'])).upper()}: {error['msg']}"
            for error in exc.errors(include_url=False, include_input=False)
        ]
        typer.secho("Invalid settings:\n" + "\n".join(lines), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (QUNBOT_HOST)")] = None,
    port: Annotated[
        int | None, typer.Option(help="Port to bind (QUNBOT_PORT)", min=1, max=65535)
    ] = None,
    migrate: Annotated[bool, typer.Option(help="Migrate the database first")] = False,
) -> None:
    """Serve the webhook, the API and the background workers (one process)."""
    import uvicorn

    from bot.app import create_app

    settings = _settings()
    _check_host(host or settings.host, "--host" if host else "QUNBOT_HOST")
    if migrate:
        _upgrade(settings.database_url)
    # One worker only: the workers inside share rate limits and the scheduler lock.
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        proxy_headers=True,
        forwarded_allow_ips=list(settings.forwarded_allow_ips),
    )


def _check_host(host: str, source: str) -> None:
    # Checked before serving: uvicorn reported only the resolver's words ("Name or service not
    # known") after the whole start-up, without saying which setting held the bad address.
    try:
        socket.getaddrinfo(host, None, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        typer.secho(
            f"Cannot listen on {source}={host!r}: {reason}. Write an address of this machine "
            "(127.0.0.1, 0.0.0.0 for every interface, ::) or a host name it resolves.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(2) from None


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema to the latest version."""
    settings = _settings()
    _upgrade(settings.database_url)
    typer.echo("database is up to date")


def _upgrade(database_url: str) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db.migrate import upgrade

    try:
        upgrade(database_url)
    except (OSError, SQLAlchemyError) as exc:
        # The first line says what went wrong; the rest is the statement and its parameters.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        typer.secho(
            f"Cannot migrate the database ({type(exc).__name__}: {reason}). "
            "Check QUNBOT_DATABASE_URL and that the database is running.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(1) from None


@app.command("set-webhook")
def set_webhook() -> None:
    """Register the webhook (with secret and update types) and the command menu with Telegram."""
    from bot.setup.webhook import register_webhook

    settings = _settings()
    lines, ok = asyncio.run(_with_http(settings, register_webhook))
    for line in lines:
        typer.echo(line)
    raise typer.Exit(0 if ok else 1)


@app.command("check-config")
def check_config() -> None:
    """Check the token, the webhook and the bot's rights in every known group; say what to fix."""
    from bot.setup.check import check_configuration

    settings = _settings()
    lines, ok = asyncio.run(_with_http(settings, check_configuration))
    for line in lines:
        typer.echo(line)
    raise typer.Exit(0 if ok else 1)


async def _with_http(settings: Settings, job):
    async with httpx.AsyncClient(timeout=settings.send_timeout) as http:
        return await job(settings, http)
