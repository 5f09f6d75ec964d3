"""Operators: accounts, password hashes and their encrypted ways to be reached."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import sessions, throttle
from app.auth.passwords import hash_password
from app.auth.service import reset_totp
from app.platform import languages as registry
from app.platform.audit import audit
from app.platform.db import create_engine, create_sessionmaker, session_scope
from app.platform.identity import Vault
from app.platform.models import Operator, Role
from app.platform.settings import Settings

ROLES = ("operator", "coordinator", "admin")
LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,62}$")
PHONE_RE = re.compile(r"^\+[1-9]\d{6,14}$")


class OperatorError(ValueError):
    """Invalid operator data; the message says which field."""


def validate(login: str, role: str, languages: list[str], phone: str | None, password: str | None) -> None:
    if not LOGIN_RE.match(login):
        raise OperatorError(f"login {login!r}: use 2-63 lower-case letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise OperatorError(f"role {role!r}: choose one of {', '.join(ROLES)}")
    bad = [x for x in languages if not registry.is_supported(x)]
    if bad or not languages:
        raise OperatorError(f"languages: choose from {', '.join(registry.codes())}")
    if phone is not None and not PHONE_RE.match(phone):
        raise OperatorError("phone: use international format, e.g. +77010000001")
    if password is not None and len(password) < 8:
        raise OperatorError("password: at least 8 characters")


async def upsert_operator(
    session: AsyncSession,
    vault: Vault,
    *,
    login: str,
    name: str,
    role: str,
    languages: list[str],
    password: str | None = None,
    telegram_chat_id: int | None = None,
    phone: str | None = None,
    create_only: bool = False,
    actor: str = "system",
) -> Operator:
    validate(login, role, languages, phone, password)
    operator = await session.scalar(select(Operator).where(Operator.login == login))
    if operator is not None and create_only:
        raise OperatorError(f"operator {login!r} already exists")
    if operator is None:
        operator = Operator(id=uuid.uuid4(), login=login)
        session.add(operator)
    operator.display_name, operator.role, operator.languages = name, cast(Role, role), list(languages)  # validated
    if password:
        operator.password_hash = hash_password(password)
    if telegram_chat_id is not None:
        operator.telegram_chat_enc = vault.encrypt(str(telegram_chat_id), f"operator:{operator.id}:telegram")
        operator.telegram_pseudonym = vault.pseudonym("telegram", str(telegram_chat_id))
    if phone is not None:
        operator.phone_enc = vault.encrypt(phone, f"operator:{operator.id}:phone")
        operator.phone_pseudonym = vault.pseudonym("sms", phone)
    audit(session, actor, "operator.upsert", login, role=role)
    await session.flush()
    return operator


async def ensure_operator(settings: Settings, **fields: Any) -> Operator:
    """Create or update an operator from the CLI, in its own transaction."""
    engine = create_engine(settings.database_url)
    vault = Vault(settings.pepper.get_secret_value() if settings.pepper else "", settings.key_list)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            return await upsert_operator(session, vault, **fields)
    finally:
        await engine.dispose()


async def reset_access(session: AsyncSession, vault: Vault, login: str, password: str, now: datetime,
                       actor: str = "cli") -> Operator:  # fmt: skip
    """The way back in for a locked-out admin: new password, no TOTP, no throttle, every old session ended."""
    validate(login, "operator", ["ru"], None, password)
    operator = await session.scalar(select(Operator).where(Operator.login == login))
    if operator is None:
        raise OperatorError(f"no operator {login!r}")
    operator.password_hash = hash_password(password)
    operator.failed_logins, operator.locked_until, operator.active = 0, None, True
    reset_totp(session, operator, actor)
    await throttle.clear(session, vault, login)
    ended = await sessions.end_all(session, operator.id, now, "password")
    audit(session, actor, "operator.reset", login, sessions_ended=ended)
    await session.flush()
    return operator
