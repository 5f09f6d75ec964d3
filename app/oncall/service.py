"""What operators do with cases: queue, view, take, talk, note, hand back, transfer, close.

Exactly one operator owns a case: taking is one conditional UPDATE
(``… WHERE assigned_operator_id IS NULL``), so two presses on two instances
leave one owner and the other is told a colleague has it. Functions flush;
the request boundary commits; the caller publishes the returned events.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.oncall import access, escalations, repository
from app.oncall.escalations import OnCallDeps
from app.outbox.whatsapp import enqueue_for_person, window_open
from app.platform.audit import audit
from app.platform.db import rows_affected
from app.platform.errors import Conflict, Forbidden, HelplineError, NotFound
from app.platform.events import Event
from app.platform.models import Author, Case, Contact, Message, Operator
from app.statistics import service as statistics
from bots.messages import OutboundMessage
from routing import Cancel, Decline, HandBack, Take, Transfer

OUTCOMES = ("shelter", "legal", "medical", "police", "consular", "iom_ngo_referral", "information_only",
            "no_further_action")  # fmt: skip
MAX_TEXT = 4000


@dataclass
class CaseSummary:
    alias: str
    status: str
    language: str | None
    urgent: bool
    urgent_reason: str | None
    last_intent: str | None
    waiting_seconds: int
    assigned_login: str | None


@dataclass
class CaseView:
    alias: str
    status: str
    language: str | None
    urgent: bool
    urgent_reason: str | None
    last_intent: str | None
    messages: list[tuple[Author, str, datetime]]
    notes: str
    location: str | None
    assigned_login: str | None
    outcome: str | None = None
    # WhatsApp only: the 24-hour window is closed, so a reply goes as this neutral template instead.
    window_closed: bool = False
    instead: str = ""


@dataclass
class TakeResult:
    ok: bool
    reason: str | None = None
    events: list[Event] = field(default_factory=list)


async def _case(session: AsyncSession, alias: str) -> Case:
    case = await session.scalar(select(Case).where(Case.alias == alias.upper().strip()))
    if case is None:
        raise NotFound(f"no case {alias}")
    return case


def _owner(case: Case, operator: Operator) -> None:
    if case.assigned_operator_id != operator.id:
        raise Forbidden("take the case first")


@dataclass
class QueueListing:
    """One page of the console queue and whether a next page exists."""

    cases: list[CaseSummary]
    page: int
    has_next: bool


async def queue(session: AsyncSession, deps: OnCallDeps, operator: Operator, page: int = 1) -> QueueListing:
    """The operator's queue, one page at a time (``app.oncall.repository``: paged, indexed, access in SQL)."""
    now = deps.clock()
    found = await repository.queue_page(session, operator, now, page)
    cases = [
        CaseSummary(alias=c.alias, status=c.status, language=c.language, urgent=c.urgent, urgent_reason=c.urgent_reason,
                    last_intent=c.last_intent,
                    waiting_seconds=int((now - (c.waiting_since or c.created_at)).total_seconds()),
                    assigned_login=login if c.assigned_operator_id else None)
        for c, login in ((row.case, row.assigned_login) for row in found.rows)
    ]  # fmt: skip
    return QueueListing(cases=cases, page=found.page, has_next=found.has_next)


async def case_view(session: AsyncSession, deps: OnCallDeps, alias: str, operator: Operator) -> CaseView:
    case = await _case(session, alias)
    await access.ensure_may_open(session, case, operator)
    await access.record_view(session, case, operator, deps.clock())
    vault = deps.vault
    rows = (await session.scalars(select(Message).where(Message.case_id == case.id).order_by(Message.created_at))).all()
    messages = [(m.sender, vault.decrypt(m.body_enc, f"message:{m.id}") if m.body_enc else "", m.created_at) for m in rows]
    owner = await session.get(Operator, case.assigned_operator_id) if case.assigned_operator_id else None
    contact = await session.get(Contact, case.contact_id) if case.channel == "whatsapp" and case.contact_id else None
    closed = contact is not None and not window_open(contact.last_seen, deps.clock(), deps.whatsapp_window)
    return CaseView(
        alias=case.alias, status=case.status, language=case.language, urgent=case.urgent,
        urgent_reason=case.urgent_reason, last_intent=case.last_intent, messages=messages,
        notes=vault.decrypt_opt(case.notes_enc, f"case:{case.id}:notes") or "",
        location=vault.decrypt_opt(case.location_enc, f"case:{case.id}:location"),
        assigned_login=owner.login if owner else None, outcome=case.outcome, window_closed=closed,
        instead=deps.scripts.get("whatsapp_new_message", case.language) if closed else "",
    )  # fmt: skip


async def take_case(session: AsyncSession, deps: OnCallDeps, alias: str, operator: Operator,
                    fence: int | None = None) -> TakeResult:  # fmt: skip
    """Claim the case for ``operator``; the database decides races between instances."""
    now = deps.clock()
    case = await _case(session, alias)
    if case.assigned_operator_id == operator.id:
        return TakeResult(ok=True)
    first_take = case.first_taken_at is None
    if case.status == "closed" or case.erased:
        return TakeResult(ok=False, reason="closed")
    try:
        if case.assigned_operator_id is None:  # a colleague's case is "already taken", said below
            await access.ensure_may_open(session, case, operator)
    except Forbidden as exc:
        return TakeResult(ok=False, reason=exc.code)
    claimed = await session.execute(
        update(Case)
        .where(Case.id == case.id, Case.assigned_operator_id.is_(None), Case.status != "closed")
        .values(status="assigned", assigned_operator_id=operator.id, taken_at=now, updated_at=now,
                first_taken_at=func.coalesce(Case.first_taken_at, now))
        .execution_options(synchronize_session=False)
    )
    if rows_affected(claimed) != 1:
        return TakeResult(ok=False, reason="already_taken")
    await session.refresh(case)
    if first_take:  # the wait a person had for a human, counted once however often the case changes hands
        await statistics.count_wait(session, "take", case.created_at, now)
    events = [Event("case.taken", {"case": case.alias, "login": operator.login})]
    if await escalations.escalation_for(session, case.id) is not None:
        applied = await escalations.apply(session, deps, case, Take(operator.login, fence), now)
        events += applied.events
    else:
        await escalations.tell_person(session, deps, case, "operator_joined")
    audit(session, operator.login, "case.take", case.alias)
    return TakeResult(ok=True, events=events)


async def operator_message(session: AsyncSession, deps: OnCallDeps, alias: str, operator: Operator,
                           text: str) -> list[Event]:  # fmt: skip
    """What the operator writes reaches the person on the person's own channel."""
    text = text.strip()
    if not text:
        raise HelplineError("the message is empty")
    if len(text) > MAX_TEXT:
        raise HelplineError(f"the message is longer than {MAX_TEXT} characters")
    case = await _case(session, alias)
    _owner(case, operator)
    if case.contact_id is None:
        raise Conflict("the person erased this conversation")
    contact = await session.get(Contact, case.contact_id)
    if contact is None or contact.address_enc is None:
        raise Conflict("the person erased this conversation")
    now = deps.clock()
    message = Message(id=uuid.uuid4(), case_id=case.id, direction="out", sender="operator", channel=case.channel,
                      operator_id=operator.id, created_at=now)  # fmt: skip
    message.body_enc = deps.vault.encrypt(text, f"message:{message.id}")
    session.add(message)
    if case.first_human_reply_at is None:  # the case's first human answer, kept across hand-backs and re-takes
        case.first_human_reply_at = now
        await statistics.count_wait(session, "reply", case.created_at, now)
    case.updated_at = now
    if case.channel not in ("voice", "cli"):
        address = deps.vault.decrypt(contact.address_enc, f"contact:{contact.id}:address")
        out = OutboundMessage(channel=case.channel, address=address, text=text)
        await enqueue_for_person(session, deps.vault, out, last_seen=contact.last_seen, now=now, language=case.language,
                                 window=deps.whatsapp_window, kind="relay", case_id=case.id, message_id=message.id)
    return [Event("case.message", {"case": case.alias, "sender": "operator"})]


async def add_note(session: AsyncSession, deps: OnCallDeps, alias: str, operator: Operator, text: str) -> list[Event]:
    case = await _case(session, alias)
    await access.ensure_may_open(session, case, operator)
    vault = deps.vault
    old = vault.decrypt_opt(case.notes_enc, f"case:{case.id}:notes") or ""
    stamp = deps.clock().strftime("%Y-%m-%d %H:%M")
    notes = (old + "\n" if old else "") + f"[{stamp} {operator.login}] {text.strip()[:MAX_TEXT]}"
    case.notes_enc = vault.encrypt(notes, f"case:{case.id}:notes")
    audit(session, operator.login, "case.note", case.alias)
    return [Event("case.note", {"case": case.alias})]


async def hand_back(session: AsyncSession, deps: OnCallDeps, alias: str, operator: Operator) -> list[Event]:
    """The bot answers again; an urgent case goes back to the rota."""
    case = await _case(session, alias)
    _owner(case, operator)
    now = deps.clock()
    case.assigned_operator_id, case.taken_at = None, None
    case.status = "waiting" if case.urgent else "bot"
    events = [Event("case.released", {"case": case.alias})]
    if case.urgent and await escalations.escalation_for(session, case.id) is not None:
        events += (await escalations.apply(session, deps, case, HandBack(operator.login), now)).events
    await escalations.tell_person(session, deps, case, "operator_left")
    audit(session, operator.login, "case.hand_back", case.alias)
    return events


async def transfer(session: AsyncSession, deps: OnCallDeps, alias: str, operator: Operator,
                   to_login: str | None = None, language: str | None = None) -> list[Event]:  # fmt: skip
    case = await _case(session, alias)
    _owner(case, operator)
    target = await session.scalar(select(Operator).where(Operator.login == to_login)) if to_login else None
    if to_login is not None and target is None:
        raise NotFound(f"no operator {to_login}")
    if target is not None:
        await access.grant(session, case, target, operator.login)
    now = deps.clock()
    if language:
        case.language = language
    case.status, case.assigned_operator_id, case.taken_at = "waiting", None, None
    case.waiting_since = now
    events = [Event("case.waiting", {"case": case.alias, "urgent": case.urgent, "language": case.language or ""})]
    events += (await escalations.apply(session, deps, case, Transfer(to_login, language), now)).events
    audit(session, operator.login, "case.transfer", case.alias, to=to_login or "", language=language or "")
    return events


async def close_case(session: AsyncSession, deps: OnCallDeps, alias: str, operator: Operator, outcome: str,
                     notes: str = "") -> list[Event]:  # fmt: skip
    if outcome not in OUTCOMES:
        raise HelplineError(f"outcome must be one of: {', '.join(OUTCOMES)}")
    case = await _case(session, alias)
    if operator.role == "operator":
        _owner(case, operator)
    now = deps.clock()
    if notes.strip():
        await add_note(session, deps, alias, operator, notes)
    case.status, case.outcome, case.closed_at, case.updated_at = "closed", outcome, now, now
    if await escalations.escalation_for(session, case.id) is not None:
        await escalations.apply(session, deps, case, Cancel("closed"), now)
    await escalations.tell_person(session, deps, case, "case_closed")
    audit(session, operator.login, "case.close", case.alias, outcome=outcome)
    return [Event("case.closed", {"case": case.alias})]


async def set_available(session: AsyncSession, operator: Operator, available: bool) -> None:
    operator.available = available
    audit(session, operator.login, "operator.available" if available else "operator.away", None)


async def decline(session: AsyncSession, deps: OnCallDeps, alias: str, operator: Operator, fence: int) -> list[Event]:
    case = await _case(session, alias)
    return (await escalations.apply(session, deps, case, Decline(operator.login, fence), deps.clock())).events


async def open_for(session: AsyncSession, alias: str, coordinator: Operator, to_login: str) -> None:
    """A coordinator lets an operator into a case outside their queue."""
    if not access.sees_everything(coordinator):
        raise Forbidden("only a coordinator can open a case for someone")
    case = await _case(session, alias)
    target = await session.scalar(select(Operator).where(Operator.login == to_login, Operator.active.is_(True)))
    if target is None:
        raise NotFound(f"no operator {to_login}")
    await access.grant(session, case, target, coordinator.login)
