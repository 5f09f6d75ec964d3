"""The operator console: availability, a live queue, taking a case, talking, notes, transfer, close.

Pages are plain forms (POST, then redirect) so they work without JavaScript;
``console.js`` adds the live queue over Server-Sent Events and the urgent beep.
Every operation is ``app.oncall.service``; this module only renders and routes.
The request boundary commits, and the returned events are published after it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.deps import Coordinator, CurrentOperator, NotSignedIn, load_operator
from app.oncall import access, service as oncall
from app.oncall.deps import OnCallDep
from app.oncall.record_routes import due_context, record_context
from app.platform import languages as registry
from app.platform.db import after_commit
from app.platform.deps import EventsDep, SessionDep, SessionmakerDep
from app.platform.errors import HelplineError
from app.platform.events import Event, EventBus
from app.platform.models import Operator
from app.referrals.service import referral_choices
from app.scripts.service import ScriptCatalog
from app.web.forms import FormStr
from app.web.session import verify_csrf
from app.web.templating import render, ui_language

router = APIRouter(prefix="/console", dependencies=[Depends(verify_csrf)], include_in_schema=False)
# Script texts an operator may start a reply from, in the case's language.
CANNED_KEYS = ("greet", "service_info", "job_offer_check", "documents_taken", "unpaid_wages", "return_home",
               "shelter_request", "legal_aid", "medical_help", "migration_rules", "goodbye")  # fmt: skip
# Only these event fields reach the browser: a case alias and flags, never a person's identifiers.
EVENT_FIELDS = ("case", "urgent", "language", "sender")
STREAM_SECONDS = 600
HEARTBEAT_SECONDS = 15.0


def _announce(session: AsyncSession, bus: EventBus, events: list[Event]) -> None:
    """Tell the consoles once the request has committed: nobody hears about work that might still roll back."""
    if events:
        after_commit(session, lambda: bus.publish_all(events))


def _back(alias: str, error: str | None = None) -> RedirectResponse:
    suffix = f"?error={quote(error)}" if error else ""
    return RedirectResponse(f"/console/case/{quote(alias)}{suffix}", 303)


def _error_code(exc: HelplineError) -> str:
    return exc.code if exc.code in ("not_found", "forbidden", "conflict", "not_in_queue") else "bad_request"


@router.get("")
async def console_page(request: Request, operator: CurrentOperator, session: SessionDep, deps: OnCallDep,
                       error: str = "", page: int = 1) -> Response:  # fmt: skip
    listing = await oncall.queue(session, deps, operator, page)
    due = await due_context(session, operator, deps.clock(), ui_language(request))
    return render(request, "console.html", {"cases": listing.cases, "listing": listing, "error": error, **due})


@router.get("/queue")
async def queue_fragment(request: Request, operator: CurrentOperator, session: SessionDep,
                         deps: OnCallDep, page: int = 1) -> Response:  # fmt: skip
    listing = await oncall.queue(session, deps, operator, page)
    return render(request, "_queue.html", {"cases": listing.cases, "listing": listing})


@router.post("/availability")
async def availability(operator: CurrentOperator, session: SessionDep, available: FormStr = "") -> Response:
    await oncall.set_available(session, operator, available in ("1", "on", "true"))
    return RedirectResponse("/console", 303)


@router.get("/events")
async def events(request: Request, sessionmaker: SessionmakerDep, bus: EventsDep) -> Response:
    """Server-Sent Events; the sign-in is checked in a short session so none stays open while streaming."""
    async with sessionmaker() as session:
        operator = await load_operator(request, session)
    if operator is None:
        raise NotSignedIn()

    async def stream() -> AsyncIterator[str]:
        deadline = time.monotonic() + STREAM_SECONDS
        async with bus.subscribe() as queue:
            yield "retry: 3000\n\n"
            while time.monotonic() < deadline:
                if await request.is_disconnected():
                    break
                try:
                    event = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield ": ping\n\n"
                    continue
                yield sse_frame(event)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})  # fmt: skip


def sse_frame(event: Event) -> str:
    data = {k: event.data[k] for k in EVENT_FIELDS if k in event.data}
    name = "".join(ch for ch in event.name if ch.isalnum() or ch in "._-")
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _canned(scripts: ScriptCatalog, language: str | None) -> list[tuple[str, str]]:
    lang = language if registry.is_supported(language) else "ru"
    numbers = scripts.numbers(None, lang)
    replies = [(key, scripts.get(key, lang, numbers=numbers)) for key in CANNED_KEYS]
    return [(key, text) for key, text in replies if text]


async def _colleagues(session: AsyncSession, operator: Operator) -> list[Operator]:
    rows = await session.scalars(select(Operator).where(Operator.active.is_(True), Operator.id != operator.id)
                                 .order_by(Operator.login))  # fmt: skip
    return list(rows.all())


@router.get("/case/{alias}")
async def case_page(request: Request, alias: str, operator: CurrentOperator, session: SessionDep,
                    deps: OnCallDep, error: str = "") -> Response:  # fmt: skip
    try:
        view = await oncall.case_view(session, deps, alias, operator)
    except HelplineError as exc:
        return render(request, "error.html", {"message": f"error.{_error_code(exc)}", "status": exc.status_code},
                      exc.status_code)  # fmt: skip
    return render(request, "case.html", {
        "case": view, "mine": view.assigned_login == operator.login, "error": error,
        "canned": _canned(deps.scripts, view.language), "colleagues": await _colleagues(session, operator),
        "outcomes": oncall.OUTCOMES, "case_languages": registry.codes(),
        "referrals": await referral_choices(session, view.language),
        "viewers": await access.viewers(session, view.alias) if access.sees_everything(operator) else [],
        **await record_context(session, view.alias, ui_language(request)),
    })  # fmt: skip


@router.get("/case/{alias}/messages")
async def messages_fragment(request: Request, alias: str, operator: CurrentOperator, session: SessionDep,
                            deps: OnCallDep) -> Response:  # fmt: skip
    try:
        view = await oncall.case_view(session, deps, alias, operator)
    except HelplineError as exc:
        return Response(status_code=exc.status_code)
    return render(request, "_messages.html", {"case": view})


@router.post("/case/{alias}/take")
async def take(alias: str, operator: CurrentOperator, session: SessionDep, deps: OnCallDep,
               bus: EventsDep) -> Response:  # fmt: skip
    try:
        result = await oncall.take_case(session, deps, alias, operator)
    except HelplineError as exc:
        return RedirectResponse(f"/console?error={_error_code(exc)}", 303)
    if not result.ok:
        await session.rollback()
        return RedirectResponse(f"/console?error={quote(result.reason or 'already_taken')}", 303)
    _announce(session, bus, result.events)
    return _back(alias)


async def _act(session: AsyncSession, bus: EventBus, alias: str, action: Callable[[], Awaitable[list[Event]]], *,
               done: str | None = None) -> Response:  # fmt: skip
    """Run one oncall operation; errors come back to the case page as a translated message."""
    try:
        events = await action()
    except HelplineError as exc:
        await session.rollback()
        return _back(alias, _error_code(exc))
    _announce(session, bus, events)
    return RedirectResponse(done, 303) if done else _back(alias)


@router.post("/case/{alias}/reply")
async def reply(alias: str, operator: CurrentOperator, session: SessionDep, deps: OnCallDep, bus: EventsDep,
                text: FormStr = "") -> Response:  # fmt: skip
    return await _act(session, bus, alias, lambda: oncall.operator_message(session, deps, alias, operator, text))


@router.post("/case/{alias}/note")
async def note(alias: str, operator: CurrentOperator, session: SessionDep, deps: OnCallDep, bus: EventsDep,
               text: FormStr = "") -> Response:  # fmt: skip
    if not text.strip():
        return _back(alias)
    return await _act(session, bus, alias, lambda: oncall.add_note(session, deps, alias, operator, text))


@router.post("/case/{alias}/handback")
async def handback(alias: str, operator: CurrentOperator, session: SessionDep, deps: OnCallDep,
                   bus: EventsDep) -> Response:  # fmt: skip
    return await _act(session, bus, alias, lambda: oncall.hand_back(session, deps, alias, operator),
                      done="/console")  # fmt: skip


@router.post("/case/{alias}/transfer")
async def transfer(alias: str, operator: CurrentOperator, session: SessionDep, deps: OnCallDep, bus: EventsDep,
                   to_login: FormStr = "", language: FormStr = "") -> Response:  # fmt: skip
    return await _act(session, bus, alias, lambda: oncall.transfer(
        session, deps, alias, operator, to_login or None, language if registry.is_supported(language) else None),
        done="/console")  # fmt: skip


@router.post("/case/{alias}/open-for")
async def open_for(alias: str, coordinator: Coordinator, session: SessionDep, bus: EventsDep,
                   to_login: FormStr = "") -> Response:  # fmt: skip
    """A coordinator lets an operator read a case that is not in that operator's queue."""

    async def _grant() -> list[Event]:
        await oncall.open_for(session, alias, coordinator, to_login)
        return []

    return await _act(session, bus, alias, _grant)


@router.post("/case/{alias}/close")
async def close(alias: str, operator: CurrentOperator, session: SessionDep, deps: OnCallDep, bus: EventsDep,
                outcome: FormStr = "", notes: FormStr = "") -> Response:  # fmt: skip
    return await _act(session, bus, alias, lambda: oncall.close_case(
        session, deps, alias, operator, outcome, notes), done="/console")  # fmt: skip
