"""The retention purge in short transactions: small batches found by indexed columns, one instance at a time."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from app.platform.db import session_scope
from app.platform.models import AuditEntry, Case, InboundDelivery, Message, OutboxItem
from app.privacy.service import PURGE_LOCK, purge_in_batches

OLD, RECENT = timedelta(days=200), timedelta(days=10)


async def _history(services) -> dict[str, list[uuid.UUID]]:  # type: ignore[no-untyped-def]
    """Closed cases past retention and not, one open old case, spent and pending rows old and new."""
    now, vault = services.clock(), services.vault
    ids: dict[str, list[uuid.UUID]] = {"old": [], "recent": [], "open": []}
    async with session_scope(services.sessionmaker) as session:
        for n, (kind, age, status) in enumerate([("old", OLD, "closed")] * 5 + [("recent", RECENT, "closed")] * 2
                                                 + [("open", OLD, "waiting")]):  # fmt: skip
            case = Case(id=uuid.uuid4(), alias=f"P{n:03d}", channel="telegram", language="ru", status=status,
                        created_at=now - age - timedelta(days=1), closed_at=now - age if status == "closed" else None,
                        context={"city": "almaty"})  # fmt: skip
            case.notes_enc = vault.encrypt("заметка", f"case:{case.id}:notes")
            session.add(case)
            ids[kind].append(case.id)
            for i in range(3):
                message = Message(id=uuid.uuid4(), case_id=case.id, direction="in", sender="person", channel="telegram",
                                  created_at=now - age - timedelta(hours=i))  # fmt: skip
                message.body_enc = vault.encrypt("слова человека", f"message:{message.id}")
                session.add(message)
        for age in (OLD, RECENT):
            for status in ("sent", "dead", "cancelled", "pending"):
                session.add(OutboxItem(channel="telegram", address_enc="", payload_enc="", status=status,
                                       created_at=now - age))  # fmt: skip
            for status in ("done", "failed", "pending"):
                session.add(InboundDelivery(channel="telegram", delivery_id=uuid.uuid4().hex, status=status,
                                            created_at=now - age))  # fmt: skip
    return ids


async def test_a_batched_purge_bares_old_closed_cases_and_spent_rows_and_nothing_else(services) -> None:  # type: ignore[no-untyped-def]
    ids = await _history(services)
    report = await purge_in_batches(services.sessionmaker, services.clock(), 90, services.vault, batch=4)
    assert not report.skipped
    assert report.counts["message_bodies"] == 15 and report.counts["cases"] == 5
    assert report.counts["outbox_rows"] == 3 and report.counts["deliveries"] == 2
    assert report.batches >= 15 // 4 + 5 // 4 + 2  # many small transactions, not one
    async with services.sessionmaker() as session:
        bare = {cid for (cid,) in (await session.execute(select(Message.case_id).where(Message.body_enc.is_(None))))}
        assert bare == set(ids["old"])
        cases = {c.id: c for c in (await session.scalars(select(Case))).all()}
        assert all(cases[i].notes_enc is None and not cases[i].context for i in ids["old"])
        assert all(cases[i].notes_enc and cases[i].context for i in ids["recent"] + ids["open"])
        left = (await session.execute(select(OutboxItem.status, func.count()).group_by(OutboxItem.status))).all()
        assert dict(left) == {"sent": 1, "dead": 1, "cancelled": 1, "pending": 2}
        assert await session.scalar(select(func.count()).select_from(InboundDelivery)) == 4
        audited = await session.scalar(select(AuditEntry.details).where(AuditEntry.action == "retention.purge"))
        assert audited is not None and audited["message_bodies"] == 15


async def test_a_second_purge_finds_nothing_left_to_do(services) -> None:  # type: ignore[no-untyped-def]
    await _history(services)
    await purge_in_batches(services.sessionmaker, services.clock(), 90, services.vault, batch=4)
    again = await purge_in_batches(services.sessionmaker, services.clock(), 90, services.vault, batch=4)
    assert not any(again.counts.values())
    assert again.batches == 2 + 3  # the staff rows, one empty look per step, the audit line


async def test_only_one_instance_purges_at_a_time(services) -> None:  # type: ignore[no-untyped-def]
    if services.engine.dialect.name != "postgresql":
        pytest.skip("one process on SQLite: nothing to exclude")
    await _history(services)
    async with services.sessionmaker() as other:  # another instance, in the middle of a batch
        assert await other.scalar(text("SELECT pg_try_advisory_xact_lock(hashtext(:n))"), {"n": PURGE_LOCK})
        report = await purge_in_batches(services.sessionmaker, services.clock(), 90, services.vault)
        await other.rollback()
    assert report.skipped and not any(report.counts.values())
    after = await purge_in_batches(services.sessionmaker, services.clock(), 90, services.vault)
    assert not after.skipped and after.counts["message_bodies"] == 15
