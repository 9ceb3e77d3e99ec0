"""Every route the app serves needs the dashboard token, but the few meant for others: the
webhook (its own secret), health, readiness and metrics, and the dashboard's pages, which need
its session instead (a page sends to the sign-in form, a post is refused)."""

from __future__ import annotations

import re

from starlette.routing import Route

from tests.schedules.test_api import AUTH, api  # noqa: F401  (the fixture)

PUBLIC = {"/webhook/telegram", "/healthz", "/readyz", "/metrics", "/dashboard/login"}


def served(routes) -> list[Route]:
    """The app's routes, those of included routers too."""
    found = []
    for route in routes:
        if isinstance(route, Route):
            found.append(route)
        elif (included := getattr(route, "original_router", None)) is not None:
            found += served(included.routes)
    return found


async def test_no_route_but_the_public_ones_answers_without_the_token(api):  # noqa: F811
    # Regression: FastAPI's /openapi.json, describing every route and body of the API, was
    # served to anyone.
    routes = served(api.app.routes)
    assert {route.path for route in routes} >= PUBLIC
    for route in routes:
        if route.path in PUBLIC:
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        if path.startswith("/dashboard"):
            for method in route.methods or {"GET"}:
                response = await api.client.request(method, path, headers=AUTH)
                expected = 303 if method == "GET" else 401
                assert response.status_code == expected, (method, route.path)
            continue
        for method in route.methods or {"GET"}:
            response = await api.client.request(method, path)
            assert response.status_code == 401, (method, route.path, response.status_code)
            authorized = await api.client.request(method, path, headers=AUTH)
            assert authorized.status_code != 401, (method, route.path)
    assert (await api.client.get("/openapi.json")).status_code in (401, 404)
