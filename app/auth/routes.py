"""Sign-in pages: password, then TOTP (or a recovery code) when set up; sign-out; open sessions; TOTP by QR code."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from app.auth import service, sessions, throttle
from app.auth.deps import CurrentOperator, load_operator
from app.platform.audit import audit
from app.platform.deps import ClockDep, SessionDep, SettingsDep, VaultDep
from app.platform.identity import Vault
from app.platform.models import Operator
from app.web.forms import FormStr
from app.web.session import (
    TOTP_COOKIE,
    TOTP_MAX_AGE,
    end_session,
    known_browser,
    session_id,
    set_cookie,
    signer,
    start_session,
    verify_csrf,
)
from app.web.templating import render

router = APIRouter(prefix="/auth", dependencies=[Depends(verify_csrf)], include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only our own paths, so the sign-in page cannot bounce someone to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console"


@router.get("/login")
async def login_page(request: Request, next: str = "") -> Response:
    return render(request, "login.html", {"next": safe_next(next), "error": None})


def _attempt(request: Request, vault: Vault, login: str) -> service.Attempt:
    # Past our own proxies only (HELPLINE_TRUSTED_PROXIES), as the message rate limiter reads it.
    address = request.app.state.container.limiter.ip_of(request.client.host if request.client else None,
                                                          request.headers)  # fmt: skip
    return service.Attempt(address, known_browser(request, throttle.account_key(vault, login)))


def _refused(request: Request, template: str, next: str, result: service.SignIn) -> Response:
    """401 for a wrong password or code; 429 with Retry-After while the address or account waits."""
    if result.reason == "throttled":
        response = render(request, template, {"next": safe_next(next), "error": "login.throttled",
                                               "wait": result.retry_after}, 429)  # fmt: skip
        response.headers["Retry-After"] = str(result.retry_after)
        return response
    error = "login.failed" if template == "login.html" else "login.totp_failed"
    return render(request, template, {"next": safe_next(next), "error": error}, 401)


async def _signed_in(request: Request, session: SessionDep, vault: Vault, operator: Operator, target: str,
                     now: datetime) -> Response:  # fmt: skip
    response = RedirectResponse(target, 303)
    sid = await sessions.open_session(session, operator.id, now)
    start_session(request, response, operator, sid, throttle.account_key(vault, operator.login))
    return response


@router.post("/login")
async def login(request: Request, session: SessionDep, vault: VaultDep, clock: ClockDep, login: FormStr = "",
                password: FormStr = "", next: FormStr = "") -> Response:  # fmt: skip
    now = clock()
    result = await service.check_password(session, vault, login, password, _attempt(request, vault, login), now)
    if result.operator is None:
        return _refused(request, "login.html", next, result)
    if result.needs_totp:
        response = RedirectResponse("/auth/totp?next=" + safe_next(next), 303)
        token = signer(request).sign("totp", {"op": str(result.operator.id)}, TOTP_MAX_AGE)
        set_cookie(request, response, TOTP_COOKIE, token, TOTP_MAX_AGE, strict=True)
        return response
    return await _signed_in(request, session, vault, result.operator, safe_next(next), now)


async def _pending(request: Request, session: SessionDep) -> Operator | None:
    data = signer(request).load("totp", request.cookies.get(TOTP_COOKIE))
    if not data:
        return None
    try:
        return await session.get(Operator, uuid.UUID(str(data["op"])))
    except (KeyError, ValueError):
        return None


@router.get("/totp")
async def totp_page(request: Request, session: SessionDep, next: str = "") -> Response:
    if await _pending(request, session) is None:
        return RedirectResponse("/auth/login", 303)
    return render(request, "totp.html", {"next": safe_next(next), "error": None})


@router.post("/totp")
async def totp(request: Request, session: SessionDep, vault: VaultDep, clock: ClockDep, code: FormStr = "",
               next: FormStr = "") -> Response:  # fmt: skip
    operator = await _pending(request, session)
    if operator is None:
        return RedirectResponse("/auth/login", 303)
    now = clock()
    result = await service.check_totp(session, vault, operator, code, _attempt(request, vault, operator.login), now)
    if result.operator is None:
        return _refused(request, "totp.html", next, result)
    return await _signed_in(request, session, vault, operator, safe_next(next), now)


@router.post("/logout")
async def logout(request: Request, session: SessionDep, clock: ClockDep) -> Response:
    """Ends the server-side row: the cookie, wherever it was copied, opens nothing afterwards."""
    operator = await load_operator(request, session)
    sid = session_id(request)
    if sid is not None:
        await sessions.end_session(session, sid, clock())
    if operator is not None:
        audit(session, operator.login, "auth.logout", None)
    response = RedirectResponse("/auth/login", 303)
    end_session(response)
    return response


@router.get("/sessions")
async def sessions_page(request: Request, operator: CurrentOperator, session: SessionDep, settings: SettingsDep,
                        clock: ClockDep) -> Response:  # fmt: skip
    rows = await sessions.open_sessions(session, operator.id, clock(), timedelta(minutes=settings.session_idle_minutes))
    sid = session_id(request)
    return render(request, "sessions.html", {"sessions": [
        {"handle": sessions.handle(r), "created": r.created_at, "seen": r.last_seen_at,
         "current": sessions.is_current(r, sid)} for r in rows]})  # fmt: skip


@router.post("/sessions/{handle}/end")
async def end_one(request: Request, handle: str, operator: CurrentOperator, session: SessionDep,
                  clock: ClockDep) -> Response:  # fmt: skip
    if await sessions.end_by_handle(session, operator.id, handle, clock()):
        audit(session, operator.login, "auth.session.ended", operator.login)
    return RedirectResponse("/auth/sessions", 303)


@router.post("/sessions/end-others")
async def end_others(request: Request, operator: CurrentOperator, session: SessionDep, clock: ClockDep) -> Response:
    ended = await sessions.end_all(session, operator.id, clock(), "ended", keep=session_id(request))
    audit(session, operator.login, "auth.session.ended_others", operator.login, count=ended)
    return RedirectResponse("/auth/sessions", 303)


def _qr_svg(uri: str) -> Markup:
    # segno writes only the QR path and our escaped URI-free markup; nothing user-typed is in it.
    return Markup(segno.make(uri, error="m").svg_inline(scale=5, dark="#111", light="#fff"))


@router.get("/2fa")
async def totp_setup_page(request: Request, operator: CurrentOperator) -> Response:
    secret = service.new_totp_secret()
    token = signer(request).sign("totp_setup", {"op": str(operator.id), "s": secret}, 900)
    return render(request, "totp_setup.html", {
        "qr": _qr_svg(service.provisioning_uri(secret, operator.login)), "secret": secret, "token": token,
        "enabled": bool(operator.totp_secret_enc), "error": None, "done": False,
    })  # fmt: skip


@router.post("/2fa")
async def totp_setup(request: Request, operator: CurrentOperator, session: SessionDep, vault: VaultDep,
                     clock: ClockDep, token: FormStr = "", code: FormStr = "") -> Response:  # fmt: skip
    data = signer(request).load("totp_setup", token)
    if not data or data.get("op") != str(operator.id):
        return RedirectResponse("/auth/2fa", 303)
    secret = str(data["s"])
    codes = service.enable_totp(session, vault, operator, secret, code, clock())
    ok = codes is not None
    return render(request, "totp_setup.html", {
        "qr": _qr_svg(service.provisioning_uri(secret, operator.login)), "secret": secret, "token": token,
        "enabled": ok or bool(operator.totp_secret_enc), "error": None if ok else "totp.wrong_code", "done": ok,
        "recovery_codes": codes or [],
    }, 200 if ok else 400)  # fmt: skip
