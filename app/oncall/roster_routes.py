"""Coordinators see and change who is on call: operators, the week ahead, overrides, escalation; import/export.

Everything goes through ``app.oncall.roster_store``: an import is validated
whole (``routing.RosterError`` lists every problem with its line) before
anything changes, and an override typed into the form is applied as
"export + one change → import", so it passes the same validation.
The page never shows a phone number or chat id; only the export (a file the
coordinator asked for, audited) carries them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from app.auth.deps import Coordinator
from app.oncall.roster_store import export_roster, import_roster, load_roster
from app.platform.audit import audit
from app.platform.deps import ClockDep, SessionDep, VaultDep
from app.platform.models import Operator
from app.web.forms import FormStr
from app.web.session import verify_csrf
from app.web.templating import render
from routing import RosterError, RosterIssue, Schedule, timeline
from routing.schedule import local_date_range

router = APIRouter(prefix="/admin/roster", dependencies=[Depends(verify_csrf)], include_in_schema=False)
MAX_UPLOAD = 512 * 1024
WEEK_DAYS = 7


@dataclass
class DayRow:
    day: date
    shifts: list[tuple[str, str, str]]  # (login, from HH:MM, to HH:MM) in the schedule's zone


def week_view(schedule: Schedule, first_day: date) -> list[DayRow]:
    """Who is on call on each of 7 local days, from ``routing.timeline`` clipped to each day."""
    tz = ZoneInfo(schedule.timezone)
    rows = []
    for offset in range(WEEK_DAYS):
        day = first_day + timedelta(days=offset)
        start, end = local_date_range(schedule, day, 1)
        shifts = []
        for shift in timeline(schedule, start, end):
            begins, ends = shift.start.astimezone(tz), shift.end.astimezone(tz)
            shifts.append((shift.login, begins.strftime("%H:%M"), "24:00" if ends.date() > day else ends.strftime("%H:%M")))
        rows.append(DayRow(day, shifts))
    return rows


def _local(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def _step_target(step: Any) -> str:
    if step.notify.schedule:
        return f"schedule: {step.notify.schedule}"
    if step.notify.coordinators:
        return "coordinators"
    return ", ".join(step.notify.operators)


async def _page(request: Request, session: SessionDep, clock: ClockDep, *, week: str = "",
                errors: list[RosterIssue] | None = None, changes: list[str] | None = None, text: str = "",
                override_error: str = "", status_code: int = 200) -> Response:  # fmt: skip
    operators = (await session.scalars(select(Operator).order_by(Operator.login))).all()
    try:
        roster = await load_roster(session)
    except RosterError as exc:  # a stored roster that no longer parses: show it, still allow a fresh import
        roster, errors = None, (errors or []) + list(exc.errors)
    try:
        first = date.fromisoformat(week) if week else None
    except ValueError:
        first = None
    schedules = []
    for schedule in roster.schedules if roster else ():
        start = first or clock().astimezone(ZoneInfo(schedule.timezone)).date()
        overrides = [(o.login, _local(o.start, schedule.timezone), _local(o.end, schedule.timezone), o.replaces)
                     for o in schedule.overrides]  # fmt: skip
        schedules.append({"schedule": schedule, "days": week_view(schedule, start), "overrides": overrides,
                          "prev": (start - timedelta(days=7)).isoformat(), "next": (start + timedelta(days=7)).isoformat()})  # fmt: skip
    policies = [{"policy": p, "steps": [(_step_target(s), ", ".join(s.via), s.wait_seconds) for s in p.steps]}
                for p in (roster.policies if roster else ())]  # fmt: skip
    return render(request, "admin_roster.html", {
        "operators": [{"login": o.login, "name": o.display_name, "role": o.role, "languages": o.languages or [],
                       "telegram": bool(o.telegram_chat_enc), "sms": bool(o.phone_enc), "active": o.active}
                      for o in operators],
        "schedules": schedules, "policies": policies, "errors": errors or [], "changes": changes,
        "import_text": text, "override_error": override_error, "week": week,
        "logins": [o.login for o in operators if o.active],
    }, status_code)  # fmt: skip


@router.get("")
async def roster_page(request: Request, _: Coordinator, session: SessionDep, clock: ClockDep,
                      week: str = "") -> Response:  # fmt: skip
    return await _page(request, session, clock, week=week)


async def _import(request: Request, session: SessionDep, vault: VaultDep, clock: ClockDep, operator: Operator,
                  text: str, action: str) -> Response:  # fmt: skip
    try:
        report = await import_roster(session, vault, text, actor=operator.login)
    except RosterError as exc:
        await session.rollback()
        await session.refresh(operator)  # the page header still shows who is signed in
        # An override's document is the export (phone numbers): never echo it into the page.
        shown = text if action == "roster.import" else ""
        return await _page(request, session, clock, errors=list(exc.errors), text=shown, status_code=400)
    if action != "roster.import":
        audit(session, operator.login, action, None, changes=len(report.changes))
    return await _page(request, session, clock, changes=report.changes or ["—"])


@router.post("/import")
async def roster_import(request: Request, operator: Coordinator, session: SessionDep, vault: VaultDep,
                        clock: ClockDep, text: FormStr = "", file: UploadFile | None = None) -> Response:  # fmt: skip
    """Paste or upload the whole roster file; on any error nothing changes and every problem is listed."""
    if file is not None and file.filename:
        raw = await file.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            issue = RosterIssue(None, "", f"the file is larger than {MAX_UPLOAD // 1024} KiB")
            return await _page(request, session, clock, errors=[issue], status_code=400)
        text = raw.decode("utf-8", errors="replace")
    if not text.strip():
        return await _page(request, session, clock, errors=[RosterIssue(None, "", "the file is empty")], status_code=400)
    return await _import(request, session, vault, clock, operator, text, "roster.import")


@router.get("/export")
async def roster_export(operator: Coordinator, session: SessionDep, vault: VaultDep, clock: ClockDep) -> Response:
    """The roster file with phone numbers and chat ids: coordinators only, and every download is audited."""
    text = await export_roster(session, vault)
    audit(session, operator.login, "roster.export", None)
    stamp = clock().strftime("%Y%m%d-%H%M")
    return Response(text, media_type="application/x-yaml; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="roster-{stamp}.yml"', "Cache-Control": "no-store"})  # fmt: skip


@router.post("/override")
async def roster_override(request: Request, operator: Coordinator, session: SessionDep, vault: VaultDep,
                          clock: ClockDep, schedule: FormStr = "", login: FormStr = "", start: FormStr = "", end: FormStr = "",
                          replaces: FormStr = "") -> Response:  # fmt: skip
    """Someone covers a window: added to the stored file and re-validated like an import."""
    data = yaml.safe_load(await export_roster(session, vault)) or {}
    target = next((s for s in data.get("schedules") or [] if s.get("name") == schedule), None)
    if target is None or not login or not start or not end:
        return await _page(request, session, clock, override_error="roster.override_incomplete", status_code=400)
    entry = {"login": login, "start": start.replace(" ", "T")[:16], "end": end.replace(" ", "T")[:16]}
    if replaces:
        entry["replaces"] = replaces
    target.setdefault("overrides", []).append(entry)
    return await _import(request, session, vault, clock, operator,
                         yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "roster.override")  # fmt: skip
