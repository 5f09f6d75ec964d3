"""Admins manage operator accounts: add, roles, languages, deactivate, reset password or TOTP, unlock."""

from __future__ import annotations

from typing import cast
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from app.auth import sessions, throttle
from app.auth.deps import Admin
from app.auth.passwords import hash_password
from app.auth.service import reset_totp as clear_totp
from app.operators.service import ROLES, OperatorError, upsert_operator, validate
from app.platform import languages as registry
from app.platform.audit import audit
from app.platform.deps import ClockDep, SessionDep, VaultDep
from app.platform.models import Operator, Role
from app.web.forms import FormList, FormStr
from app.web.session import verify_csrf
from app.web.templating import render

router = APIRouter(prefix="/admin/accounts", dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _done(message: str = "", error: str = "") -> RedirectResponse:
    query = f"?error={quote(error)}" if error else (f"?done={quote(message)}" if message else "")
    return RedirectResponse(f"/admin/accounts{query}", 303)


@router.get("")
async def accounts_page(request: Request, _: Admin, session: SessionDep, vault: VaultDep, clock: ClockDep, error: str = "",
                        done: str = "") -> Response:  # fmt: skip
    operators = (await session.scalars(select(Operator).order_by(Operator.active.desc(), Operator.login))).all()
    throttled = await throttle.account_state(session, vault, [o.login for o in operators], clock())
    return render(request, "admin_accounts.html", {
        "operators": operators, "roles": ROLES, "op_languages": registry.codes(), "error": error, "done": done,
        "throttled": throttled,
    })  # fmt: skip


@router.post("")
async def create(admin: Admin, session: SessionDep, vault: VaultDep, login: FormStr = "", name: FormStr = "",
                 role: FormStr = "operator", password: FormStr = "", languages: FormList = []) -> Response:  # noqa: B006  # fmt: skip
    try:
        await upsert_operator(session, vault, login=login.strip().lower(), name=name.strip() or login,
                              role=role, languages=languages, password=password, create_only=True,
                              actor=admin.login)  # fmt: skip
    except OperatorError:
        await session.rollback()
        return _done(error="account_invalid")
    return _done("created")


async def _target(session: SessionDep, login: str) -> Operator | None:
    return await session.scalar(select(Operator).where(Operator.login == login))


@router.post("/{login}/update")
async def update(login: str, admin: Admin, session: SessionDep, clock: ClockDep, role: FormStr = "operator", name: FormStr = "",
                 active: FormStr = "", languages: FormList = []) -> Response:  # noqa: B006  # fmt: skip
    target = await _target(session, login)
    if target is None:
        return _done(error="not_found_account")
    try:
        validate(target.login, role, languages, None, None)
    except OperatorError:
        return _done(error="account_invalid")
    is_active = active in ("1", "on", "true")
    if target.id == admin.id and (role != "admin" or not is_active):
        return _done(error="self_lockout")
    changes = {"role": role, "languages": ",".join(languages), "active": is_active}
    if role != target.role or (target.active and not is_active):
        # A new role or a deactivation applies now: every open session of the person ends.
        await sessions.end_all(session, target.id, clock(), "role" if is_active else "deactivated")
    target.role, target.languages, target.active = cast(Role, role), list(languages), is_active  # validated above
    if name.strip():
        target.display_name = name.strip()[:128]
    if not is_active:
        target.available = False
    audit(session, admin.login, "operator.update", target.login, **changes)
    return _done("updated")


@router.post("/{login}/password")
async def reset_password(login: str, admin: Admin, session: SessionDep, vault: VaultDep, clock: ClockDep,
                         password: FormStr = "") -> Response:  # fmt: skip
    target = await _target(session, login)
    if target is None:
        return _done(error="not_found_account")
    if len(password) < 8:
        return _done(error="password_short")
    target.password_hash = hash_password(password)
    target.failed_logins, target.locked_until = 0, None
    await sessions.end_all(session, target.id, clock(), "password")
    await throttle.clear(session, vault, target.login)
    audit(session, admin.login, "operator.password_reset", target.login)
    return _done("password")


@router.post("/{login}/totp-reset")
async def reset_totp(login: str, admin: Admin, session: SessionDep) -> Response:
    target = await _target(session, login)
    if target is None:
        return _done(error="not_found_account")
    clear_totp(session, target, admin.login)
    return _done("totp")


@router.post("/{login}/unlock")
async def unlock(login: str, admin: Admin, session: SessionDep, vault: VaultDep) -> Response:
    """Forget the account's failed sign-ins: new browsers are no longer slowed down."""
    target = await _target(session, login)
    if target is None:
        return _done(error="not_found_account")
    target.failed_logins, target.locked_until = 0, None
    await throttle.clear(session, vault, target.login)
    audit(session, admin.login, "operator.unlock", target.login)
    return _done("unlocked")


@router.post("/{login}/sessions/end")
async def end_sessions(login: str, admin: Admin, session: SessionDep, clock: ClockDep) -> Response:
    """A lost laptop: every browser signed in as this person is signed out now."""
    target = await _target(session, login)
    if target is None:
        return _done(error="not_found_account")
    ended = await sessions.end_all(session, target.id, clock(), "ended")
    audit(session, admin.login, "operator.sessions_ended", target.login, count=ended)
    return _done("sessions")
