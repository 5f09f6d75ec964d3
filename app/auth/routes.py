"""Sign-in pages: password, then TOTP when the operator set it up; sign-out; TOTP set-up by QR code."""

from __future__ import annotations

import uuid
from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from app.auth import service
from app.auth.deps import (
    TOTP_COOKIE,
    TOTP_MAX_AGE,
    CurrentOperator,
    end_session,
    set_cookie,
    signer,
    start_session,
    verify_csrf,
)
from app.deps import ServicesDep, SessionDep
from app.models import Operator
from app.privacy import audit
from app.web.templating import render

router = APIRouter(prefix="/auth", dependencies=[Depends(verify_csrf)], include_in_schema=False)
FormStr = Annotated[str, Form()]


def safe_next(target: str | None) -> str:
    """Only our own paths, so the sign-in page cannot bounce someone to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console"


@router.get("/login")
async def login_page(request: Request, next: str = "") -> Response:
    return render(request, "login.html", {"next": safe_next(next), "error": None})


@router.post("/login")
async def login(request: Request, session: SessionDep, services: ServicesDep, login: FormStr = "",
                password: FormStr = "", next: FormStr = "") -> Response:  # fmt: skip
    result = await service.check_password(session, login, password, services.clock())
    if result.operator is None:
        await session.commit()
        return render(request, "login.html", {"next": safe_next(next), "error": "login.failed"}, 401)
    response = RedirectResponse(safe_next(next) if not result.needs_totp else "/auth/totp?next=" + safe_next(next), 303)
    if result.needs_totp:
        token = signer(services).sign("totp", {"op": str(result.operator.id)}, TOTP_MAX_AGE)
        set_cookie(request, response, TOTP_COOKIE, token, TOTP_MAX_AGE, strict=True)
    else:
        start_session(request, response, result.operator)
    await session.commit()
    return response


async def _pending(request: Request, session: SessionDep, services: ServicesDep) -> Operator | None:
    data = signer(services).load("totp", request.cookies.get(TOTP_COOKIE))
    if not data:
        return None
    return await session.get(Operator, uuid.UUID(str(data["op"])))


@router.get("/totp")
async def totp_page(request: Request, session: SessionDep, services: ServicesDep, next: str = "") -> Response:
    if await _pending(request, session, services) is None:
        return RedirectResponse("/auth/login", 303)
    return render(request, "totp.html", {"next": safe_next(next), "error": None})


@router.post("/totp")
async def totp(request: Request, session: SessionDep, services: ServicesDep, code: FormStr = "",
               next: FormStr = "") -> Response:  # fmt: skip
    operator = await _pending(request, session, services)
    if operator is None:
        return RedirectResponse("/auth/login", 303)
    if not service.check_totp(session, services.vault, operator, code, services.clock()):
        await session.commit()
        return render(request, "totp.html", {"next": safe_next(next), "error": "login.totp_failed"}, 401)
    response = RedirectResponse(safe_next(next), 303)
    start_session(request, response, operator)
    await session.commit()
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    from app.auth.deps import load_operator

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
async def totp_setup_page(request: Request, operator: CurrentOperator, services: ServicesDep) -> Response:
    secret = service.new_totp_secret()
    token = signer(services).sign("totp_setup", {"op": str(operator.id), "s": secret}, 900)
    return render(request, "totp_setup.html", {
        "qr": _qr_svg(service.provisioning_uri(secret, operator.login)), "secret": secret, "token": token,
        "enabled": bool(operator.totp_secret_enc), "error": None, "done": False,
    })  # fmt: skip


@router.post("/2fa")
async def totp_setup(request: Request, operator: CurrentOperator, session: SessionDep, services: ServicesDep,
                     token: FormStr = "", code: FormStr = "") -> Response:  # fmt: skip
    data = signer(services).load("totp_setup", token)
    if not data or data.get("op") != str(operator.id):
        return RedirectResponse("/auth/2fa", 303)
    secret = str(data["s"])
    ok = service.enable_totp(session, services.vault, operator, secret, code, services.clock())
    await session.commit()
    return render(request, "totp_setup.html", {
        "qr": _qr_svg(service.provisioning_uri(secret, operator.login)), "secret": secret, "token": token,
        "enabled": ok or bool(operator.totp_secret_enc), "error": None if ok else "totp.wrong_code", "done": ok,
    }, 200 if ok else 400)  # fmt: skip
