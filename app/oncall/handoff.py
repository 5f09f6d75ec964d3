"""The conversation core's seam to routing: urgent cases start the default policy,
requests for a person wait in the queue, and a person's words reach the owner."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.oncall import alerts, escalations
from app.oncall.escalations import OnCallDeps
from app.oncall.roster_store import load_roster
from app.outbox.service import enqueue
from app.platform.events import Event
from app.platform.models import Case, Contact, Message, Operator
from app.platform.phone import timezone_of
from app.scripts.when import say_when
from bots.messages import OutboundMessage
from routing import Reach, Start, out_of_hours
from routing.schedule import DEFAULT_HORIZON


class RoutingHandoff:
    """``app.conversations.handoff.Handoff`` for the core: who is alerted, and how, is routing's decision."""

    def __init__(self, deps: OnCallDeps) -> None:
        self.deps = deps

    async def reachable(self, session: AsyncSession, case: Case, now: datetime) -> Reach:
        """Someone on call who speaks the language, or any operator who marked themself available in the console."""
        back = out_of_hours(await load_roster(session), now, case.language)
        if back is None:
            return Reach(True)
        available = await session.scalar(select(Operator.id).where(Operator.available.is_(True),
                                                                   Operator.active.is_(True)).limit(1))  # fmt: skip
        if available is not None:
            return Reach(True)
        return Reach(False, back if back - now < DEFAULT_HORIZON else None)

    async def on_urgent(self, session: AsyncSession, case: Case, reasons: list[str], now: datetime) -> list[Event]:
        events = [Event("case.waiting", {"case": case.alias, "urgent": True, "language": case.language or ""})]
        if case.status == "bot":
            case.status, case.waiting_since = "waiting", now
        if case.status == "assigned":
            return events  # a human already has it
        start = Start(case=case.alias, language=case.language, urgent=True, reasons=tuple(dict.fromkeys(reasons)),
                      intent=case.last_intent)  # fmt: skip
        # The core's own reply says who is reachable; the policy running out at once must not say it twice.
        events += (await escalations.apply(session, self.deps, case, start, now, tell_person=False)).events
        return events

    async def on_human_requested(self, session: AsyncSession, case: Case, now: datetime) -> list[Event]:
        if case.status == "bot":
            case.status, case.waiting_since = "waiting", now
            back = out_of_hours(await load_roster(session), now, case.language)
            if back is not None and not case.urgent:
                contact = await session.get(Contact, case.contact_id) if case.contact_id else None
                zone = timezone_of(case.country or (contact.country if contact else None), case.language)
                await escalations.tell_person(session, self.deps, case, "out_of_hours",
                                              hours=say_when(back, now, zone, case.language))  # fmt: skip
        return [Event("case.waiting", {"case": case.alias, "urgent": case.urgent, "language": case.language or ""})]

    async def on_person_message(
        self, session: AsyncSession, case: Case, message: Message, text: str, now: datetime
    ) -> tuple[bool, list[Event]]:
        events = [Event("case.message", {"case": case.alias, "sender": "person"})]
        if case.status != "assigned" or case.assigned_operator_id is None:
            return False, events
        op = await session.get(Operator, case.assigned_operator_id)
        if op is not None and op.telegram_chat_enc:
            address = self.deps.vault.decrypt(op.telegram_chat_enc, f"operator:{op.id}:telegram")
            body = alerts.text("relay", "en", case=case.alias, text=text)
            enqueue(session, self.deps.vault, OutboundMessage(channel="telegram", address=address, text=body),
                    kind="relay", case_id=case.id)  # fmt: skip
        return True, events
