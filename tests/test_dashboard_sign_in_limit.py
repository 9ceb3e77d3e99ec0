"""Wrong dashboard passwords counted per real client address (the one a trusted proxy names),
an IPv6 client by its /64, with a cap across all addresses that slows guessing but locks out
no address that is not guessing itself."""

from __future__ import annotations

import asyncio

import pytest

from bot.web import dashboard_sign_in_limit as limit
from tests.harness import BotHarness
from tests.test_dashboard import PASSWORD


@pytest.fixture
async def dash(make_settings, monkeypatch):
    monkeypatch.setattr(limit, "FAILURE_DELAY", 0.0)
    harness = await BotHarness(make_settings(dashboard_password=PASSWORD)).start()
    yield harness
    await harness.close()


async def sign_in_from(harness: BotHarness, address: str, password: str = PASSWORD) -> int:
    """A sign-in through a proxy on this host (trusted by default) for a client at `address`."""
    response = await harness.client.post(
        "/dashboard/login", data={"password": password}, headers={"X-Forwarded-For": address}
    )
    return response.status_code


async def test_an_ipv6_guesser_cannot_step_to_the_next_address_of_its_block(dash):
    for n in range(limit.FAILURES_ALLOWED):
        assert await sign_in_from(dash, f"2001:db8::{n + 1:x}", "guess") == 401
    assert await sign_in_from(dash, "2001:db8::ffff", "guess") == 429
    assert await sign_in_from(dash, "2001:db8::beef") == 429
    # Another block, and an IPv4 client, are someone else.
    assert await sign_in_from(dash, "2001:db8:0:1::1") == 303
    assert await sign_in_from(dash, "198.51.100.2") == 303


async def test_past_the_global_cap_each_address_gets_one_try_and_nobody_is_locked_out(
    dash, monkeypatch
):
    monkeypatch.setattr(limit, "GLOBAL_FAILURES", 20)
    guessers = [f"203.0.113.{n}" for n in range(1, 6)]
    for address in guessers:
        for _ in range(4):
            assert await sign_in_from(dash, address, "guess") == 401
    # 20 wrong passwords in the window: a guesser with 4 of its own (of 10) is stopped...
    assert await sign_in_from(dash, guessers[0], "guess") == 429
    assert await sign_in_from(dash, guessers[1]) == 429
    # ...while an address that has not guessed still signs in, or gets one wrong try.
    assert await sign_in_from(dash, "198.51.100.2") == 303
    assert await sign_in_from(dash, "198.51.100.3", "typo") == 401
    assert await sign_in_from(dash, "198.51.100.3") == 429


async def test_parallel_guesses_from_one_address_get_no_more_than_the_allowance(dash):
    answers = await asyncio.gather(
        *(sign_in_from(dash, "203.0.113.50", "guess") for _ in range(3 * limit.FAILURES_ALLOWED))
    )
    # Each attempt counts every one stored before it looked, its own included: of attempts that
    # overlap, some may all be refused (none checked), but never more than 10 checked.
    assert answers.count(401) <= limit.FAILURES_ALLOWED
    assert set(answers) <= {401, 429}
