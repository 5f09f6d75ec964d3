"""Who is asking, and may they: ``CurrentOperator``, ``Coordinator``, ``Admin`` for route signatures.

The cookies and CSRF token behind them are the page chrome's (``app.web.session``);
``install_page_errors`` turns the refusals into a sign-in redirect or an error page.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app.auth.sessions import live_session
from app.platform.deps import SessionDep
from app.platform.models import Operator
from app.web.session import RANK, CsrfFailed, has_role, session_data
from app.web.templating import render
from app.web.tokens import password_stamp


class NotSignedIn(Exception):
    """No valid session: pages send the browser to sign in, APIs answer 401."""


@dataclass(frozen=True)
class SignedIn:
    """What the page chrome shows of the operator, copied while the database session is still open.

    The refusal page renders after the request's session rolled back, when the
    ORM object can no longer load anything (the old DetachedInstanceError 500).
    """

    id: uuid.UUID
    login: str
    role: str
    languages: list[str]


class RoleRequired(Exception):
    """Signed in, but the role is too low for this page."""

    def __init__(self, role: str, who: SignedIn | None = None) -> None:
        super().__init__(role)
        self.role = role
        self.who = who


async def load_operator(request: Request, session: Any) -> Operator | None:
    """The signed-in, active operator whose session row is open and whose password has not changed since."""
    data = session_data(request)
    if not data or not isinstance(data.get("sid"), str):
        return None
    try:
        operator_id = uuid.UUID(str(data.get("op")))
    except ValueError:
        return None
    container = request.app.state.container
    idle = timedelta(minutes=container.settings.session_idle_minutes)
    if await live_session(session, str(data["sid"]), operator_id, container.clock(), idle) is None:
        return None
    operator = await session.get(Operator, operator_id)
    if operator is None or not operator.active or data.get("ps") != password_stamp(operator.password_hash):
        return None
    return operator  # type: ignore[no-any-return]


async def current_operator(request: Request, session: SessionDep) -> Operator:
    operator = await load_operator(request, session)
    if operator is None:
        raise NotSignedIn()
    request.state.operator = operator
    return operator


CurrentOperator = Annotated[Operator, Depends(current_operator)]


def require_role(role: str) -> Any:
    """A dependency that lets through ``role`` and every role above it."""
    if role not in RANK:
        raise ValueError(f"unknown role {role!r}")

    async def _check(operator: CurrentOperator) -> Operator:
        if not has_role(operator, role):
            raise RoleRequired(role, SignedIn(operator.id, operator.login, operator.role, list(operator.languages or [])))
        return operator

    return Depends(_check)


Coordinator = Annotated[Operator, require_role("coordinator")]
Admin = Annotated[Operator, require_role("admin")]


def _wants_html(request: Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


def install_page_errors(app: FastAPI) -> None:
    """Refusals on workspace pages: sign in first (303 or 401), role too low (403), stale form (403)."""

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, _: NotSignedIn) -> Response:
        if _wants_html(request):
            return RedirectResponse(f"/auth/login?next={request.url.path}", 303)
        return JSONResponse({"error": "not_signed_in", "message": "sign in first"}, status_code=401)

    @app.exception_handler(RoleRequired)
    async def _role(request: Request, exc: RoleRequired) -> Response:
        if _wants_html(request):
            request.state.operator = exc.who
            return render(request, "error.html", {"message": "error.role", "status": 403}, 403)
        return JSONResponse({"error": "forbidden", "message": f"needs role {exc.role}"}, status_code=403)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, _: CsrfFailed) -> Response:
        return render(request, "error.html", {"message": "error.csrf", "status": 403}, 403)
