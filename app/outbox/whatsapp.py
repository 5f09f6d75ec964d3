"""WhatsApp's 24-hour rule, applied where a message to a person is queued.

WhatsApp takes a free-form message only within 24 hours of the person's last
message (``Contact.last_seen``). Outside that window an operator's words are
held in the outbox and a neutral approved template goes instead ("You have a
new message. Reply to read it."), never the helpline's purpose: the phone may
be watched. The person's next message reopens the window and releases what
was held (``release_held``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.outbox.service import enqueue
from app.platform.identity import Vault
from app.platform.models import OutboxItem, utcnow
from bots.messages import OutboundMessage

WINDOW = timedelta(hours=24)
# How long held words wait for the person to write again before the outbox tries them anyway
# (WhatsApp then refuses them with 63016 and they become a dead letter coordinators see).
HOLD = timedelta(days=30)


def window_open(last_seen: datetime | None, now: datetime, window: timedelta = WINDOW) -> bool:
    """True while a free-form WhatsApp message may still be sent."""
    return last_seen is not None and now - last_seen < window


async def enqueue_for_person(session: AsyncSession, vault: Vault, message: OutboundMessage, *, last_seen: datetime | None,
                       now: datetime, language: str | None, window: timedelta = WINDOW, kind: str = "relay",
                       case_id: uuid.UUID | None = None, message_id: uuid.UUID | None = None) -> bool:  # fmt: skip
    """Queue ``message``; on WhatsApp outside the window, hold it and queue the template. True when sent as is.

    One template is enough while words are already held: the person is not pinged once per message.
    """
    if message.channel != "whatsapp" or window_open(last_seen, now, window):
        enqueue(session, vault, message, kind=kind, case_id=case_id, message_id=message_id)
        return True
    # Held words wait far beyond the window; a retry's backoff does not.
    held = await session.scalar(select(OutboxItem.id).where(
        OutboxItem.case_id == case_id, OutboxItem.channel == "whatsapp", OutboxItem.status == "pending",
        OutboxItem.next_attempt_at > now + window).limit(1))  # fmt: skip
    if held is None:
        template = replace(message, text="", buttons=(), extra={"template": "new_message", "language": language or ""})
        enqueue(session, vault, template, kind=kind, case_id=case_id)
    # The outbox runs on wall-clock time, whatever clock the caller decides on.
    enqueue(session, vault, message, kind=kind, case_id=case_id, message_id=message_id, not_before=utcnow() + HOLD)
    return False


async def release_held(session: AsyncSession, case_ids: Sequence[uuid.UUID], now: datetime) -> None:
    """The person wrote on WhatsApp: what was held for them goes now, inside the reopened window."""
    if not case_ids:
        return
    await session.execute(
        update(OutboxItem)
        .where(OutboxItem.case_id.in_(case_ids), OutboxItem.channel == "whatsapp", OutboxItem.status == "pending",
               OutboxItem.next_attempt_at > now)
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
