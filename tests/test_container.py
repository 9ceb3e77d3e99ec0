"""The container's entrypoint command, run outside Docker (no engine here): migrate, then serve."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from pathlib import Path

import httpx

from tests.factories import make_message_update
from tests.fakes.telegram_api import TOKEN

ROOT = Path(__file__).resolve().parent.parent


def dockerfile_command() -> list[str]:
    """ENTRYPOINT + CMD exactly as the Dockerfile declares them (exec form)."""
    entry, cmd = [], []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("ENTRYPOINT "):
            entry = json.loads(line.removeprefix("ENTRYPOINT "))
        elif line.startswith("CMD "):
            cmd = json.loads(line.removeprefix("CMD "))
    return entry + cmd


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_entrypoint_migrates_then_serves(tmp_path, fake_telegram):
    command = dockerfile_command()
    assert command == ["qunbot", "serve", "--migrate"]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUNBOT_")}
    env.update(
        QUNBOT_HOST="127.0.0.1",
        QUNBOT_PORT=str(port),
        QUNBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'data.db'}",
        QUNBOT_TELEGRAM_TOKEN=TOKEN,
        QUNBOT_TELEGRAM_API_BASE=fake_telegram.base_url,
    )
    executable = str(Path(sys.executable).parent / command[0])
    process = await asyncio.create_subprocess_exec(
        executable, *command[1:], env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(200):
                try:
                    ready = await client.get("/readyz")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            assert ready.json()["ok"] is True
            answer = await client.post("/webhook/telegram", json=make_message_update("/help"))
            assert answer.status_code == 200
        (sent,) = await fake_telegram.wait_for("sendMessage")
        assert sent["text"].startswith("可用命令")
    finally:
        process.terminate()
        _, err = await asyncio.wait_for(process.communicate(), 20)
    logs = err.decode()
    assert '"event": "service.started"' in logs
    assert TOKEN not in logs
    # Served without QUNBOT_WEBHOOK_SECRET (the image sets none): said once, at start, since
    # anyone who finds the address could post updates as an operator.
    (open_webhook,) = [line for line in logs.splitlines() if "webhook.unauthenticated" in line]
    assert "QUNBOT_WEBHOOK_SECRET is not set" in open_webhook
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells why.
    assert "Application shutdown complete." in logs
    assert process.returncode in (0, -15)


async def test_without_a_token_the_telegram_adapter_says_it_is_off(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUNBOT_")}
    env.update(
        QUNBOT_PORT=str(port), QUNBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}"
    )
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "qunbot"),
        "serve",
        "--migrate",
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(200):
                try:
                    health = await client.get("/healthz")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            assert health.status_code == 200
    finally:
        process.terminate()
        _, err = await asyncio.wait_for(process.communicate(), 20)
    lines = [line for line in err.decode().splitlines() if "telegram.off" in line]
    assert len(lines) == 1 and "QUNBOT_TELEGRAM_TOKEN is not set" in lines[0]
