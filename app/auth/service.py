"""Checking who someone is: password, single-use TOTP or a recovery code, throttling, and the audit of each try.

Failed tries are audited under the login's pseudonym (``throttle.login_pseudonym``):
a password typed into the login field never reaches the database.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import pyotp
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import throttle
from app.auth.passwords import hash_password, verify_password
from app.platform.audit import audit
from app.platform.db import rows_affected
from app.platform.identity import Vault
from app.platform.models import Operator

ISSUER = "Helpline"
RECOVERY_CODES = 10
# Verifying against a real hash for unknown logins keeps the answer time the same.
_DUMMY_HASH = hash_password("not-a-real-password-x")


@dataclass
class SignIn:
    """Outcome of a check: the operator when it passed, else a reason (and a wait when throttled)."""

    operator: Operator | None
    reason: str | None = None
    needs_totp: bool = False
    retry_after: int = 0


@dataclass
class Attempt:
    """Where a try comes from: the client address and whether this browser signed in to the account before."""

    address: str
    known_browser: bool = False


def register_failure(session: AsyncSession, vault: Vault, login: str, reason: str) -> None:
    audit(session, throttle.login_pseudonym(vault, login), "auth.login.failed", None, reason=reason)


def register_success(session: AsyncSession, operator: Operator) -> None:
    operator.failed_logins = 0
    operator.locked_until = None
    audit(session, operator.login, "auth.login.ok", None)


async def check_password(session: AsyncSession, vault: Vault, login: str, password: str, attempt: Attempt,
                         now: datetime) -> SignIn:  # fmt: skip
    """First factor; a throttled try is refused unchecked, a failed one counted and audited."""
    login = login.strip().lower()[:200]
    verdict = await throttle.check(session, vault, attempt.address, login, now, known_browser=attempt.known_browser)
    if not verdict.allowed:
        return SignIn(None, "throttled", retry_after=verdict.retry_after)
    operator = await session.scalar(select(Operator).where(Operator.login == login)) if login else None
    ok = verify_password(operator.password_hash if operator else _DUMMY_HASH, password)
    reason: str | None = None
    if operator is None:
        reason = "unknown_login"
    elif not operator.active:
        reason = "inactive"
    elif not ok:
        reason = "bad_password"
    if reason:
        if operator is not None:
            operator.failed_logins = (operator.failed_logins or 0) + 1
        await throttle.failed(session, vault, attempt.address, login or "-", now)
        register_failure(session, vault, login or "-", reason)
        return SignIn(None, reason)
    assert operator is not None
    if operator.totp_secret_enc:
        return SignIn(operator, needs_totp=True)
    await throttle.succeeded(session, vault, attempt.address, login)
    register_success(session, operator)
    return SignIn(operator)


def totp_secret(vault: Vault, operator: Operator) -> str | None:
    return vault.decrypt_opt(operator.totp_secret_enc, f"operator:{operator.id}:totp")


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (of now, one before, one after) whose code this is."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


async def _claim_step(session: AsyncSession, operator: Operator, step: int) -> bool:
    """Record ``step`` as used, only if it is later than the last used one (one UPDATE decides races)."""
    claimed = await session.execute(
        update(Operator)
        .where(Operator.id == operator.id, or_(Operator.totp_last_step.is_(None), Operator.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if rows_affected(claimed) != 1:
        return False
    operator.totp_last_step = step
    return True


def _recovery_hash(vault: Vault, operator_id: uuid.UUID, code: str) -> str:
    return vault.fingerprint(f"recovery:{operator_id}:{code}")


def _normal_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


async def check_totp(session: AsyncSession, vault: Vault, operator: Operator, code: str, attempt: Attempt,
                     now: datetime) -> SignIn:  # fmt: skip
    """Second factor: a code accepted once (its time step is remembered), or one unused recovery code."""
    verdict = await throttle.check(session, vault, attempt.address, operator.login, now,
                                   known_browser=attempt.known_browser)  # fmt: skip
    if not verdict.allowed:
        return SignIn(None, "throttled", retry_after=verdict.retry_after)
    if not operator.active:
        register_failure(session, vault, operator.login, "inactive")
        return SignIn(None, "inactive")
    secret = totp_secret(vault, operator)
    digits = "".join(ch for ch in code if ch.isdigit())
    if secret and len(digits) == 6 and len(code.strip()) <= 8:
        step = _matching_step(secret, digits, now)
        if step is not None and await _claim_step(session, operator, step):
            await throttle.succeeded(session, vault, attempt.address, operator.login)
            register_success(session, operator)
            return SignIn(operator)
        reason = "totp_reused" if step is not None else "bad_totp"
    elif _use_recovery_code(session, vault, operator, code):
        await throttle.succeeded(session, vault, attempt.address, operator.login)
        register_success(session, operator)
        return SignIn(operator)
    else:
        reason = "bad_totp"
    await throttle.failed(session, vault, attempt.address, operator.login, now)
    register_failure(session, vault, operator.login, reason)
    return SignIn(None, reason)


def _use_recovery_code(session: AsyncSession, vault: Vault, operator: Operator, code: str) -> bool:
    normal = _normal_recovery(code)
    stored = list(operator.recovery_codes or [])
    if len(normal) != 12:
        return False
    wanted = _recovery_hash(vault, operator.id, normal)
    if wanted not in stored:
        return False
    stored.remove(wanted)
    operator.recovery_codes = stored
    audit(session, operator.login, "auth.recovery_code.used", operator.login, left=len(stored))
    return True


def new_recovery_codes(vault: Vault, operator: Operator) -> list[str]:
    """Fresh one-time codes, shown once; only their keyed hashes are kept."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = ["".join(secrets.choice(alphabet) for _ in range(12)) for _ in range(RECOVERY_CODES)]
    operator.recovery_codes = [_recovery_hash(vault, operator.id, c) for c in codes]
    return [f"{c[:4]}-{c[4:8]}-{c[8:]}" for c in codes]


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, login: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=ISSUER)


def enable_totp(session: AsyncSession, vault: Vault, operator: Operator, secret: str, code: str,
                now: datetime) -> list[str] | None:  # fmt: skip
    """Turn TOTP on only once the person proved their app shows the right code; returns the recovery codes."""
    code = "".join(ch for ch in code if ch.isdigit())
    step = _matching_step(secret, code, now) if len(code) == 6 else None
    if step is None:
        audit(session, operator.login, "auth.totp.enable_failed", operator.login)
        return None
    operator.totp_secret_enc = vault.encrypt(secret, f"operator:{operator.id}:totp")
    operator.totp_last_step = step  # the code just typed cannot also sign in
    audit(session, operator.login, "auth.totp.enabled", operator.login)
    return new_recovery_codes(vault, operator)


def reset_totp(session: AsyncSession, operator: Operator, actor: str) -> None:
    operator.totp_secret_enc, operator.totp_last_step, operator.recovery_codes = None, None, []
    audit(session, actor, "operator.totp_reset", operator.login)
