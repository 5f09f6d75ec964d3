"""Erasure, retention and key rotation: the promises made to a person, kept in one place."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, null, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth import throttle
from app.outbox.service import enqueue
from app.platform.audit import audit
from app.platform.db import rows_affected
from app.platform.identity import Vault
from app.platform.models import (
    CASE_UNPURGED,
    DELIVERY_SPENT,
    OUTBOX_SPENT,
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


PURGE_BATCH = 500
PURGE_LOCK = "helpline.retention.purge"
PurgeStep = Callable[[AsyncSession, datetime, "Vault | None", int], Awaitable[dict[str, int]]]


def _unpurged_cases(cutoff: datetime) -> Select[Any]:
    """Closed cases past retention that still keep notes, place or context (``ix_cases_unpurged``)."""
    return select(Case.id).where(text(CASE_UNPURGED), Case.closed_at < cutoff)


async def _closed_case_batch(session: AsyncSession, cutoff: datetime, vault: Vault | None,
                             batch: int) -> dict[str, int]:  # fmt: skip
    """The next few closed cases past retention, oldest closed first: up to ``batch`` of their messages lose their
    bodies (with ``vault``, their calls and recordings are deleted at Twilio), and once none is left the cases
    lose notes, place and context and so leave ``ix_cases_unpurged``: no batch scans what an earlier one did."""
    cases = list((await session.scalars(_unpurged_cases(cutoff).order_by(Case.closed_at, Case.id)
                                        .limit(max(1, batch // 5)))).all())  # fmt: skip
    if not cases:
        return {"more": 0}
    kept: ColumnElement[bool] = Message.body_enc.is_not(None)
    if vault is not None:  # the call ids go too: nothing is left to delete twice, no provider id outlives retention
        kept = or_(kept, and_(Message.channel == "voice", Message.external_id.is_not(None)))
    ids = list((await session.scalars(select(Message.id).where(Message.case_id.in_(cases), kept).limit(batch))).all())
    at_twilio = bodies = 0
    if ids:
        if vault is not None:
            at_twilio = await delete_at_twilio(session, vault, select(Message).where(Message.id.in_(ids)))
            await session.execute(update(Message).where(Message.id.in_(ids), Message.channel == "voice")
                                  .values(external_id=None))  # fmt: skip
        bodies = rows_affected(await session.execute(
            update(Message).where(Message.id.in_(ids), Message.body_enc.is_not(None)).values(body_enc=None)))  # fmt: skip
    done = 0
    if len(ids) < batch:  # every message of these cases is bare now; SQL NULL, not JSON null: the index reads it
        await session.execute(update(Case).where(Case.id.in_(cases)).values(notes_enc=None, location_enc=None,
                                                                            context=null()))  # fmt: skip
        done = len(cases)
    return {"more": 1, "message_bodies": bodies, "twilio_deletions": at_twilio, "cases": done}


async def _outbox_batch(session: AsyncSession, cutoff: datetime, _: Vault | None, batch: int) -> dict[str, int]:
    ids = list((await session.scalars(select(OutboxItem.id).where(text(OUTBOX_SPENT), OutboxItem.created_at < cutoff)
                                      .order_by(OutboxItem.created_at).limit(batch))).all())  # fmt: skip
    if ids:
        await session.execute(delete(OutboxItem).where(OutboxItem.id.in_(ids)))
    return {"more": int(len(ids) == batch), "outbox_rows": len(ids)}


async def _delivery_batch(session: AsyncSession, cutoff: datetime, _: Vault | None, batch: int) -> dict[str, int]:
    ids = list((await session.scalars(select(InboundDelivery.id)
                                      .where(text(DELIVERY_SPENT), InboundDelivery.created_at < cutoff)
                                      .order_by(InboundDelivery.created_at).limit(batch))).all())  # fmt: skip
    if ids:
        await session.execute(delete(InboundDelivery).where(InboundDelivery.id.in_(ids)))
    return {"more": int(len(ids) == batch), "deliveries": len(ids)}


STEPS: tuple[PurgeStep, ...] = (_closed_case_batch, _outbox_batch, _delivery_batch)


async def _staff_rows(session: AsyncSession, now: datetime, cutoff: datetime) -> dict[str, int]:
    """Sign-in counters and ended browser sessions: a handful of rows, one statement each."""
    sessions = await session.execute(delete(OperatorSession).where(OperatorSession.last_seen_at < cutoff))
    return {"sign_in_counters": await throttle.forget_old(session, now), "operator_sessions": rows_affected(sessions)}


async def _purge_lock(session: AsyncSession) -> bool:
    """One instance purges at a time: a PostgreSQL advisory lock held by each batch's transaction (so it holds
    behind PgBouncer too); an instance that finds it taken stops, the other is purging. SQLite: one process."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(await session.scalar(text("SELECT pg_try_advisory_xact_lock(hashtext(:name))"), {"name": PURGE_LOCK}))


def _empty_counts() -> dict[str, int]:
    keys = ("sign_in_counters", "operator_sessions", "message_bodies", "cases", "outbox_rows", "deliveries",
            "twilio_deletions")  # fmt: skip
    return dict.fromkeys(keys, 0)


def _add(counts: dict[str, int], more: dict[str, int]) -> None:
    for key, value in more.items():
        if key != "more":
            counts[key] = counts.get(key, 0) + value


async def purge(session: AsyncSession, now: datetime, retention_days: int, vault: Vault | None = None,
                batch: int = PURGE_BATCH) -> dict[str, int]:  # fmt: skip
    """Delete bodies of closed cases past retention, and spent outbox/delivery rows, in the caller's transaction.

    The same batches as ``purge_in_batches``, all in one transaction: for tests and small databases. With
    ``vault``, the calls and recordings of those cases are also deleted at Twilio.
    """
    counts = _empty_counts()
    if not await _purge_lock(session):
        return counts
    cutoff = now - timedelta(days=retention_days)
    _add(counts, await _staff_rows(session, now, cutoff))
    for step in STEPS:
        while True:
            done = await step(session, cutoff, vault, batch)
            _add(counts, done)
            if not done["more"]:
                break
    audit(session, "system", "retention.purge", None, **counts)
    return counts


@dataclass
class PurgeReport:
    """What a batched purge did, and how long its longest transaction was held (seconds)."""

    counts: dict[str, int]
    batches: int = 0
    longest: float = 0.0
    longest_step: str = ""  # which kind of batch it was
    skipped: bool = False  # another instance holds the purge lock


async def purge_in_batches(sessionmaker: async_sessionmaker[AsyncSession], now: datetime, retention_days: int,
                           vault: Vault | None = None, batch: int = PURGE_BATCH) -> PurgeReport:  # fmt: skip
    """The retention purge as many short transactions of at most ``batch`` rows each, found by indexed columns.

    A first purge of months of backlog never holds locks on the live tables for long: each batch commits
    before the next begins, and what a batch leaves behind the next run finishes. Twilio deletions are
    outbox rows written in the batch that bares their messages, so they leave only if it commits.
    """
    cutoff = now - timedelta(days=retention_days)
    report = PurgeReport(counts=_empty_counts())

    async def one(work: Callable[[AsyncSession], Awaitable[dict[str, int]]]) -> dict[str, int] | None:
        began = time.perf_counter()
        async with sessionmaker() as session:
            if not await _purge_lock(session):
                await session.rollback()
                return None
            done = await work(session)
            await session.commit()
        report.batches += 1
        if time.perf_counter() - began > report.longest:
            report.longest, report.longest_step = time.perf_counter() - began, getattr(work, "step", "")
        _add(report.counts, done)
        return done

    if await one(lambda session: _staff_rows(session, now, cutoff)) is None:
        report.skipped = True
        return report
    for step in STEPS:

        async def run_step(session: AsyncSession, step: PurgeStep = step) -> dict[str, int]:
            return await step(session, cutoff, vault, batch)

        run_step.step = step.__name__.strip("_")  # type: ignore[attr-defined]

        while True:
            done = await one(run_step)
            if done is None:
                report.skipped = True
                return report
            if not done["more"]:
                break

    async def record(session: AsyncSession) -> dict[str, int]:
        audit(session, "system", "retention.purge", None, **report.counts, batches=report.batches)
        return {"more": 0}

    await one(record)
    return report


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


