"""Sign-in pages: password, then TOTP when the operator set it up; sign-out; TOTP set-up by QR code."""

from __future__ import annotations

import uuid

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from app.auth import service
from app.auth.deps import CurrentOperator, load_operator
from app.platform.audit import audit
from app.platform.deps import ClockDep, SessionDep, VaultDep
from app.platform.models import Operator
from app.web.forms import FormStr
from app.web.session import TOTP_COOKIE, TOTP_MAX_AGE, end_session, set_cookie, signer, start_session, verify_csrf
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


@router.post("/login")
async def login(request: Request, session: SessionDep, clock: ClockDep, login: FormStr = "",
                password: FormStr = "", next: FormStr = "") -> Response:  # fmt: skip
    result = await service.check_password(session, login, password, clock())
    if result.operator is None:
        return render(request, "login.html", {"next": safe_next(next), "error": "login.failed"}, 401)
    response = RedirectResponse(safe_next(next) if not result.needs_totp else "/auth/totp?next=" + safe_next(next), 303)
    if result.needs_totp:
        token = signer(request).sign("totp", {"op": str(result.operator.id)}, TOTP_MAX_AGE)
        set_cookie(request, response, TOTP_COOKIE, token, TOTP_MAX_AGE, strict=True)
    else:
        start_session(request, response, result.operator)
    return response


async def _pending(request: Request, session: SessionDep) -> Operator | None:
    data = signer(request).load("totp", request.cookies.get(TOTP_COOKIE))
    if not data:
        return None
    return await session.get(Operator, uuid.UUID(str(data["op"])))


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
    if not service.check_totp(session, vault, operator, code, clock()):
        return render(request, "totp.html", {"next": safe_next(next), "error": "login.totp_failed"}, 401)
    response = RedirectResponse(safe_next(next), 303)
    start_session(request, response, operator)
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep) -> Response:
    operator = await load_operator(request, session)
    if operator is not None:
        audit(session, operator.login, "auth.logout", None)
    response = RedirectResponse("/auth/login", 303)
    end_session(response)
    return response


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
    ok = service.enable_totp(session, vault, operator, secret, code, clock())
    return render(request, "totp_setup.html", {
        "qr": _qr_svg(service.provisioning_uri(secret, operator.login)), "secret": secret, "token": token,
        "enabled": ok or bool(operator.totp_secret_enc), "error": None if ok else "totp.wrong_code", "done": ok,
    }, 200 if ok else 400)  # fmt: skip
