"""Erasure, retention and key rotation: the promises made to a person, kept in one place."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import throttle
from app.outbox.service import enqueue
from app.platform.audit import audit
from app.platform.db import rows_affected
from app.platform.identity import Vault
from app.platform.models import (
    Case,
    CaseFollowUp,
    CaseRecord,
    CaseReferral,
    Contact,
    InboundDelivery,
    Message,
    Operator,
    OperatorSession,  # fmt: skip
    OutboxItem,
)
from bots.messages import Channel, OutboundMessage
from bots.twilio_ids import provider_refs

log = logging.getLogger("helpline.privacy")
ERASED_OUTCOME = "erased"
TWILIO_REFS_PER_ROW = 50


@dataclass(frozen=True)
class EncryptedColumn:
    model: Any
    attr: str
    aad: Callable[[Any], str]


# Every ciphertext column and the associated data that binds it to its row.
ENCRYPTED_COLUMNS: tuple[EncryptedColumn, ...] = (
    EncryptedColumn(Contact, "address_enc", lambda r: f"contact:{r.id}:address"),
    EncryptedColumn(Message, "body_enc", lambda r: f"message:{r.id}"),
    EncryptedColumn(Case, "notes_enc", lambda r: f"case:{r.id}:notes"),
    EncryptedColumn(Case, "location_enc", lambda r: f"case:{r.id}:location"),
    EncryptedColumn(Operator, "phone_enc", lambda r: f"operator:{r.id}:phone"),
    EncryptedColumn(Operator, "telegram_chat_enc", lambda r: f"operator:{r.id}:telegram"),
    EncryptedColumn(Operator, "totp_secret_enc", lambda r: f"operator:{r.id}:totp"),
    EncryptedColumn(OutboxItem, "address_enc", lambda r: f"outbox:{r.id}:address"),
    EncryptedColumn(OutboxItem, "payload_enc", lambda r: f"outbox:{r.id}:payload"),
    EncryptedColumn(InboundDelivery, "payload_enc", lambda r: f"delivery:{r.id}"),
)


async def erase_contact(
    session: AsyncSession,
    vault: Vault,
    contact: Contact,
    now: datetime,
    *,
    final_text: str,
    channel: Channel,
    address: str,
    partial_text: str = "",
) -> int:
    """Remove a person's messages and address, unlink their cases, keep anonymous counts.

    The chat messages themselves are deleted at the provider (where it allows)
    through the outbox, and one neutral line ends the conversation.
    """
    await session.flush()
    case_ids = list((await session.scalars(select(Case.id).where(Case.contact_id == contact.id))).all())
    aliases = list((await session.scalars(select(Case.alias).where(Case.contact_id == contact.id))).all())
    refs = [r for r in (await session.scalars(select(Message.chat_ref).where(Message.case_id.in_(case_ids)))).all() if r]
    await delete_at_twilio(session, vault, select(Message).where(Message.case_id.in_(case_ids)))
    removed = rows_affected(await session.execute(delete(Message).where(Message.case_id.in_(case_ids))))
    await session.execute(
        update(OutboxItem)
        .where(OutboxItem.case_id.in_(case_ids), OutboxItem.status == "pending")
        .values(status="cancelled", address_enc="", payload_enc="")
    )
    # The structured record goes with the person: its codes together could point back to them.
    for table in (CaseRecord, CaseReferral, CaseFollowUp):
        await session.execute(delete(table).where(table.case_id.in_(case_ids)))
    await session.execute(
        update(Case)
        .where(Case.id.in_(case_ids))
        .values(contact_id=None, erased=True, notes_enc=None, location_enc=None, urgent_reason=None, context=None,
                country=None)
    )
    # Nobody is to take what the person erased: open cases leave the queue, closed as erased (counted, no content).
    await session.execute(
        update(Case)
        .where(Case.id.in_(case_ids), Case.status != "closed")
        .values(status="closed", outcome=ERASED_OUTCOME, closed_at=now, assigned_operator_id=None, updated_at=now)
    )
    await session.delete(contact)
    if refs and channel == "telegram":
        enqueue(session, vault, OutboundMessage(channel=channel, address=address, action="delete",
                                                target_message_ids=tuple(sorted(set(refs), key=_ref_order)),
                                                extra={"partial_text": partial_text} if partial_text else {}),
                kind="system")  # fmt: skip
    elif channel == "webchat":
        # The page holds the conversation on screen and the session in its storage: clear both.
        enqueue(session, vault, OutboundMessage(channel=channel, address=address, action="delete"), kind="system")
    await session.flush()  # the deletion is queued before the closing line
    if final_text:
        enqueue(session, vault, OutboundMessage(channel=channel, address=address, text=final_text), kind="system")
    audit(session, "person", "person.erase", ",".join(aliases), cases=len(case_ids), messages=removed)
    log.info("person erased", extra={"count": removed})
    return removed


def _ref_order(ref: str) -> tuple[int, str]:
    return (int(ref), ref) if ref.isdigit() else (0, ref)


async def delete_at_twilio(session: AsyncSession, vault: Vault, messages: Select[Any]) -> int:
    """Queue the deletion of the call records and voicemail recordings Twilio keeps for these messages.

    Twilio stores every call (with the caller's number) and every recording
    until deleted; the outbox deletes them through the REST API and retries
    until Twilio confirms (an id already gone counts as deleted).
    """
    refs: list[str] = []
    for message in (await session.scalars(messages.where(Message.channel == "voice"))).all():
        body = vault.decrypt(message.body_enc, f"message:{message.id}") if message.body_enc else None
        refs += [ref for ref in provider_refs(message.external_id, body) if ref not in refs]
    for start in range(0, len(refs), TWILIO_REFS_PER_ROW):
        enqueue(session, vault, OutboundMessage(channel="voice", address="twilio", action="delete",
                                                target_message_ids=tuple(refs[start:start + TWILIO_REFS_PER_ROW])),
                kind="system")  # fmt: skip
    return len(refs)


async def purge(session: AsyncSession, now: datetime, retention_days: int, vault: Vault | None = None) -> dict[str, int]:
    """Delete bodies of closed cases past retention, and spent outbox/delivery rows.

    With ``vault``, the calls and recordings of those cases are also deleted at Twilio.
    """
    cutoff = now - timedelta(days=retention_days)
    closed = select(Case.id).where(Case.status == "closed", Case.closed_at < cutoff)
    at_twilio = 0
    if vault is not None:
        at_twilio = await delete_at_twilio(session, vault, select(Message).where(
            Message.case_id.in_(closed), or_(Message.body_enc.is_not(None), Message.external_id.is_not(None))))  # fmt: skip
        # The call ids go too: nothing is left to delete twice, and no provider id outlives retention.
        await session.execute(update(Message).where(Message.case_id.in_(closed), Message.channel == "voice")
                              .values(external_id=None))  # fmt: skip
    bodies = await session.execute(
        update(Message).where(Message.case_id.in_(closed), Message.body_enc.is_not(None)).values(body_enc=None)
    )
    notes = await session.execute(
        update(Case).where(Case.id.in_(closed)).values(notes_enc=None, location_enc=None, context=None)
    )
    outbox = await session.execute(
        delete(OutboxItem).where(OutboxItem.status.in_(("sent", "dead", "cancelled")), OutboxItem.created_at < cutoff)
    )
    deliveries = await session.execute(
        delete(InboundDelivery).where(InboundDelivery.status.in_(("done", "failed")), InboundDelivery.created_at < cutoff)
    )
    sessions = await session.execute(delete(OperatorSession).where(OperatorSession.last_seen_at < cutoff))
    counts = {
        "sign_in_counters": await throttle.forget_old(session, now),
        "operator_sessions": rows_affected(sessions),
        "message_bodies": rows_affected(bodies),
        "cases": rows_affected(notes),
        "outbox_rows": rows_affected(outbox),
        "deliveries": rows_affected(deliveries),
        "twilio_deletions": at_twilio,
    }
    audit(session, "system", "retention.purge", None, **counts)
    return counts


async def rotate_keys(session: AsyncSession, vault: Vault, batch: int = 500) -> int:
    """Re-encrypt every stored secret under the primary key; old keys can then be retired."""
    changed = 0
    for column in ENCRYPTED_COLUMNS:
        attr = getattr(column.model, column.attr)
        last: Any = None
        while True:
            query = select(column.model).where(attr.is_not(None), attr != "").order_by(column.model.id).limit(batch)
            if last is not None:
                query = query.where(column.model.id > last)
            rows = list((await session.scalars(query)).all())
            if not rows:
                break
            for row in rows:
                token = getattr(row, column.attr)
                if vault.needs_rotation(token):
                    setattr(row, column.attr, vault.rotate(token, column.aad(row)))
                    changed += 1
            last = rows[-1].id
            await session.flush()
    audit(session, "system", "keys.rotate", None, reencrypted=changed, key=vault.primary_key_id)
    return changed


