"""Health, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select

from bot.db.migrate import SCHEMA_ADVICE, database_schema
from bot.db.models import InboxUpdate, OutboxAction
from bot.web.state import Runtime

log = structlog.get_logger(__name__)
router = APIRouter()
READINESS_TIMEOUT = 3.0


@router.get("/healthz")
async def healthz() -> dict:
    return {"ok": True}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    try:
        # Bounded: a probe that hangs on a pool waiting for a dead database is no answer.
        schema = await asyncio.wait_for(database_schema(runtime.engine), READINESS_TIMEOUT)
    except Exception as exc:
        return JSONResponse({"ok": False, "database": type(exc).__name__}, status_code=503)
    if schema != "current":
        return JSONResponse({"ok": False, "database": "ok", "schema": SCHEMA_ADVICE[schema]},
                            status_code=503)
    return JSONResponse({"ok": True, "database": "ok", "leader": runtime.leader.is_leader})


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    try:
        # Bounded, and the counters served whatever the database does: a scrape that fails or
        # hangs while the database is down loses the very numbers that show the outage.
        outbox, inbox = await asyncio.wait_for(_depths(runtime), READINESS_TIMEOUT)
    except Exception as exc:
        log.warning("metrics.depth_unknown", error=type(exc).__name__)
        outbox = inbox = float("nan")
    runtime.metrics.outbox_depth.set(outbox)
    runtime.metrics.inbox_depth.set(inbox)
    return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)


async def _depths(runtime: Runtime) -> tuple[int, int]:
    async with runtime.sessions() as session:
        outbox = await session.scalar(
            select(func.count())
            .select_from(OutboxAction)
            .where(OutboxAction.status.in_(("pending", "queued")))
        )
        inbox = await session.scalar(
            select(func.count())
            .select_from(InboxUpdate)
            .where(InboxUpdate.status.in_(("pending", "processing")))
        )
    return outbox or 0, inbox or 0
