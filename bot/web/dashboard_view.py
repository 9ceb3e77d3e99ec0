"""Rendering the dashboard's pages: Jinja2 templates shipped with the package, autoescaped
(group titles, member names and messages are written by strangers), in the reader's language.
"""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.core.i18n import LANGUAGES, translate
from bot.web import dashboard_texts  # noqa: F401  (registers the texts)

LANG_COOKIE = "qunbot_lang"
# No script runs and nothing loads from elsewhere: an injected tag that slipped past the
# escaping would still do nothing, and no other site may frame the pages.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("bot.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page_language(request: Request) -> str:
    """`?lang=zh|en`, else the one chosen before (a cookie), else the browser's
    Accept-Language, else Chinese."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    kept = request.cookies.get(LANG_COOKIE)
    if kept in LANGUAGES:
        return kept
    return accepted_language(request.headers.get("accept-language", ""))


def accepted_language(header: str) -> str:
    """The most wanted of our languages in an Accept-Language header ("en-US,en;q=0.9")."""
    best, best_q = "zh", -1.0
    for part in header.split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        try:
            q = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            continue
        lang = tag.strip().lower()[:2]
        if lang in LANGUAGES and q > best_q:
            best, best_q = lang, q
    return best


def render(request: Request, name: str, *, status: int = 200, csrf: str | None = None,
           **values: Any) -> HTMLResponse:
    lang = page_language(request)
    html = _templates().get_template(name).render(
        lang=lang, t=partial(translate, lang), csrf=csrf, **values
    )
    response = HTMLResponse(html, status_code=status, headers=HEADERS)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path="/dashboard",
                            samesite="lax", httponly=True)
    return response


def message(request: Request, key: str, *, status: int, csrf: str | None = None,
            **params: Any) -> HTMLResponse:
    """A page saying one thing (the dashboard is off, no such group...)."""
    text = translate(page_language(request), key, **params)
    return render(request, "message.html", status=status, csrf=csrf, message=text)
