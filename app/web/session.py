"""The browser's side of a workspace session: signed cookies, the CSRF token, the roles a page may show.

Every page the chrome renders carries a CSRF token bound to the session (or,
before sign-in, to a Strict pre-login cookie), so this lives beside the
templates; *who* may sign in, and how, is ``app.auth``.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import Request, Response
from starlette.requests import HTTPConnection

from app.platform.models import Operator
from app.web.tokens import Signer, new_nonce, password_stamp

SESSION_COOKIE = "hl_session"
PRE_COOKIE = "hl_pre"
TOTP_COOKIE = "hl_totp"
LANG_COOKIE = "hl_lang"
KNOWN_COOKIE = "hl_known"
SESSION_MAX_AGE = 12 * 3600
KNOWN_MAX_AGE = 180 * 86400
PRE_MAX_AGE = 2 * 3600
TOTP_MAX_AGE = 300
RANK = {"operator": 1, "coordinator": 2, "admin": 3}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(Exception):
    """An unsafe request without the token of the page that made it."""


def signer(conn: HTTPConnection) -> Signer:
    """The app's one signer (built from ``settings.secret_key`` with the container)."""
    return conn.app.state.container.signer  # type: ignore[no-any-return]


def has_role(operator: Operator, role: str) -> bool:
    return RANK.get(operator.role, 0) >= RANK[role]


def secure_cookies(request: Request) -> bool:
    return request.url.scheme == "https" or request.app.state.container.settings.public_url.startswith("https://")


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int, *, strict: bool = False) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, secure=secure_cookies(request),
                        samesite="strict" if strict else "lax", path="/")  # fmt: skip


def session_data(request: Request) -> dict[str, Any] | None:
    return signer(request).load("session", request.cookies.get(SESSION_COOKIE))


def session_id(request: Request) -> str | None:
    """The server-side session the cookie names (``app.auth.sessions`` decides if it is still open)."""
    data = session_data(request)
    sid = data.get("sid") if data else None
    return sid if isinstance(sid, str) else None


def start_session(request: Request, response: Response, operator: Operator, sid: str, known: str) -> None:
    """Issue a fresh session (new nonce, so a pre-login CSRF token is not reused) naming row ``sid``.

    ``known`` marks this browser as one that signed in to the account, so the
    account's sign-in delay (``app.auth.throttle``) does not slow it down.
    """
    data = {"op": str(operator.id), "n": new_nonce(), "ps": password_stamp(operator.password_hash), "sid": sid}
    set_cookie(request, response, SESSION_COOKIE, signer(request).sign("session", data, SESSION_MAX_AGE),
               SESSION_MAX_AGE)  # fmt: skip
    set_cookie(request, response, KNOWN_COOKIE, signer(request).sign("known", {"a": known}, KNOWN_MAX_AGE),
               KNOWN_MAX_AGE, strict=True)  # fmt: skip
    response.delete_cookie(TOTP_COOKIE, path="/")


def known_browser(request: Request, account: str) -> bool:
    """Did this browser sign in to ``account`` (its throttle key) before?"""
    data = signer(request).load("known", request.cookies.get(KNOWN_COOKIE))
    return bool(data) and data.get("a") == account  # type: ignore[union-attr]


def end_session(response: Response) -> None:
    for name in (SESSION_COOKIE, TOTP_COOKIE):
        response.delete_cookie(name, path="/")


def pre_nonce(request: Request) -> tuple[str, bool]:
    """The anonymous browser's nonce (for the sign-in form's CSRF token); True when newly made."""
    cached = getattr(request.state, "pre_nonce", None)
    if cached:
        return cached  # type: ignore[no-any-return]
    data = signer(request).load("pre", request.cookies.get(PRE_COOKIE))
    result = (str(data["n"]), False) if data else (new_nonce(), True)
    request.state.pre_nonce = result
    return result


def ensure_pre_cookie(request: Request, response: Response) -> None:
    nonce, fresh = pre_nonce(request)
    if fresh:
        set_cookie(request, response, PRE_COOKIE, signer(request).sign("pre", {"n": nonce}, PRE_MAX_AGE),
                   PRE_MAX_AGE, strict=True)  # fmt: skip


def csrf_token(request: Request) -> str:
    """Bound to the session when there is one, else to the browser's pre-login nonce."""
    data = session_data(request)
    nonce = str(data["n"]) if data else pre_nonce(request)[0]
    return signer(request).derive("csrf", nonce)


async def verify_csrf(request: Request) -> None:
    """Guards every unsafe method of every workspace router."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get("x-csrf-token")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = str((await request.form()).get("csrf") or "")
    expected = csrf_token(request)
    if not sent or not hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), expected.encode()):
        raise CsrfFailed()
