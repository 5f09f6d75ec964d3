"""Server-side sessions: the cookie names a row, and only a live row signs anyone in.

Logout ends the row, so a cookie copied before it is worthless after; a
password, role or deactivation change ends every row of that operator; a row
unused for ``session_idle_minutes`` ends by itself. The table stores the
SHA-256 of the cookie's random id, so a copy of the database opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.db import rows_affected
from app.platform.models import OperatorSession

# last_seen_at is written at most this often, not on every request.
TOUCH_EVERY = timedelta(seconds=60)


def _row_id(sid: str) -> str:
    return hashlib.sha256(f"session:{sid}".encode()).hexdigest()


def handle(row: OperatorSession) -> str:
    """A short name for a session on the sessions page (not enough to rebuild the cookie)."""
    return row.id[:12]


async def open_session(session: AsyncSession, operator_id: uuid.UUID, now: datetime) -> str:
    """A new row; the returned random id goes into the signed cookie and nowhere else."""
    sid = secrets.token_urlsafe(32)
    session.add(OperatorSession(id=_row_id(sid), operator_id=operator_id, created_at=now, last_seen_at=now))
    await session.flush()
    return sid


async def live_session(session: AsyncSession, sid: str, operator_id: uuid.UUID, now: datetime,
                       idle: timedelta) -> OperatorSession | None:  # fmt: skip
    """The session's row when it is open, belongs to this operator and was used within ``idle``."""
    row = await session.get(OperatorSession, _row_id(sid))
    if row is None or row.ended_at is not None or row.operator_id != operator_id:
        return None
    if now - row.last_seen_at > idle:
        row.ended_at, row.ended_reason = now, "idle"
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
    return row


async def end_session(session: AsyncSession, sid: str, now: datetime, reason: str = "logout") -> None:
    await session.execute(update(OperatorSession).where(OperatorSession.id == _row_id(sid),
                                                        OperatorSession.ended_at.is_(None))
                          .values(ended_at=now, ended_reason=reason))  # fmt: skip


async def end_all(session: AsyncSession, operator_id: uuid.UUID, now: datetime, reason: str, *,
                  keep: str | None = None) -> int:  # fmt: skip
    """End every open session of an operator (but ``keep``, the caller's own, when given)."""
    query = update(OperatorSession).where(OperatorSession.operator_id == operator_id,
                                          OperatorSession.ended_at.is_(None))  # fmt: skip
    if keep is not None:
        query = query.where(OperatorSession.id != _row_id(keep))
    return rows_affected(await session.execute(query.values(ended_at=now, ended_reason=reason)
                                               .execution_options(synchronize_session=False)))  # fmt: skip


async def end_by_handle(session: AsyncSession, operator_id: uuid.UUID, short: str, now: datetime) -> bool:
    """End one of the operator's own sessions named by its handle on the sessions page."""
    if len(short) != 12 or not short.isalnum():
        return False
    rows = (await session.scalars(select(OperatorSession).where(
        OperatorSession.operator_id == operator_id, OperatorSession.ended_at.is_(None),
        OperatorSession.id.startswith(short)))).all()  # fmt: skip
    for row in rows:
        row.ended_at, row.ended_reason = now, "ended"
    return bool(rows)


async def open_sessions(session: AsyncSession, operator_id: uuid.UUID, now: datetime,
                        idle: timedelta) -> list[OperatorSession]:  # fmt: skip
    rows = await session.scalars(select(OperatorSession).where(
        OperatorSession.operator_id == operator_id, OperatorSession.ended_at.is_(None),
        OperatorSession.last_seen_at > now - idle).order_by(OperatorSession.last_seen_at.desc()))  # fmt: skip
    return list(rows.all())


def is_current(row: OperatorSession, sid: str | None) -> bool:
    return sid is not None and row.id == _row_id(sid)
