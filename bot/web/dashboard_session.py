"""The dashboard's sign-in: a browser cannot send the API's bearer header when it follows a
link, so `QUNBOT_DASHBOARD_PASSWORD` is typed once into a form and a signed cookie stands for it.

The cookie is `<payload>.<mac>`: the payload carries the session's random token, its CSRF
token and when it expires, the mac is an HMAC-SHA256 under a key derived from the password and
the bot's token. The session itself is a row in the database (`dashboard_session_store`, found
by the token's hash), so signing out ends it for a copied cookie too, and every replica sees
that. The signature still counts: a forged cookie costs no query, and changing the password
(or the token) signs everyone out. The key is stretched (PBKDF2) so that a stolen cookie is no
cheap oracle for guessing the password.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from bot.settings import Settings

COOKIE = "qunbot_dashboard"
LIFETIME_SECONDS = 12 * 3600
_KDF_ROUNDS = 200_000
_KDF_SALT = b"qunbot-dashboard-session"


@dataclass(frozen=True)
class DashboardSession:
    """A signed-in browser: the token naming its row, its CSRF token and when the session ends
    (Unix seconds)."""

    token: str
    csrf: str
    expires: int

    @property
    def token_hash(self) -> str:
        """What the database keeps of the token: a copy of the table opens no session."""
        return hashlib.sha256(self.token.encode()).hexdigest()


def enabled(settings: Settings) -> bool:
    return settings.dashboard_password is not None


def password_matches(settings: Settings, given: str) -> bool:
    """Compared in constant time, as the API compares its bearer token."""
    if settings.dashboard_password is None:
        return False
    expected = settings.dashboard_password.get_secret_value().encode()
    return hmac.compare_digest(given.encode(), expected)


_keys: dict[tuple[str, str], bytes] = {}


async def signing_key(settings: Settings) -> bytes:
    """The key cookies are signed with; derived once a process, in a thread: the 0.1 s of
    stretching would otherwise stall every update and send waiting on the event loop."""
    assert settings.dashboard_password is not None
    token = settings.telegram_token.get_secret_value() if settings.telegram_token else ""
    secret = (settings.dashboard_password.get_secret_value(), token)
    key = _keys.get(secret)
    if key is None:
        key = await asyncio.to_thread(_derive, *secret)
        if len(_keys) > 8:  # one password a process, but tests start many apps
            _keys.clear()
        _keys[secret] = key
    return key


def _derive(password: str, pepper: str) -> bytes:
    return hashlib.pbkdf2_hmac(
        "sha256", password.encode(), _KDF_SALT + b"\0" + pepper.encode(), _KDF_ROUNDS
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(key: bytes, now: float | None = None) -> tuple[str, DashboardSession]:
    """A new session and the cookie value that carries it, signed with `key`."""
    now = time.time() if now is None else now
    session = DashboardSession(token=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(24),
                               expires=int(now) + LIFETIME_SECONDS)
    fields = {"sid": session.token, "csrf": session.csrf, "exp": session.expires}
    payload = _b64(json.dumps(fields).encode())
    mac = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)}", session


def read(key: bytes, cookie: str | None, now: float | None = None) -> DashboardSession | None:
    """The session a cookie carries; None when it is missing, forged, damaged or expired.
    Whether it is still open (not signed out) is the database's to say."""
    if not cookie or cookie.count(".") != 1 or len(cookie) > 512:
        return None
    payload, _, mac = cookie.partition(".")
    expected = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(_unb64(mac), expected):
            return None
        data = json.loads(_unb64(payload))
        session = DashboardSession(token=str(data["sid"]), csrf=str(data["csrf"]),
                                   expires=int(data["exp"]))
    except (ValueError, KeyError, TypeError):
        return None
    now = time.time() if now is None else now
    return session if session.expires > now else None


def csrf_matches(session: DashboardSession, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), session.csrf.encode())
