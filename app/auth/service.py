"""Checking who someone is: password, optional TOTP, lockout, and the audit trail of each try."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.passwords import hash_password, verify_password
from app.platform.audit import audit
from app.platform.identity import Vault
from app.platform.models import Operator

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
ISSUER = "Helpline"
# Verifying against a real hash for unknown logins keeps the answer time the same.
_DUMMY_HASH = hash_password("not-a-real-password-x")


@dataclass
class SignIn:
    """Outcome of a password check: the operator when it passed, else a reason for the audit log."""

    operator: Operator | None
    reason: str | None = None
    needs_totp: bool = False


def _locked(operator: Operator, now: datetime) -> bool:
    return operator.locked_until is not None and operator.locked_until > now


def register_failure(session: AsyncSession, operator: Operator | None, login: str, reason: str, now: datetime) -> None:
    """Count a failed try; the fifth in a row locks the account for 15 minutes."""
    if operator is not None and reason != "locked":
        operator.failed_logins = (operator.failed_logins or 0) + 1
        if operator.failed_logins >= MAX_FAILURES:
            operator.locked_until = now + LOCKOUT
            operator.failed_logins = 0
            audit(session, login[:64], "auth.locked", login[:64], until=operator.locked_until.isoformat())
    audit(session, login[:64], "auth.login.failed", None, reason=reason)


def register_success(session: AsyncSession, operator: Operator) -> None:
    operator.failed_logins = 0
    operator.locked_until = None
    audit(session, operator.login, "auth.login.ok", None)


async def check_password(session: AsyncSession, login: str, password: str, now: datetime) -> SignIn:
    """First factor; on failure the attempt is counted and audited before returning."""
    login = login.strip().lower()
    operator = await session.scalar(select(Operator).where(Operator.login == login)) if login else None
    ok = verify_password(operator.password_hash if operator else _DUMMY_HASH, password)
    reason: str | None = None
    if operator is None:
        reason = "unknown_login"
    elif not operator.active:
        reason = "inactive"
    elif _locked(operator, now):
        reason = "locked"
    elif not ok:
        reason = "bad_password"
    if reason:
        register_failure(session, operator, login or "-", reason, now)
        return SignIn(None, reason)
    assert operator is not None
    if operator.totp_secret_enc:
        return SignIn(operator, needs_totp=True)
    register_success(session, operator)
    return SignIn(operator)


def totp_secret(vault: Vault, operator: Operator) -> str | None:
    return vault.decrypt_opt(operator.totp_secret_enc, f"operator:{operator.id}:totp")


def check_totp(session: AsyncSession, vault: Vault, operator: Operator, code: str, now: datetime) -> bool:
    """Second factor; a wrong code counts toward the same lockout as a wrong password."""
    if not operator.active or _locked(operator, now):
        register_failure(session, operator, operator.login, "locked" if operator.active else "inactive", now)
        return False
    secret = totp_secret(vault, operator)
    code = "".join(ch for ch in code if ch.isdigit())
    if secret and len(code) == 6 and pyotp.TOTP(secret).verify(code, for_time=now, valid_window=1):
        register_success(session, operator)
        return True
    register_failure(session, operator, operator.login, "bad_totp", now)
    return False


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, login: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=ISSUER)


def enable_totp(session: AsyncSession, vault: Vault, operator: Operator, secret: str, code: str, now: datetime) -> bool:
    """Turn TOTP on only once the person proved their app shows the right code."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6 or not pyotp.TOTP(secret).verify(code, for_time=now, valid_window=1):
        audit(session, operator.login, "auth.totp.enable_failed", operator.login)
        return False
    operator.totp_secret_enc = vault.encrypt(secret, f"operator:{operator.id}:totp")
    audit(session, operator.login, "auth.totp.enabled", operator.login)
    return True
