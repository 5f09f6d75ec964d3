"""Who may open a case: need to know, not "any operator, any alias".

An operator reads a case's conversation only when it is theirs, when it is in
their queue (waiting for a human, in one of their languages, or alerted to
them by the rota), or when it was transferred to them or a coordinator opened
it for them (a ``CaseAccess`` row). Bot-only and closed cases are nobody's
queue, so an alias alone opens nothing. Coordinators and admins see every
case; every opening is audited, and coordinators see who opened what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.audit import audit
from app.platform.errors import Forbidden
from app.platform.models import AlertRef, AuditEntry, Case, CaseAccess, Operator

# Repeated views of one case by one person within this window are one audit entry.
VIEW_AUDIT_WINDOW = timedelta(minutes=10)


class NotInQueue(Forbidden):
    code = "not_in_queue"


def sees_everything(operator: Operator) -> bool:
    return operator.role in ("coordinator", "admin")


@dataclass
class Reach:
    """The cases outside an operator's languages they were let into (grants) or alerted about."""

    granted: set
    alerted: set

    def covers(self, case: Case, operator: Operator) -> bool:
        if case.assigned_operator_id == operator.id or case.id in self.granted:
            return True
        if case.assigned_operator_id is not None or case.status != "waiting":
            return False
        languages = list(operator.languages or [])
        return case.language is None or not languages or case.language in languages or case.id in self.alerted


async def reach(session: AsyncSession, operator: Operator) -> Reach:
    granted = await session.scalars(select(CaseAccess.case_id).where(CaseAccess.operator_id == operator.id))
    alerted = await session.scalars(select(AlertRef.case_id).where(AlertRef.operator_id == operator.id))
    return Reach(set(granted.all()), set(alerted.all()))


async def ensure_may_open(session: AsyncSession, case: Case, operator: Operator) -> None:
    """Raise Forbidden unless the operator has a need to see this case."""
    if sees_everything(operator):
        return
    if case.assigned_operator_id not in (None, operator.id):
        raise Forbidden("this case belongs to a colleague")
    if not (await reach(session, operator)).covers(case, operator):
        raise NotInQueue("this case is not in your queue")


async def grant(session: AsyncSession, case: Case, operator: Operator, by: str) -> None:
    """Let ``operator`` into ``case`` (a transfer to them, or a coordinator opening it for them)."""
    exists = await session.scalar(select(CaseAccess.id).where(CaseAccess.case_id == case.id,
                                                              CaseAccess.operator_id == operator.id))  # fmt: skip
    if exists is None:
        session.add(CaseAccess(case_id=case.id, operator_id=operator.id, granted_by=by))
    audit(session, by, "case.access_granted", case.alias, to=operator.login)


async def record_view(session: AsyncSession, case: Case, operator: Operator, now: datetime) -> None:
    """Audit that ``operator`` read the conversation (once per window, not once per refresh)."""
    recent = await session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == "case.view", AuditEntry.target == case.alias, AuditEntry.actor == operator.login,
        AuditEntry.at > now - VIEW_AUDIT_WINDOW).limit(1))  # fmt: skip
    if recent is None:
        session.add(AuditEntry(at=now, actor=operator.login, action="case.view", target=case.alias, details={}))


async def viewers(session: AsyncSession, alias: str, limit: int = 50) -> list[tuple[str, datetime]]:
    """Who opened the case, newest first (for coordinators)."""
    rows = await session.execute(select(AuditEntry.actor, AuditEntry.at).where(
        AuditEntry.action == "case.view", AuditEntry.target == alias).order_by(AuditEntry.at.desc()).limit(limit))  # fmt: skip
    return [(actor, at) for actor, at in rows.all()]
