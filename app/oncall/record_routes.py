"""The case record on the console's case page: picklists, referrals made, follow-ups, earlier cases, linking.

Whoever may open the case (``access.ensure_may_open``) may fill its record;
every change is audited. Forms post and redirect back, like the rest of the console.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.deps import CurrentOperator
from app.casework import picklists, service as casework
from app.oncall import access
from app.platform.deps import ClockDep, SessionDep
from app.platform.errors import HelplineError, NotFound
from app.platform.models import Case, Operator
from app.referrals.service import active_entries, localized
from app.web.forms import FormStr
from app.web.session import verify_csrf

router = APIRouter(prefix="/console/case", dependencies=[Depends(verify_csrf)], include_in_schema=False)


async def _open(session: AsyncSession, alias: str, operator: Operator) -> Case:
    case = await session.scalar(select(Case).where(Case.alias == alias.upper().strip()))
    if case is None:
        raise NotFound(f"no case {alias}")
    await access.ensure_may_open(session, case, operator)
    return case


async def record_context(session: AsyncSession, alias: str, lang: str) -> dict[str, Any]:
    """What the case page needs to show and edit the record (the page has checked access already)."""
    case = await session.scalar(select(Case).where(Case.alias == alias))
    if case is None:
        return {}
    entries = [(e.id, f"{e.country} · {localized(e.name, lang)}") for e in await active_entries(session)]
    return {
        "record": await casework.record_of(session, case), "picklists": picklists,
        "label": lambda code: picklists.label(code, lang),
        "made_referrals": await casework.referrals_of(session, case), "referral_entries": entries,
        "follow_ups": await casework.follow_ups_of(session, case),
        "checkin_allowed": case.channel in casework.CHECKIN_CHANNELS,
        "earlier": await casework.earlier_cases(session, case),
    }


def _back(alias: str, outcome: str) -> RedirectResponse:
    """Back to the case page; ``?record=`` (saved / invalid) is shown next to the record, in the page's language."""
    return RedirectResponse(f"/console/case/{quote(alias)}?record={outcome}#record", 303)


async def _do(session: AsyncSession, alias: str, operator: Operator, action: Callable[[Case], Awaitable[object]]) -> Response:
    try:
        case = await _open(session, alias, operator)
        await action(case)
    except HelplineError as exc:
        await session.rollback()
        if exc.code in ("not_found", "forbidden", "not_in_queue"):
            return RedirectResponse(f"/console?error={exc.code}", 303)
        return _back(alias, "invalid")
    return _back(case.alias, "saved")


@router.post("/{alias}/record")
async def save_record(alias: str, request: Request, operator: CurrentOperator, session: SessionDep) -> Response:
    form = await request.form()
    record = casework.RecordForm(
        single={name: str(form.get(name, "")) for name in picklists.SINGLE},
        multi={name: [str(v) for v in form.getlist(name)] for name in picklists.MULTI},
    )
    return await _do(session, alias, operator, lambda case: casework.save_record(session, case, record, operator.login))


@router.post("/{alias}/referrals")
async def add_referral(alias: str, operator: CurrentOperator, session: SessionDep, clock: ClockDep,
                       entry: FormStr = "", result: FormStr = "pending") -> Response:  # fmt: skip
    entry_id = int(entry) if entry.isdigit() else -1
    return await _do(session, alias, operator,
                     lambda case: casework.add_referral(session, case, entry_id, result, clock(), operator.login))  # fmt: skip


@router.post("/{alias}/referrals/{referral_id}")
async def referral_result(alias: str, referral_id: int, operator: CurrentOperator, session: SessionDep,
                          result: FormStr = "") -> Response:  # fmt: skip
    return await _do(session, alias, operator,
                     lambda case: casework.set_referral_result(session, case, referral_id, result, operator.login))  # fmt: skip


@router.post("/{alias}/follow-ups")
async def add_follow_up(alias: str, operator: CurrentOperator, session: SessionDep, clock: ClockDep,
                        due_at: FormStr = "", checkin: FormStr = "") -> Response:  # fmt: skip
    """``checkin`` ticked: the person agreed to a check-in message when the follow-up comes due."""
    try:
        due = datetime.fromisoformat(due_at)
    except ValueError:
        return _back(alias, "invalid")
    due = due.replace(tzinfo=UTC) if due.tzinfo is None else due.astimezone(UTC)
    return await _do(session, alias, operator,
                     lambda case: casework.schedule_follow_up(session, case, due, clock(), operator.login,
                                                              checkin=bool(checkin)))  # fmt: skip


@router.post("/{alias}/link")
async def link(alias: str, operator: CurrentOperator, session: SessionDep, earlier: FormStr = "") -> Response:
    return await _do(session, alias, operator, lambda case: casework.link_earlier(session, case, earlier, operator.login))


@router.post("/{alias}/follow-ups/{task_id}/done")
async def follow_up_done(alias: str, task_id: int, operator: CurrentOperator, session: SessionDep,
                         clock: ClockDep) -> Response:  # fmt: skip
    return await _do(session, alias, operator,
                     lambda case: casework.finish_follow_up(session, case, task_id, clock(), operator.login))  # fmt: skip


async def due_context(session: AsyncSession, operator: Operator, now: datetime, lang: str) -> dict[str, Any]:
    """Due follow-ups for the console: one's own, or everyone's for coordinators."""
    login = None if access.sees_everything(operator) else operator.login
    return {"due_follow_ups": await casework.due_follow_ups(session, now, login),
            "record_label": lambda code: picklists.label(code, lang)}  # fmt: skip
