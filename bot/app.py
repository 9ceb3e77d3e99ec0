"""The composition root: `create_app(settings)` builds every part inside the app's lifespan."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache

import httpx
import structlog
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from bot.db.engine import create_engine, create_sessionmaker, is_sqlite
from bot.db.migrate import SCHEMA_ADVICE, database_schema
from bot.dispatch import Dispatcher
from bot.groups import activity
from bot.groups.membership_checks import MembershipCheckLimits, MembershipChecks
from bot.groups.sync import GroupSync
from bot.inbox.processor import InboxProcessor
from bot.inbox.writer import GroupCommitWriter
from bot.leader import LeaderElection
from bot.logs import configure_logging
from bot.media.allowlist_files import AllowlistFileLimits, AllowlistFiles
from bot.media.photo_checks import PhotoCheckLimits, PhotoChecks
from bot.metrics import Metrics
from bot.outbox.pacing import Pacer
from bot.outbox.sender import OutboxSender
from bot.platforms.base import Platform
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.platforms.telegram.api import TelegramApi
from bot.retention import Pruner, finished_updates_and_actions
from bot.settings import Settings
from bot.web import (
    dashboard_forms,
    dashboard_pages,
    dashboard_session_store,
    dashboard_sign_in_limit,
    ops,
    webhook,
)
from bot.web.bodies import validation_failed
from bot.web.state import Runtime
from handlers import kept_messages, membership_store, repeats_store
from handlers.adfilter.pipeline import warm_up
from handlers.entry_applications import record_settlement
from handlers.guide import learn_bot_rights
from handlers.verification_timeouts import VerificationTimeouts
from schedules import api as schedule_api
from schedules import countdown_api
from schedules.firing import FireConfig
from schedules.service import Clock, SchedulerService, utcnow
from schedules.topic_fallback import topic_gone

log = structlog.get_logger(__name__)

# How long the start waits for Telegram to tell the bot's @username before processing updates,
# and how often it asks again after a failure (seconds; doubling up to the maximum).
USERNAME_FIRST_WAIT = 5.0
USERNAME_RETRY_FIRST = 1.0
USERNAME_RETRY_MAX = 300.0


def build_platforms(settings: Settings, http: httpx.AsyncClient) -> dict[str, Platform]:
    platforms: dict[str, Platform] = {}
    if settings.telegram_token is None:
        log.info("telegram.off", reason="QUNBOT_TELEGRAM_TOKEN is not set")
    else:
        token = settings.telegram_token.get_secret_value()
        api = TelegramApi(http, settings.telegram_api_base, token)
        platforms["telegram"] = TelegramPlatform(api, bot_id=settings.telegram_bot_id or "")
        if settings.webhook_secret is None:
            # Optional, but without it a forged update can carry an operator's commands.
            log.warning(
                "webhook.unauthenticated",
                reason="QUNBOT_WEBHOOK_SECRET is not set: anyone who finds /webhook/telegram "
                "can post updates; set it and run `qunbot set-webhook`",
            )
    return platforms


def _secrets(settings: Settings) -> list[str]:
    return [
        secret.get_secret_value()
        for secret in (
            settings.telegram_token,
            settings.webhook_secret,
            settings.dashboard_password,
        )
        if secret is not None
    ]


def create_app(settings: Settings | None = None, *, clock: Clock = utcnow) -> FastAPI:
    """The app; `clock` is the scheduler's (tests inject one to jump across downtime)."""
    settings = settings or Settings()
    configure_logging(settings.log_level, _secrets(settings), json=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = build_runtime(settings, clock=clock)
        app.state.runtime = runtime
        await start_runtime(runtime)
        try:
            yield
        finally:
            await stop_runtime(runtime)

    # No schema or docs pages: they would describe the API to anyone, without the token.
    app = FastAPI(
        title="Qunbot", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.add_exception_handler(RequestValidationError, validation_failed)
    app.router.routes.extend(webhook.routes)
    app.include_router(ops.router)
    app.include_router(schedule_api.router)
    app.include_router(countdown_api.router)
    app.include_router(dashboard_pages.public)
    app.include_router(dashboard_pages.router)
    app.include_router(dashboard_forms.router)
    return app


def build_runtime(settings: Settings, *, clock: Clock = utcnow) -> Runtime:
    engine = create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    http = httpx.AsyncClient(timeout=settings.send_timeout)
    metrics = Metrics()
    platforms = build_platforms(settings, http)
    dispatcher = Dispatcher(settings, metrics)
    pacer = Pacer(
        per_bot=settings.rate_per_bot_per_second,
        per_chat=settings.rate_per_chat_per_second,
        per_group_minute=settings.rate_per_group_per_minute,
        margin=settings.pacing_margin,
    )
    # The records an action's outcome is written on, by the prefix of its ref.
    recorders = {"entry": record_settlement, "job": topic_gone}
    sender = OutboxSender(sessions, platforms, settings, metrics, pacer, recorders=recorders)
    writer = GroupCommitWriter(engine)
    processor = InboxProcessor(
        sessions,
        platforms,
        dispatcher,
        settings,
        metrics,
        on_outbox=sender.notify,
        ingest_waiting=lambda: writer.waiting,
        give_way=writer.give_way,
        # SQLite has one writer: parallel chats would only queue on its lock.
        concurrency=1 if is_sqlite(settings.database_url) else settings.inbox_concurrency,
    )
    writer.on_commit = processor.notify

    timeouts = VerificationTimeouts(
        sessions, settings.poll_interval, on_outbox=sender.notify, default_tz=settings.timezone
    )
    # Retries back off like sends do; SQLite's one writer gains nothing from parallel checks.
    photo_checks = PhotoChecks(
        sessions,
        platforms,
        dispatcher,
        settings.poll_interval,
        PhotoCheckLimits(
            concurrency=1 if is_sqlite(settings.database_url) else 2,
            retry_initial=settings.send_backoff_initial,
            retry_max=settings.send_backoff_max,
            max_bytes=settings.photo_max_bytes,
            time_limit=settings.photo_download_seconds,
            max_attempts=settings.photo_max_attempts,
        ),
        on_outbox=sender.notify,
    )

    allowlist_files = AllowlistFiles(
        sessions,
        platforms,
        dispatcher,
        settings.poll_interval,
        AllowlistFileLimits(
            retry_initial=settings.send_backoff_initial,
            retry_max=settings.send_backoff_max,
            time_limit=settings.photo_download_seconds,
            max_attempts=settings.photo_max_attempts,
        ),
        on_outbox=sender.notify,
    )

    # Polled, like the photos: a press waits about one poll interval for its answer.
    membership_checks = MembershipChecks(
        sessions,
        platforms,
        dispatcher,
        pacer,
        settings.poll_interval,
        MembershipCheckLimits(
            concurrency=1 if is_sqlite(settings.database_url) else 4,
            retry_initial=settings.send_backoff_initial,
            retry_max=settings.send_backoff_max,
        ),
        on_outbox=sender.notify,
    )

    # Polled, not notified: a group becomes due when first seen or after hours. The query
    # touches the groups table only.
    group_sync = GroupSync(
        sessions, platforms, pacer, poll_interval=settings.poll_interval * 5,
        on_rights=learn_bot_rights, on_outbox=sender.notify,
    )

    pruner = Pruner(
        sessions,
        [
            repeats_store.EXPIRY,
            membership_store.EXPIRY,
            activity.EXPIRY,
            kept_messages.EXPIRY,
            dashboard_session_store.EXPIRY,
            dashboard_sign_in_limit.EXPIRY,
            *finished_updates_and_actions(settings.retention_days),
        ],
        on_pruned=lambda table, count: metrics.rows_pruned.labels(table=table).inc(count),
    )

    scheduler = SchedulerService(
        sessions,
        FireConfig(operators=settings.operators, default_tz=settings.timezone),
        clock=clock,
        on_outbox=sender.notify,
        sweep_seconds=settings.poll_interval,
    )

    async def elected() -> None:
        await sender.recover()
        sender.start()
        timeouts.start()
        # Only a leader checks photos, so claims left now belong to a dead or deposed one; should
        # that one still finish a check, the claim it lost makes its result be thrown away.
        await photo_checks.release_claims()
        photo_checks.start()
        await allowlist_files.release_claims()
        allowlist_files.start()
        await membership_checks.release_claims()
        membership_checks.start()
        pruner.start()
        await group_sync.read_all_soon()
        group_sync.start()
        await scheduler.start()

    async def deposed() -> None:
        await scheduler.stop()
        await group_sync.stop()
        await pruner.stop()
        await membership_checks.stop()
        await allowlist_files.stop()
        await photo_checks.stop()
        await timeouts.stop()
        await sender.stop()

    leader = LeaderElection(engine, elected, deposed, settings.leader_retry_seconds)
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        http=http,
        metrics=metrics,
        dispatcher=dispatcher,
        inbox_writer=writer,
        processor=processor,
        sender=sender,
        verification_timeouts=timeouts,
        photo_checks=photo_checks,
        allowlist_files=allowlist_files,
        membership_checks=membership_checks,
        scheduler=scheduler,
        group_sync=group_sync,
        leader=leader,
        platforms=platforms,
    )


async def start_runtime(runtime: Runtime) -> None:
    if is_sqlite(runtime.settings.database_url):
        try:
            await runtime.processor.release_all_claims()
        except Exception:
            # Serve anyway: /readyz reports the database, and leases free the claims later.
            log.exception("inbox.release_failed")
    await _check_schema(runtime)
    await _warm_up_ad_filter()
    runtime.inbox_writer.start()
    telegram = runtime.platforms.get("telegram")
    if isinstance(telegram, TelegramPlatform):
        runtime.learn_username = asyncio.create_task(
            _learn_username(telegram), name="telegram-getme"
        )
        # Commands waiting in the inbox (a backlog after downtime) are read with our name known,
        # unless Telegram cannot tell it in time; until then `/cmd@somebot` is left alone.
        await asyncio.wait({runtime.learn_username}, timeout=USERNAME_FIRST_WAIT)
    runtime.processor.start()
    runtime.leader.start()
    log.info("service.started", platforms=sorted(runtime.platforms))


async def stop_runtime(runtime: Runtime) -> None:
    if runtime.learn_username:
        runtime.learn_username.cancel()
    await runtime.leader.stop()
    await runtime.processor.stop()
    await runtime.inbox_writer.stop()
    await runtime.http.aclose()
    await runtime.engine.dispose()


async def _check_schema(runtime: Runtime) -> None:
    # Served anyway, as with a database that is down: /readyz stays 503 until it is migrated.
    try:
        state = await database_schema(runtime.engine)
    except Exception as exc:
        log.warning("schema.unknown", error=type(exc).__name__)
        return
    if state != "current":
        log.error("schema.not_current", state=state, advice=SCHEMA_ADVICE[state])


async def _warm_up_ad_filter() -> None:
    # Before serving: built while serving, its first message built it on the event loop (a
    # 2.4 s stall), and even in a thread it held the GIL and set off full garbage collections
    # that made acks take 100-400 ms. In a thread still, so the loop stays live for the lifespan.
    try:
        await asyncio.to_thread(warm_up)
    except Exception:
        log.exception("adfilter.warm_up_failed")
    _freeze_what_lives_on()


@cache
def _freeze_what_lives_on() -> None:
    # The starter model lives as long as the process: some 200,000 lists that every full
    # collection walked (100 ms each on the eval machine, stalling the event loop about once a
    # second under load: p99 at the ingest ceiling 152 -> 32 ms). Frozen, they are never walked
    # again. Collected first so no garbage is frozen with them; once a process, as the model is
    # built once (tests start many apps in one process).
    gc.collect()
    gc.freeze()


async def _learn_username(platform: TelegramPlatform) -> None:
    """Know our @username so `/cmd@otherbot` in a group with several bots is left alone.

    Asked again until Telegram answers: while the name is unknown, a command aimed at any bot
    is left alone (`split_command`), or `/ban@otherbot @alice` would be ours to carry out."""
    delay = USERNAME_RETRY_FIRST
    while True:
        try:
            me = await platform.get_me()
        except Exception as exc:
            log.warning("telegram.getme_failed", error=str(exc), retry_in=delay)
        else:
            platform.bot_username = me.get("username")
            return
        await asyncio.sleep(delay)
        delay = min(delay * 2, USERNAME_RETRY_MAX)
