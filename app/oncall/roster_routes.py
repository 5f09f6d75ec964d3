"""Coordinators see and change who is on call: operators, the week ahead, overrides, escalation; import/export.

Everything goes through ``app.oncall.roster_store``: an import is validated
whole (``routing.RosterError`` lists every problem with its line) before
anything changes, and every form (an operator's languages and contact, a shift,
an override, an escalation step) is applied as "export + one change → import",
so it passes the same validation. Each problem is shown in the page's language
(``roster.issue.<code>``), never routing's English.
The page never shows a phone number or chat id; only the export (a file the
coordinator asked for, audited) carries them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
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
from app.platform import languages as registry
from app.platform.audit import audit
from app.platform.deps import ClockDep, SessionDep, VaultDep
from app.platform.models import Operator
from app.web.forms import FormList, FormStr
from app.web.i18n import translate
from app.web.session import verify_csrf
from app.web.templating import render, ui_language
from routing import RosterError, RosterIssue, Schedule, timeline
from routing.model import CHANNELS, WEEKDAYS
from routing.schedule import local_date_range

router = APIRouter(prefix="/admin/roster", dependencies=[Depends(verify_csrf)], include_in_schema=False)
MAX_UPLOAD = 512 * 1024
WEEK_DAYS = 7
# How an alert reaches an operator, as the form offers it; WhatsApp uses the phone number, like SMS.
CONTACT_METHODS = ("telegram", "sms", "whatsapp")
# A form's shift is a one-person weekly layer from a fixed Monday, limited to its days and hours.
SHIFT_EPOCH = "2020-01-06"
MAX_WAIT_MINUTES = 24 * 60
DEFAULT_TIMEZONE = "Asia/Almaty"  # a new schedule's zone unless the form names another
# The form fields a problem's path may end in, shown by their label instead of the file's key.
FIELDS = ("languages", "phone", "telegram_chat_id", "days", "from", "to", "start", "end", "wait_seconds", "via",
          "timezone", "name", "members", "login", "replaces", "steps", "layers", "notify", "schedule")  # fmt: skip
Change = Callable[[dict[str, Any]], str | None]
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


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


def _step_target(step: Any, lang: str) -> str:
    """Whom a step alerts, in the page's language (the file's keys are never shown)."""
    if step.notify.schedule:
        return translate(lang, "roster.whom_schedule", name=step.notify.schedule)
    if step.notify.coordinators:
        return translate(lang, "roster.whom_coordinators")
    return ", ".join(step.notify.operators)


def shown_issue(lang: str, issue: RosterIssue, *, from_form: bool) -> dict[str, Any]:
    """One problem in the page's language: its code's text with its values; the form's field label for a form."""
    text = translate(lang, f"roster.issue.{issue.code}", **dict(issue.params)) if issue.code else issue.message
    last = issue.path.rsplit(".", 1)[-1].split("[", 1)[0] if issue.path else ""
    field = translate(lang, f"roster.field.{last}") if from_form and last in FIELDS else ""
    return {"line": None if from_form else issue.line, "path": "" if from_form else issue.path, "field": field,
            "text": text, "code": issue.code}  # fmt: skip


def _layer_row(layer: Any) -> dict[str, Any]:
    restrict = layer.restrict
    return {"members": list(layer.members), "rotation": layer.rotation, "handoff": layer.handoff.strftime("%H:%M"),
            "days": [d for d in restrict.days] if restrict else None,
            "from": restrict.start.strftime("%H:%M") if restrict else "",
            "to": restrict.end.strftime("%H:%M") if restrict else ""}  # fmt: skip


async def _page(request: Request, session: SessionDep, clock: ClockDep, *, week: str = "",
                errors: list[RosterIssue] | None = None, changes: list[str] | None = None, text: str = "",
                override_error: str = "", status_code: int = 200, from_form: bool = False) -> Response:  # fmt: skip
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
                          "layers": [_layer_row(layer) for layer in schedule.layers],
                          "prev": (start - timedelta(days=7)).isoformat(), "next": (start + timedelta(days=7)).isoformat()})  # fmt: skip
    lang = ui_language(request)
    policies = [{"policy": p, "steps": [(_step_target(s, lang), list(s.via), s.wait_seconds) for s in p.steps]}
                for p in (roster.policies if roster else ())]  # fmt: skip
    return render(request, "admin_roster.html", {
        "operators": [{"login": o.login, "name": o.display_name, "role": o.role, "languages": o.languages or [],
                       "telegram": bool(o.telegram_chat_enc), "sms": bool(o.phone_enc), "active": o.active}
                      for o in operators],
        "schedules": schedules, "policies": policies, "changes": changes,
        "errors": [shown_issue(lang, e, from_form=from_form) for e in errors or []], "from_form": from_form,
        "import_text": text, "override_error": override_error, "week": week,
        "logins": [o.login for o in operators if o.active], "weekdays": WEEKDAYS, "channels": CHANNELS,
        "contact_methods": CONTACT_METHODS, "registry_languages": registry.codes(),
        "default_timezone": DEFAULT_TIMEZONE,
    }, status_code)  # fmt: skip


@router.get("")
async def roster_page(request: Request, _: Coordinator, session: SessionDep, clock: ClockDep,
                      week: str = "") -> Response:  # fmt: skip
    return await _page(request, session, clock, week=week)


async def _import(request: Request, session: SessionDep, vault: VaultDep, clock: ClockDep, operator: Operator,
                  text: str, action: str, after: Callable[[], Awaitable[None]] | None = None) -> Response:  # fmt: skip
    try:
        report = await import_roster(session, vault, text, actor=operator.login)
    except RosterError as exc:
        await session.rollback()
        await session.refresh(operator)  # the page header still shows who is signed in
        # A form's document is the export (phone numbers): never echo it into the page.
        shown = text if action == "roster.import" else ""
        return await _page(request, session, clock, errors=list(exc.errors), text=shown, status_code=400,
                           from_form=action != "roster.import")  # fmt: skip
    if after is not None:
        await after()
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
            issue = RosterIssue.of(None, "", "file_too_large", kib=MAX_UPLOAD // 1024)
            return await _page(request, session, clock, errors=[issue], status_code=400)
        text = raw.decode("utf-8", errors="replace")
    if not text.strip():
        return await _page(request, session, clock, errors=[RosterIssue.of(None, "", "empty_file")], status_code=400)
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


async def _change(request: Request, operator: Operator, session: SessionDep, vault: VaultDep, clock: ClockDep,
                  change: Change, action: str, after: Callable[[], Awaitable[None]] | None = None) -> Response:  # fmt: skip
    """A form's change: the stored file, changed, imported whole; a form-level problem (an i18n key) first."""
    data = yaml.safe_load(await export_roster(session, vault)) or {}
    for section in ("operators", "schedules", "escalation_policies"):
        data[section] = data.get(section) or []
    problem = change(data)
    if problem is not None:
        return await _page(request, session, clock, override_error=problem, status_code=400)
    return await _import(request, session, vault, clock, operator,
                         yaml.safe_dump(data, allow_unicode=True, sort_keys=False), action, after)  # fmt: skip


@router.post("/operator")
async def roster_operator(request: Request, operator: Coordinator, session: SessionDep, vault: VaultDep,
                          clock: ClockDep, login: FormStr = "", languages: FormList = [],  # noqa: B006
                          method: FormStr = "", contact: FormStr = "") -> Response:  # fmt: skip
    """An account's languages and how alerts reach them; the contact goes in encrypted and is never shown back."""
    contact = contact.strip().replace(" ", "")

    def change(data: dict[str, Any]) -> str | None:
        entry = next((o for o in data["operators"] if o.get("login") == login), None)
        if entry is None:
            return "roster.form.unknown_account"
        if method and method not in CONTACT_METHODS:
            return "roster.form.bad_method"
        if contact and not method:
            return "roster.form.method_needed"
        if method == "telegram" and contact:
            if not contact.lstrip("-").isdigit():
                return "roster.form.bad_chat_id"
            entry["telegram_chat_id"] = int(contact)
        elif method in ("sms", "whatsapp") and contact:
            if not _E164.match(contact):  # checked here: routing's message would repeat the number
                return "roster.form.bad_phone"
            entry["phone"] = contact
        # The first language is the one their pages open in: keep the order they had, new ones after it.
        kept = [c for c in entry.get("languages") or [] if c in languages]
        entry["languages"] = kept + [c for c in (*registry.codes(), *languages) if c in languages and c not in kept]
        entry["languages"] = list(dict.fromkeys(entry["languages"]))
        return None

    return await _change(request, operator, session, vault, clock, change, "roster.operator")


@router.post("/operator/remove")
async def roster_operator_remove(request: Request, operator: Coordinator, session: SessionDep, vault: VaultDep,
                                 clock: ClockDep, login: FormStr = "") -> Response:  # fmt: skip
    """Off the roster: out of every shift, override and step, contact details erased; the account stays."""

    def change(data: dict[str, Any]) -> str | None:
        entry = next((o for o in data["operators"] if o.get("login") == login), None)
        if entry is None:
            return "roster.form.unknown_account"
        entry.pop("phone", None)
        entry.pop("telegram_chat_id", None)
        for schedule in data["schedules"]:
            for layer in schedule.get("layers") or []:
                layer["members"] = [m for m in layer.get("members") or [] if m != login]
            schedule["layers"] = [layer for layer in schedule.get("layers") or [] if layer["members"]]
            schedule["overrides"] = [o for o in schedule.get("overrides") or []
                                     if o.get("login") != login and o.get("replaces") != login]  # fmt: skip
        data["schedules"] = [s for s in data["schedules"] if s["layers"]]
        for policy in data["escalation_policies"]:
            for step in policy.get("steps") or []:
                notify = step.get("notify") or {}
                if "operators" in notify:
                    notify["operators"] = [m for m in notify["operators"] or [] if m != login]
            policy["steps"] = [s for s in policy.get("steps") or [] if (s.get("notify") or {}).get("operators") != []]
        data["escalation_policies"] = [p for p in data["escalation_policies"] if p["steps"]]
        return None

    async def erase_contacts() -> None:
        account = await session.scalar(select(Operator).where(Operator.login == login))
        if account is not None:
            account.telegram_chat_enc = account.telegram_pseudonym = None
            account.phone_enc = account.phone_pseudonym = None
            await session.flush()

    return await _change(request, operator, session, vault, clock, change, "roster.operator_remove", erase_contacts)


@router.post("/shift")
async def roster_shift(request: Request, operator: Coordinator, session: SessionDep, vault: VaultDep,
                       clock: ClockDep, schedule: FormStr = "", new_schedule: FormStr = "", timezone: FormStr = "",
                       login: FormStr = "", days: FormList = [],  # noqa: B006
                       start: FormStr = "", end: FormStr = "") -> Response:  # fmt: skip
    """A weekly shift (days, from, to in the schedule's time); a new schedule's name starts one."""
    name = new_schedule.strip() or schedule

    def change(data: dict[str, Any]) -> str | None:
        if not name:
            return "roster.form.schedule_needed"
        if not login:
            return "roster.override_incomplete"
        target = next((s for s in data["schedules"] if s.get("name") == name), None)
        if target is None:
            target = {"name": name, "timezone": timezone.strip() or DEFAULT_TIMEZONE, "layers": []}
            data["schedules"].append(target)
        chosen = [d for d in WEEKDAYS if d in days] or list(days)
        target.setdefault("layers", []).append({
            "rotation": "weekly", "handoff": "00:00", "start": SHIFT_EPOCH, "members": [login],
            "restrict": {"days": chosen, "from": start.strip()[:5], "to": end.strip()[:5]}})  # fmt: skip
        return None

    return await _change(request, operator, session, vault, clock, change, "roster.shift")


@router.post("/shift/remove")
async def roster_shift_remove(request: Request, operator: Coordinator, session: SessionDep, vault: VaultDep,
                              clock: ClockDep, schedule: FormStr = "", index: FormStr = "") -> Response:  # fmt: skip
    """One layer out of a schedule; a schedule left without layers goes (steps naming it are then reported)."""

    def change(data: dict[str, Any]) -> str | None:
        target = next((s for s in data["schedules"] if s.get("name") == schedule), None)
        layers = (target or {}).get("layers") or []
        if target is None or not index.isdigit() or int(index) >= len(layers):
            return "roster.form.not_found"
        del layers[int(index)]
        if not layers:
            data["schedules"].remove(target)
        return None

    return await _change(request, operator, session, vault, clock, change, "roster.shift_remove")


def _notify(whom: str) -> dict[str, Any] | None:
    kind, _, name = whom.partition(":")
    if kind == "schedule" and name:
        return {"schedule": name}
    if kind == "operator" and name:
        return {"operators": [name]}
    if kind == "coordinators":
        return {"coordinators": "all"}
    return None


@router.post("/step")
async def roster_step(request: Request, operator: Coordinator, session: SessionDep, vault: VaultDep,
                      clock: ClockDep, policy: FormStr = "", new_policy: FormStr = "", whom: FormStr = "",
                      via: FormList = [], wait_minutes: FormStr = "") -> Response:  # noqa: B006  # fmt: skip
    """An escalation step (whom, by which channels, how many minutes before the next); a new name starts a policy."""
    name = new_policy.strip() or policy

    def change(data: dict[str, Any]) -> str | None:
        if not name:
            return "roster.form.policy_needed"
        notify = _notify(whom)
        if notify is None:
            return "roster.form.whom_needed"
        minutes = wait_minutes.strip()
        if not minutes.isdigit() or not 1 <= int(minutes) <= MAX_WAIT_MINUTES:
            return "roster.form.bad_minutes"
        target = next((p for p in data["escalation_policies"] if p.get("name") == name), None)
        if target is None:
            target = {"name": name, "default": not data["escalation_policies"], "steps": []}
            data["escalation_policies"].append(target)
        chosen = [c for c in CHANNELS if c in via] or list(via)
        target.setdefault("steps", []).append({"notify": notify, "via": chosen, "wait_seconds": int(minutes) * 60})
        return None

    return await _change(request, operator, session, vault, clock, change, "roster.step")


@router.post("/step/remove")
async def roster_step_remove(request: Request, operator: Coordinator, session: SessionDep, vault: VaultDep,
                             clock: ClockDep, policy: FormStr = "", index: FormStr = "") -> Response:  # fmt: skip
    """One step out of a policy; a policy left without steps goes."""

    def change(data: dict[str, Any]) -> str | None:
        target = next((p for p in data["escalation_policies"] if p.get("name") == policy), None)
        steps = (target or {}).get("steps") or []
        if target is None or not index.isdigit() or int(index) >= len(steps):
            return "roster.form.not_found"
        del steps[int(index)]
        if not steps:
            data["escalation_policies"].remove(target)
            if data["escalation_policies"] and not any(p.get("default") for p in data["escalation_policies"]):
                data["escalation_policies"][0]["default"] = True
        return None

    return await _change(request, operator, session, vault, clock, change, "roster.step_remove")
