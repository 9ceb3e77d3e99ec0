"""The dashboard tests' password, operator and group page; `signed_in_dashboard` starts a bot with
the dashboard on that has seen its group from an operator, and signs in (tests use it as the
`dash` fixture in tests/conftest.py)."""

from __future__ import annotations

from tests.factories import GROUP_ID, OPERATOR_ID, make_message_update, user
from tests.harness import BotHarness, eventually

PASSWORD = "dash-pass-123"
OPERATOR = user(OPERATOR_ID, "Op")
GROUP = f"/dashboard/groups/{GROUP_ID}"


async def signed_in_dashboard(settings) -> BotHarness:
    harness = await BotHarness(settings).start()
    await harness.post_update(make_message_update("hello", sender=OPERATOR))
    await eventually(harness.settled)
    signed = await harness.client.post("/dashboard/login", data={"password": PASSWORD})
    assert signed.status_code == 303
    return harness
