"""A small HTTP/1.1 keep-alive load generator for loopback benchmarks.

Two modes: closed loop (N connections, each sends as soon as its last answer arrived: the
throughput ceiling) and open loop (requests scheduled at a fixed rate; latency is measured from
the scheduled time, so a stalled server cannot hide its queueing).
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Result:
    sent: int = 0
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000

    def summary(self) -> str:
        p50 = statistics.median(self.latencies) * 1000 if self.latencies else float("nan")
        return (
            f"{self.rate:9.0f} req/s  ok={self.ok} errors={self.errors}  "
            f"p50={p50:.2f} ms  p99={self.percentile(0.99):.2f} ms"
        )


class Connection:
    def __init__(self, host: str, port: int, path: str, headers: dict[str, str]) -> None:
        self.host, self.port, self.path = host, port, path
        self.head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, body: bytes) -> int:
        request = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}\r\n{self.head}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        self.writer.write(request)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await self.reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self) -> None:
        if self.writer:
            self.writer.close()


async def closed_loop(
    host: str,
    port: int,
    path: str,
    make_body: Callable[[int], bytes],
    *,
    connections: int,
    seconds: float,
    headers: dict[str, str] | None = None,
) -> Result:
    result = Result()
    counter = itertools.count()
    conns = [Connection(host, port, path, headers or {}) for _ in range(connections)]
    await asyncio.gather(*(c.open() for c in conns))
    deadline = time.perf_counter() + seconds

    async def worker(conn: Connection) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            result.sent += 1
            status = await conn.post(make_body(next(counter)))
            result.latencies.append(time.perf_counter() - started)
            if status == 200:
                result.ok += 1
            else:
                result.errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in conns))
    result.seconds = time.perf_counter() - started
    for conn in conns:
        conn.close()
    return result


async def open_loop(
    host: str,
    port: int,
    path: str,
    make_body: Callable[[int], bytes],
    *,
    rate: float,
    seconds: float,
    connections: int = 64,
    headers: dict[str, str] | None = None,
) -> Result:
    result = Result()
    total = int(rate * seconds)
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    conns = [Connection(host, port, path, headers or {}) for _ in range(connections)]
    await asyncio.gather(*(c.open() for c in conns))

    async def worker(conn: Connection) -> None:
        while (item := await queue.get()) is not None:
            number, scheduled = item
            result.sent += 1
            status = await conn.post(make_body(number))
            result.latencies.append(time.perf_counter() - scheduled)
            if status == 200:
                result.ok += 1
            else:
                result.errors += 1

    workers = [asyncio.create_task(worker(c)) for c in conns]
    start = time.perf_counter()
    for number in range(total):
        scheduled = start + number / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((number, scheduled))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    result.seconds = time.perf_counter() - start
    for conn in conns:
        conn.close()
    return result
