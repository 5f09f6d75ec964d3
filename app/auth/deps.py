"""Who is asking, may they, and did the form come from our own page.

``CurrentOperator`` and ``require_role(...)`` are Annotated aliases for route
signatures; ``verify_csrf`` guards every unsafe method of the web routers.
"""

from __future__ import annotations

import hmac
import uuid
from typing import Annotated, Any

from fastapi import Depends, Request, Response

from app.auth.tokens import Signer, new_nonce, password_stamp
from app.deps import ServicesDep, SessionDep
from app.models import Operator
from app.services import Services

SESSION_COOKIE = "hl_session"
PRE_COOKIE = "hl_pre"
TOTP_COOKIE = "hl_totp"
LANG_COOKIE = "hl_lang"
SESSION_MAX_AGE = 12 * 3600
PRE_MAX_AGE = 2 * 3600
TOTP_MAX_AGE = 300
RANK = {"operator": 1, "coordinator": 2, "admin": 3}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotSignedIn(Exception):
    """No valid session: pages send the browser to sign in, APIs answer 401."""


class RoleRequired(Exception):
    """Signed in, but the role is too low for this page."""

    def __init__(self, role: str) -> None:
        super().__init__(role)
        self.role = role


class CsrfFailed(Exception):
    """An unsafe request without the token of the page that made it."""


def signer(services: Services) -> Signer:
    cached = services.extras.get("web_signer")
    if cached is None:
        secret = services.settings.secret_key.get_secret_value() if services.settings.secret_key else ""
        cached = services.extras["web_signer"] = Signer(secret)
    return cached


def _services(request: Request) -> Services:
    return request.app.state.services


def secure_cookies(request: Request) -> bool:
    return request.url.scheme == "https" or _services(request).settings.public_url.startswith("https://")


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int, *, strict: bool = False) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, secure=secure_cookies(request),
                        samesite="strict" if strict else "lax", path="/")  # fmt: skip


def session_data(request: Request) -> dict[str, Any] | None:
    return signer(_services(request)).load("session", request.cookies.get(SESSION_COOKIE))


def start_session(request: Request, response: Response, operator: Operator) -> None:
    """Issue a fresh session (new nonce, so a pre-login CSRF token is not reused)."""
    data = {"op": str(operator.id), "n": new_nonce(), "ps": password_stamp(operator.password_hash)}
    set_cookie(request, response, SESSION_COOKIE, signer(_services(request)).sign("session", data, SESSION_MAX_AGE),
               SESSION_MAX_AGE)  # fmt: skip
    response.delete_cookie(TOTP_COOKIE, path="/")


def end_session(response: Response) -> None:
    for name in (SESSION_COOKIE, TOTP_COOKIE):
        response.delete_cookie(name, path="/")


def pre_nonce(request: Request) -> tuple[str, bool]:
    """The anonymous browser's nonce (for the sign-in form's CSRF token); True when newly made."""
    cached = getattr(request.state, "pre_nonce", None)
    if cached:
        return cached
    data = signer(_services(request)).load("pre", request.cookies.get(PRE_COOKIE))
    result = (str(data["n"]), False) if data else (new_nonce(), True)
    request.state.pre_nonce = result
    return result


def ensure_pre_cookie(request: Request, response: Response) -> None:
    nonce, fresh = pre_nonce(request)
    if fresh:
        set_cookie(request, response, PRE_COOKIE, signer(_services(request)).sign("pre", {"n": nonce}, PRE_MAX_AGE),
                   PRE_MAX_AGE, strict=True)  # fmt: skip


def csrf_token(request: Request) -> str:
    """Bound to the session when there is one, else to the browser's pre-login nonce."""
    data = session_data(request)
    nonce = str(data["n"]) if data else pre_nonce(request)[0]
    return signer(_services(request)).derive("csrf", nonce)


async def verify_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get("x-csrf-token")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = str((await request.form()).get("csrf") or "")
    expected = csrf_token(request)
    if not sent or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()


async def load_operator(request: Request, session: Any) -> Operator | None:
    """The signed-in, active operator whose password has not changed since sign-in."""
    data = session_data(request)
    if not data:
        return None
    try:
        operator_id = uuid.UUID(str(data.get("op")))
    except ValueError:
        return None
    operator = await session.get(Operator, operator_id)
    if operator is None or not operator.active or data.get("ps") != password_stamp(operator.password_hash):
        return None
    return operator


async def current_operator(request: Request, session: SessionDep, _services: ServicesDep) -> Operator:
    operator = await load_operator(request, session)
    if operator is None:
        raise NotSignedIn()
    request.state.operator = operator
    return operator


CurrentOperator = Annotated[Operator, Depends(current_operator)]


def has_role(operator: Operator, role: str) -> bool:
    return RANK.get(operator.role, 0) >= RANK[role]


def require_role(role: str) -> Any:
    """A dependency that lets through ``role`` and every role above it."""
    if role not in RANK:
        raise ValueError(f"unknown role {role!r}")

    async def _check(operator: CurrentOperator) -> Operator:
        if not has_role(operator, role):
            raise RoleRequired(role)
        return operator

    return Depends(_check)


Coordinator = Annotated[Operator, require_role("coordinator")]
Admin = Annotated[Operator, require_role("admin")]
