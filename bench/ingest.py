"""Webhook ingest benchmark: Qunbot's store-then-ack webhook against a bare FastAPI endpoint.

Both run as separate processes on one uvicorn worker with the same settings; this process is the
client, on loopback only. Printed: throughput ceiling (closed loop) as a ratio to the bare
endpoint, latency at a fixed offered load (open loop), and a durability check (every
acknowledged update is in the inbox). PostgreSQL is measured too when QUNBOT_BENCH_PG_URL (or
QUNBOT_TEST_DATABASE_URL) is set.

    .venv/bin/python bench/ingest.py [--seconds 5] [--rate 500] [--connections 64]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadgen import closed_loop, open_loop

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "bench-secret"
TOKEN = "123456789:AAH-benchTokenNeverSentAnywhere_0123456"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def update_body(number: int) -> bytes:
    chat = -1001000000000 - number % 50
    return (
        b'{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"is_bot":false,'
        b'"first_name":"Member"},"chat":{"id":%d,"type":"supergroup","title":"Bench"},'
        b'"date":1764000000,"text":"hello everyone, this is message %d"}}'
        % (number + 1, number + 1, 1000 + number % 997, chat, number)
    )


def reset_postgres(url: str) -> None:
    from alembic import command

    from bot.db.migrate import alembic_config

    command.downgrade(alembic_config(url), "base")
    command.upgrade(alembic_config(url), "heads")


async def wait_ready(port: int, path: str = "/healthz") -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(400):
            try:
                await client.get(f"http://127.0.0.1:{port}{path}")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.05)
    raise RuntimeError(f"server on {port} did not start")


def start_bare(port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_app.py"), str(port)])


def start_qunbot(port: int, database_url: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUNBOT_")}
    env.update(
        QUNBOT_DATABASE_URL=database_url,
        QUNBOT_PORT=str(port),
        QUNBOT_TELEGRAM_TOKEN=TOKEN,
        # Nothing listens here: outbound calls fail fast, inbound work is what is measured.
        QUNBOT_TELEGRAM_API_BASE=f"http://127.0.0.1:{free_port()}",
        QUNBOT_WEBHOOK_SECRET=SECRET,
        QUNBOT_LOG_LEVEL="WARNING",
    )
    return subprocess.Popen([str(BIN / "qunbot"), "serve", "--migrate"], env=env)


async def stored_count(database_url: str) -> int:
    from sqlalchemy import func, select

    from bot.db.engine import create_engine
    from bot.db.models import InboxUpdate

    engine = create_engine(database_url)
    async with engine.connect() as conn:
        count = await conn.scalar(select(func.count()).select_from(InboxUpdate))
    await engine.dispose()
    return count


async def open_count(database_url: str) -> int:
    from sqlalchemy import func, select
    from sqlalchemy.exc import OperationalError

    from bot.db.engine import create_engine
    from bot.db.models import InboxUpdate

    engine = create_engine(database_url)
    try:
        while True:
            try:
                async with engine.connect() as conn:
                    return await conn.scalar(
                        select(func.count())
                        .select_from(InboxUpdate)
                        .where(InboxUpdate.status.in_(("pending", "processing")))
                    )
            except OperationalError:
                # SQLite: the server works off the backlog in write transactions, and on a
                # loaded machine one can outlast the busy timeout of this (IMMEDIATE) read.
                await asyncio.sleep(0.2)
    finally:
        await engine.dispose()


async def run_server(name, process, port, args, database_url=None):
    """Steady load first (a fresh server, as in normal running), then the ceiling, then the
    time the processor needs to work off what the ceiling left behind."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    path = "/webhook/telegram"
    drain = None
    try:
        await wait_ready(port)
        steady = await open_loop(
            "127.0.0.1",
            port,
            path,
            update_body,
            rate=args.rate,
            seconds=args.seconds,
            headers=headers,
        )
        ceiling = await closed_loop(
            "127.0.0.1",
            port,
            path,
            lambda n: update_body(10_000_000 + n),
            connections=args.connections,
            seconds=args.seconds,
            headers=headers,
        )
        if database_url:
            backlog, started = await open_count(database_url), time.perf_counter()
            while await open_count(database_url):
                await asyncio.sleep(0.2)
            drain = backlog / (time.perf_counter() - started) if backlog else float("nan")
    finally:
        process.terminate()
        process.wait(timeout=30)
    print(f"{name:<22} @{args.rate:.0f}/s  {steady.summary()}")
    print(f"{name:<22} ceiling {ceiling.summary()}")
    if drain is not None:
        print(f"{name:<22} processing (handlers, after the ceiling): {drain:.0f} updates/s")
    return ceiling, steady


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()

    print(
        f"ingest benchmark: {args.seconds:.0f}s per phase, {args.connections} connections, "
        f"open loop at {args.rate:.0f} updates/s, one uvicorn worker each, loopback"
    )
    port = free_port()
    bare, _ = await run_server("bare FastAPI {}", start_bare(port), port, args)

    targets = []
    tmp = tempfile.mkdtemp(prefix="qunbot-bench-")
    targets.append(("qunbot (SQLite)", f"sqlite+aiosqlite:///{tmp}/bench.db"))
    pg = os.environ.get("QUNBOT_BENCH_PG_URL") or os.environ.get("QUNBOT_TEST_DATABASE_URL")
    if pg:
        # Alembic runs its own event loop (migrations/env.py), so not on this one.
        await asyncio.to_thread(reset_postgres, pg)
        targets.append(("qunbot (PostgreSQL)", pg))
    for name, url in targets:
        port = free_port()
        ceiling, steady = await run_server(name, start_qunbot(port, url), port, args, url)
        stored = await stored_count(url)
        acked = ceiling.ok + steady.ok
        print(
            f"{name:<22} ratio to bare: {ceiling.rate / bare.rate:.2f}x (goal >= 0.5x); "
            f"p99 @{args.rate:.0f}/s {steady.percentile(0.99):.2f} ms (goal < 10 ms)"
        )
        print(
            f"{name:<22} durability: {stored} stored >= {acked} acknowledged: "
            f"{'yes' if stored >= acked else 'NO'}"
        )


if __name__ == "__main__":
    started = time.perf_counter()
    asyncio.run(main())
    print(f"done in {time.perf_counter() - started:.1f}s")
