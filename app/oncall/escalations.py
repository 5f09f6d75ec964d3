"""Runs routing's escalation state machine against the database and the outbox.

routing decides (pure); this module persists the state in one row per case,
arms durable timers (``escalations.next_at``), and turns commands into outbox
rows and console events inside the caller's transaction. Timers are claimed
with SKIP LOCKED on PostgreSQL, so several instances never fire one twice;
``Timers.run_due`` and ``Timers.audit_overdue`` are the job-loop steps.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.oncall import alerts
from app.oncall.roster_store import load_roster
from app.outbox.service import enqueue
from app.outbox.whatsapp import WINDOW, window_open
from app.platform.events import Event, EventBus
from app.platform.identity import Vault
from app.platform.models import AlertRef, Case, Contact, Escalation, Message, Operator, OutboxItem
from app.scripts.service import ScriptCatalog
from bots.messages import Button, OutboundMessage
from routing import (
    AlertCoordinators,
    Command,
    EscalationState,
    Event as RoutingEvent,
    Notify,
    OwnerReleased,
    OwnerSilent,
    ScheduleTimer,
    TakeAccepted,
    TakeRejected,
    TellPerson,
    TimerFired,
    WithdrawAlerts,
    decide,
    overdue,
)

log = logging.getLogger("helpline.escalations")
PERSON_KEYS = {"no_one_available_yet": "no_one_available", "operator_joined": "operator_joined", "case_closed": "case_closed"}


@dataclass(frozen=True)
class OnCallDeps:
    """What on-call work uses: the vault (contact details), the bot's texts, the clock, the public URL (alert calls)."""

    vault: Vault
    scripts: ScriptCatalog
    clock: Callable[[], datetime]
    public_url: str
    whatsapp_window: timedelta = WINDOW


@dataclass
class Applied:
    """What applying an event did, for the caller to report."""

    accepted: bool = False
    rejected_reason: str | None = None
    events: list[Event] = field(default_factory=list)


async def escalation_for(session: AsyncSession, case_id: uuid.UUID, *, lock: bool = False) -> Escalation | None:
    query = select(Escalation).where(Escalation.case_id == case_id).order_by(Escalation.created_at.desc()).limit(1)
    if lock and session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update()
    return await session.scalar(query)


async def apply(session: AsyncSession, deps: OnCallDeps, case: Case, event: RoutingEvent, now: datetime, *,
                tell_person: bool = True) -> Applied:  # fmt: skip
    """Feed one event to the case's escalation, persist the new state, execute its commands.

    ``tell_person=False`` when the caller answers the person itself (the core's urgent reply).
    """
    row = await escalation_for(session, case.id, lock=True)
    state = EscalationState.from_dict(row.state) if row is not None and row.state else None
    roster = await load_roster(session)
    new_state, commands = decide(state, event, now, roster)
    if new_state is None:
        applied = Applied()
        for command in commands:
            if isinstance(command, TakeRejected):
                applied.rejected_reason = command.reason
        return applied
    if row is None:
        row = Escalation(id=uuid.uuid4(), case_id=case.id, created_at=now)
        session.add(row)
    row.state = new_state.to_dict()
    row.status = new_state.status
    row.fence = new_state.fence
    row.next_at = new_state.next_at
    row.updated_at = now
    await session.flush()
    if not tell_person:
        commands = [c for c in commands if not isinstance(c, TellPerson)]
    return await _execute(session, deps, case, new_state, commands, now)


async def _execute(session: AsyncSession, deps: OnCallDeps, case: Case, state: EscalationState,
                   commands: list[Command], now: datetime) -> Applied:  # fmt: skip
    applied = Applied()
    operators = {o.login: o for o in (await session.scalars(select(Operator))).all()}
    for command in commands:
        if isinstance(command, Notify):
            op = operators.get(command.login)
            if op is not None:
                await _notify(session, deps, case, op, command)
                applied.events.append(Event("case.alert", {"case": case.alias, "login": op.login, "urgent": case.urgent,
                                                           "language": case.language or ""}))  # fmt: skip
        elif isinstance(command, WithdrawAlerts):
            await _withdraw(session, deps, case, operators, command)
        elif isinstance(command, AlertCoordinators):
            logins = command.logins or tuple(o.login for o in operators.values() if o.role == "coordinator" and o.active)
            for login in logins:
                if (op := operators.get(login)) is not None:
                    _to_operator(session, deps, op, case, alerts.text("exhausted", _lang(op), case=case.alias))
            applied.events.append(Event("case.exhausted", {"case": case.alias, "urgent": True}))
        elif isinstance(command, TellPerson):
            await tell_person(session, deps, case, PERSON_KEYS.get(command.text_key, command.text_key))
        elif isinstance(command, TakeAccepted):
            applied.accepted = True
        elif isinstance(command, TakeRejected):
            applied.rejected_reason = command.reason
        elif isinstance(command, OwnerReleased):
            if (op := operators.get(command.login)) is not None:
                _to_operator(session, deps, op, case, alerts.text("released", _lang(op), case=case.alias,
                                                                      reason=command.reason))  # fmt: skip
            case.status, case.assigned_operator_id, case.taken_at = "waiting", None, None
            applied.events.append(Event("case.waiting", {"case": case.alias, "urgent": case.urgent,
                                                         "language": case.language or ""}))  # fmt: skip
        elif isinstance(command, ScheduleTimer):
            pass  # the row's next_at is the durable timer
    return applied


async def _owner_wrote_since_take(session: AsyncSession, case: Case) -> bool:
    """Whether the current owner has answered since taking the case (``first_human_reply_at`` is the case's first ever)."""
    if case.taken_at is None or case.assigned_operator_id is None:
        return False
    wrote = await session.scalar(select(Message.id).where(
        Message.case_id == case.id, Message.sender == "operator", Message.operator_id == case.assigned_operator_id,
        Message.created_at >= case.taken_at).limit(1))  # fmt: skip
    return wrote is not None


def _lang(op: Operator) -> str:
    return (op.languages or ["ru"])[0]


def _operator_address(deps: OnCallDeps, op: Operator, channel: str) -> str | None:
    if channel == "telegram" and op.telegram_chat_enc:
        return deps.vault.decrypt(op.telegram_chat_enc, f"operator:{op.id}:telegram")
    if channel in ("sms", "voice") and op.phone_enc:
        return deps.vault.decrypt(op.phone_enc, f"operator:{op.id}:phone")
    if channel == "whatsapp" and op.phone_enc:
        return "whatsapp:" + deps.vault.decrypt(op.phone_enc, f"operator:{op.id}:phone")
    return None


def _to_operator(session: AsyncSession, deps: OnCallDeps, op: Operator, case: Case, body: str) -> None:
    """A plain message to an operator's Telegram chat (console operators see events)."""
    address = _operator_address(deps, op, "telegram")
    if address:
        enqueue(session, deps.vault, OutboundMessage(channel="telegram", address=address, text=body),
                kind="alert", case_id=case.id)  # fmt: skip


async def _notify(session: AsyncSession, deps: OnCallDeps, case: Case, op: Operator, command: Notify) -> None:
    lang = _lang(op)
    address = _operator_address(deps, op, command.via)
    if command.via == "console" or address is None:
        return
    if command.via == "telegram":
        buttons = ((Button(alerts.text("take", lang), f"take:{case.alias}:{command.fence}"),
                    Button(alerts.text("decline", lang), f"decline:{case.alias}:{command.fence}")),)  # fmt: skip
        out = OutboundMessage(channel="telegram", address=address, text=alerts.alert_text(command.alert, lang),
                              buttons=buttons)  # fmt: skip
    elif command.via == "sms":
        out = OutboundMessage(channel="sms", address=address, text=alerts.alert_text(command.alert, lang, "sms_alert"))
    elif command.via == "whatsapp":
        # Free-form inside the operator's own 24-hour window; the sender uses the approved alert
        # template instead when one is configured (the operator's window is not tracked).
        out = OutboundMessage(channel="whatsapp", address=address, text=alerts.alert_text(command.alert, lang, "sms_alert"),
                              extra={"alert": command.alert.case, "case_language": command.alert.language or "?"})  # fmt: skip
    else:
        base = deps.public_url.rstrip("/")
        out = OutboundMessage(channel="voice", address=address, action="call",
                              text=alerts.text("voice_alert", lang),
                              extra={"twiml_url": f"{base}/webhooks/twilio/voice/alert?case={case.alias}&fence={command.fence}"})  # fmt: skip
    item = enqueue(session, deps.vault, out, kind="alert", case_id=case.id)
    session.add(AlertRef(case_id=case.id, operator_id=op.id, channel=command.via, outbox_id=item.id))


async def _withdraw(session: AsyncSession, deps: OnCallDeps, case: Case, operators: dict[str, Operator],
                    command: WithdrawAlerts) -> None:  # fmt: skip
    refs = (await session.scalars(select(AlertRef).where(AlertRef.case_id == case.id, AlertRef.withdrawn.is_(False)))).all()
    by_id = {o.id: o for o in operators.values()}
    for ref in refs:
        ref.withdrawn = True
        op = by_id.get(ref.operator_id)
        if op is None or (command.except_login and op.login == command.except_login):
            continue
        item = await session.get(OutboxItem, ref.outbox_id) if ref.outbox_id else None
        if item is not None and item.status == "pending":
            item.status, item.address_enc, item.payload_enc = "cancelled", "", ""
            continue
        address = _operator_address(deps, op, ref.channel)
        if item is None or not item.provider_ref or not address:
            continue
        key = "case_taken" if command.text_key == "case_taken" else "case_closed"
        if ref.channel == "telegram":
            enqueue(session, deps.vault, OutboundMessage(channel="telegram", address=address, action="edit",
                                                             text=alerts.text(key, _lang(op), case=case.alias),
                                                             target_message_ids=(item.provider_ref,)),
                    kind="alert", case_id=case.id)  # fmt: skip
        elif ref.channel == "voice":
            enqueue(session, deps.vault, OutboundMessage(channel="voice", address=address, action="hangup",
                                                             target_message_ids=(item.provider_ref,)),
                    kind="alert", case_id=case.id)  # fmt: skip


async def tell_person(session: AsyncSession, deps: OnCallDeps, case: Case, key: str, **values: str) -> None:
    """A scripted line to the person on the channel they used (never another one)."""
    if case.contact_id is None or case.channel in ("voice", "cli"):
        return
    contact = await session.get(Contact, case.contact_id)
    if contact is None or contact.address_enc is None or contact.stopped:
        return
    if (contact.state or {}).get("silent_case") == case.alias:
        return  # the person gave the safe word: nothing on their screen may say "helpline"
    if case.channel == "whatsapp" and not window_open(contact.last_seen, deps.clock(), deps.whatsapp_window):
        return  # a system line is not worth waking a watched phone with a template
    variant = "sms" if case.channel == "sms" else "chat"
    body = deps.scripts.get(key, case.language, variant, country=contact.country, alias=case.alias, **values)
    if not body:
        return
    message = Message(id=uuid.uuid4(), case_id=case.id, direction="out", sender="bot", channel=case.channel)
    message.body_enc = deps.vault.encrypt(body, f"message:{message.id}")
    session.add(message)
    address = deps.vault.decrypt(contact.address_enc, f"contact:{contact.id}:address")
    extra = {"lang": case.language} if case.language else {}
    enqueue(session, deps.vault, OutboundMessage(channel=case.channel, address=address, text=body, extra=extra),
            case_id=case.id, message_id=message.id)  # fmt: skip


class Timers:
    """The durable escalation timers, as job-loop steps (one transaction per pass)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], deps: OnCallDeps, events: EventBus, *,
                 skip_locked: bool = False, grace_seconds: int = 60) -> None:  # fmt: skip
        self.sessionmaker = sessionmaker
        self.deps = deps
        self.events = events
        self.skip_locked = skip_locked
        self.grace_seconds = grace_seconds

    async def run_due(self) -> int:
        """Fire every durable timer that is due; returns how many fired."""
        deps = self.deps
        now = deps.clock()
        fired = 0
        async with self.sessionmaker() as session:
            query = (
                select(Escalation)
                .where(Escalation.status.in_(("running", "taken")), Escalation.next_at <= now)
                .order_by(Escalation.next_at)
                .limit(50)
            )
            if self.skip_locked:
                query = query.with_for_update(skip_locked=True)
            rows = list((await session.scalars(query)).all())
            events: list[Event] = []
            for row in rows:
                case = await session.get(Case, row.case_id)
                if case is None:
                    row.status, row.next_at = "cancelled", None
                    continue
                state = EscalationState.from_dict(row.state)
                if row.status == "taken":
                    event: RoutingEvent = OwnerSilent(state.fence)
                    if await _owner_wrote_since_take(session, case):
                        row.next_at = None  # the owner wrote: nothing to fire
                        row.state = replace(state, next_at=None).to_dict()
                        continue
                else:
                    event = TimerFired(state.fence)
                events += (await apply(session, deps, case, event, now)).events
                fired += 1
            await session.commit()
        self.events.publish_all(events)
        return fired

    async def audit_overdue(self) -> int:
        """Alarm coordinators about escalations more than a minute past their next step."""
        deps = self.deps
        now = deps.clock()
        async with self.sessionmaker() as session:
            rows = (await session.scalars(select(Escalation).where(Escalation.status == "running"))).all()
            states = {EscalationState.from_dict(r.state).case: r for r in rows if r.state}
            late = overdue([EscalationState.from_dict(r.state) for r in rows if r.state], now,
                           timedelta(seconds=self.grace_seconds))  # fmt: skip
            coordinators = (await session.scalars(select(Operator).where(Operator.role == "coordinator"))).all()
            for state in late:
                case = await session.get(Case, states[state.case].case_id)
                for op in coordinators:
                    if case is not None:
                        _to_operator(session, deps, op, case, alerts.text("overdue", _lang(op), case=state.case))
                log.warning("escalation overdue", extra={"case": state.case})
            await session.commit()
        if late:
            self.events.publish_all([Event("escalation.overdue", {"case": s.case}) for s in late])
        return 0
