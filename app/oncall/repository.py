"""The console queue as one paged query: the work is the page, not the history behind it.

Only open cases are read (the partial index ``ix_cases_queue``), the access rules of
``app.oncall.access`` are the WHERE clause, and the order is ``routing.queue_order``'s, written in
SQL: urgent first, then cases in the operator's languages (or waiting past the aging limit), then
longest waiting, then alias. Operators' logins are joined for the shown page only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, func, literal, or_, select, text, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.oncall import access
from app.platform.models import QUEUE_OPEN, AlertRef, Case, CaseAccess, Operator, UTCDateTime
from routing.queue import DEFAULT_AGING

PAGE_SIZE = 50


@dataclass
class QueueRow:
    case: Case
    assigned_login: str | None


@dataclass
class QueuePage:
    rows: list[QueueRow]
    page: int
    has_next: bool


def _since() -> ColumnElement[Any]:
    """When the case started waiting: the expression ``ix_cases_queue`` is built on."""
    return func.coalesce(Case.waiting_since, Case.created_at)


def visible_to(operator: Operator) -> ColumnElement[bool]:
    """``access.Reach.covers`` as SQL: theirs, let in, alerted about, or waiting in one of their languages."""
    if access.sees_everything(operator):
        return true()
    languages = list(operator.languages or [])
    granted = exists().where(CaseAccess.case_id == Case.id, CaseAccess.operator_id == operator.id)
    alerted = exists().where(AlertRef.case_id == Case.id, AlertRef.operator_id == operator.id)
    speaks = or_(Case.language.is_(None), Case.language.in_(languages), alerted) if languages else true()
    return or_(Case.assigned_operator_id == operator.id, granted,
               and_(Case.assigned_operator_id.is_(None), Case.status == "waiting", speaks))  # fmt: skip


def _order(operator: Operator, now: datetime) -> list[Any]:
    languages = list(operator.languages or [])
    aged = _since() <= literal(now - DEFAULT_AGING, UTCDateTime())
    in_language = or_(Case.language.is_(None), Case.language.in_(languages) if languages else false(), aged)
    return [case((Case.urgent.is_(True), 0), else_=1), case((in_language, 0), else_=1), _since(), Case.alias]


async def queue_page(session: AsyncSession, operator: Operator, now: datetime, page: int = 1,
                     size: int = PAGE_SIZE) -> QueuePage:  # fmt: skip
    """One page of the operator's queue (1-based); one row more than the page says whether another follows."""
    page = max(page, 1)
    query = (
        select(Case, Operator.login)
        .outerjoin(Operator, Operator.id == Case.assigned_operator_id)
        .where(text(QUEUE_OPEN), Case.erased.is_(False), visible_to(operator))  # an erased case is never offered
        .order_by(*_order(operator, now))
        .offset((page - 1) * size)
        .limit(size + 1)
    )
    rows = [QueueRow(c, login) for c, login in (await session.execute(query)).all()]
    return QueuePage(rows=rows[:size], page=page, has_next=len(rows) > size)
