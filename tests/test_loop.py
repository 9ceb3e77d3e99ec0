"""Background loops back off while their work keeps failing (a database that is down), and
go back to polling once a round succeeds."""

from __future__ import annotations

import asyncio

from bot.loop import DrainLoop
from tests.harness import eventually


class Flaky(DrainLoop):
    name = "flaky"

    def __init__(self, poll_interval: float, failing: bool = True) -> None:
        super().__init__(poll_interval)
        self.failing = failing
        self.rounds = 0

    async def run_once(self) -> int:
        self.rounds += 1
        if self.failing:
            raise ConnectionError("database is down")
        return 0


async def test_a_failing_loop_backs_off_and_recovers():
    loop = Flaky(poll_interval=0.01)
    loop.start()
    await asyncio.sleep(0.6)
    failing_rounds = loop.rounds
    # Polling every 10 ms would be ~60 rounds; doubling waits (20, 40, 80... ms) allow ~6.
    assert 2 <= failing_rounds <= 10, failing_rounds
    loop.failing = False
    # The backoff sleep in progress (at most ~0.64 s here) ends, then polling resumes.
    await eventually(lambda: _at_least(loop, failing_rounds + 5), timeout=3)
    await loop.stop()


async def _at_least(loop: Flaky, rounds: int) -> bool:
    return loop.rounds >= rounds
