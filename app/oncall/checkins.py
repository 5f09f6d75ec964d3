"""The opt-in check-in: one neutral line to the person when a follow-up they agreed to comes due.

An operator ticks "the person agreed to a check-in message" on a follow-up
(``CaseFollowUp.checkin_consent``). When the task comes due, and only then,
this job sends the ``checkin`` text (neutral: the phone may be read by someone
else) through the outbox on the person's own channel, where that channel
allows it:

- Telegram and SMS: yes (not after the person sent STOP);
- WhatsApp: inside the 24-hour window as is; outside it the approved neutral
  template goes and the line waits for the person's reply (``enqueue_for_person``);
- web chat: only while the person's page is still open (the session lives in
  the tab; a closed tab is gone for good);
- voice (and the terminal): never.

Never after an erasure (the contact and the follow-up are gone; an erased case
is skipped all the same), never on a case the person asked to keep silent (the
safe word), and at most once: ``checkin_at`` is set in the transaction that
queues the line, on rows claimed with SKIP LOCKED on PostgreSQL.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.oncall.escalations import OnCallDeps
from app.outbox.whatsapp import enqueue_for_person
from app.platform.audit import audit
from app.platform.events import Event, EventBus
from app.platform.models import Case, CaseFollowUp, Contact, Message
from app.privacy.service import ERASED_OUTCOME
from app.scripts.translit import UZ_CYRILLIC
from bots.messages import OutboundMessage

log = logging.getLogger("helpline.checkins")

KEY = "checkin"
# What became of a consented check-in; each has a label in app.casework.picklists ("checkin_<result>").
Result = Literal["sent", "held", "not_allowed", "gone", "stopped", "silent", "erased"]
RESULTS: tuple[Result, ...] = ("sent", "held", "not_allowed", "gone", "stopped", "silent", "erased")
BATCH = 50


def text_language(case: Case, contact: Contact) -> str | None:
    """The language (and script) the bot answers this person in: Uzbek typed in Cyrillic reads ``uz-Cyrl``."""
    if case.language == "uz" and (contact.state or {}).get("script") == "cyrl":
        return UZ_CYRILLIC
    return case.language


async def check_in(session: AsyncSession, deps: OnCallDeps, case: Case, task: CaseFollowUp,
                   webchat_open: Callable[[str], bool]) -> Result:  # fmt: skip
    """Decide and queue (or not) the check-in of one due, consented follow-up; mark it handled either way."""
    result = await _queue(session, deps, case, task, webchat_open)
    task.checkin_at, task.checkin_result = deps.clock(), result
    audit(session, "system", "case.checkin", case.alias, task=task.id, result=result)
    return result


async def _queue(session: AsyncSession, deps: OnCallDeps, case: Case, task: CaseFollowUp,
                 webchat_open: Callable[[str], bool]) -> Result:  # fmt: skip
    if case.erased or case.outcome == ERASED_OUTCOME or case.contact_id is None:
        return "erased"
    contact = await session.get(Contact, case.contact_id)
    if contact is None or contact.address_enc is None or contact.erased_at is not None:
        return "erased"
    if case.channel in ("voice", "cli"):
        return "not_allowed"
    if contact.stopped:
        return "stopped"
    if (contact.state or {}).get("silent_case") == case.alias:
        return "silent"  # the person gave the safe word on this case: nothing may arrive unasked
    address = deps.vault.decrypt(contact.address_enc, f"contact:{contact.id}:address")
    if case.channel == "webchat" and not webchat_open(address):
        return "gone"
    language = text_language(case, contact)
    body = deps.scripts.get(KEY, language, "sms" if case.channel == "sms" else "chat")
    if not body:
        return "not_allowed"
    now = deps.clock()
    message = Message(id=uuid.uuid4(), case_id=case.id, direction="out", sender="bot", channel=case.channel,
                      created_at=now)  # fmt: skip
    message.body_enc = deps.vault.encrypt(body, f"message:{message.id}")
    session.add(message)
    extra = {"lang": case.language} if case.language else {}
    out = OutboundMessage(channel=case.channel, address=address, text=body, extra=extra)
    sent = await enqueue_for_person(session, deps.vault, out, last_seen=contact.last_seen, now=now,
                                    language=case.language, window=deps.whatsapp_window, kind="reply",
                                    case_id=case.id, message_id=message.id)  # fmt: skip
    return "sent" if sent else "held"


class CheckIns:
    """The job-loop step: every due follow-up with the person's consent, handled once."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], deps: OnCallDeps, events: EventBus, *,
                 webchat_open: Callable[[str], bool], skip_locked: bool = False) -> None:  # fmt: skip
        self.sessionmaker = sessionmaker
        self.deps = deps
        self.events = events
        self.webchat_open = webchat_open
        self.skip_locked = skip_locked

    async def run_due(self) -> int:
        """Handle the due check-ins; returns how many were queued to the person."""
        now = self.deps.clock()
        events: list[Event] = []
        async with self.sessionmaker() as session:
            query = (
                select(CaseFollowUp)
                .where(CaseFollowUp.checkin_consent.is_(True), CaseFollowUp.checkin_at.is_(None),
                       CaseFollowUp.done_at.is_(None), CaseFollowUp.due_at <= now)
                .order_by(CaseFollowUp.due_at)
                .limit(BATCH)
            )  # fmt: skip
            if self.skip_locked:
                query = query.with_for_update(skip_locked=True)
            tasks = list((await session.scalars(query)).all())
            if not tasks:
                return 0
            queued = 0
            for task in tasks:
                case = await session.get(Case, task.case_id)
                if case is None:
                    continue
                result = await check_in(session, self.deps, case, task, self.webchat_open)
                if result in ("sent", "held"):
                    queued += 1
                    events.append(Event("case.message", {"case": case.alias, "sender": "bot"}))
            await session.commit()
        self.events.publish_all(events)
        if queued:
            log.info("check-ins queued", extra={"count": queued})
        return queued
