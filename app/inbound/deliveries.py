"""Inbound deliveries: stored encrypted before the provider gets its 200, handled after.

A provider retry of the same delivery id is stored once and handled once (the
row's own unique key is the only thing that says "duplicate"); a crash after
the 200 loses nothing because the worker picks pending rows up.
``DeliveryProcessor.run_once`` is the job-loop step: urgent rows first, each
alone in a transaction of its own (its alert is committed and sent before the
crowd is touched); then a set (#17): up to ``limit`` due rows, widened to all
of each claimed person's due rows, handed to the ``Router``'s batch path in one
transaction and one commit (``app.inbound.batch`` says how an item opts out
or fails alone). One person's deliveries are handled in order, oldest first,
on every worker and instance: whoever holds the person's claim (a PostgreSQL
advisory lock on their pseudonym, for the set's whole transaction; one process
on SQLite) handles them. Any error, a conflict included, leaves the delivery
pending for a retry; only a handled delivery is ever "done".
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.inbound.batch import ItemFailed
from app.inbound.route import Outcome
from app.platform.db import rows_affected
from app.platform.events import EventBus
from app.platform.identity import Vault
from app.platform.models import InboundDelivery, utcnow
from app.platform.retry import backoff
from bots.messages import Attachment, InboundMessage

log = logging.getLogger("helpline.deliveries")
MAX_ATTEMPTS = 10
CONFLICT_RETRIES = 2  # a unique-key conflict is retried at once (the row it lost to is then visible)
BATCH_SIZE = 64  # a set's rows: an urgent one arriving meanwhile is alerted within 0.3 s (p99; 32: 0.27 s, at two-thirds the rate)
CLAIM_PAGES = 4  # pages of the queue a worker looks through for senders no other worker holds
RERUNS = 4  # a set run again without the one message that broke; after that, the rest go one at a time
_CLAIM = text("SELECT pg_try_advisory_xact_lock(:key)")
_CLAIM_MANY = text("SELECT k FROM unnest(CAST(:keys AS bigint[])) AS k WHERE pg_try_advisory_xact_lock(k)")

Dispatch = Callable[[AsyncSession, InboundMessage, dict[str, Any]], Awaitable[Outcome]]
class BatchDispatch(Protocol):
    """``Router.batch``: a set's outcomes in order (None: one at a time), shorter when ``stop`` ended it."""

    def __call__(self, session: AsyncSession, inbounds: Sequence[InboundMessage], *,
                 stop: Callable[[], bool] | None = None) -> Awaitable[list[Outcome | None]]: ...  # fmt: skip


def encode(inbound: InboundMessage, meta: dict[str, Any] | None = None) -> str:
    """The delivery's JSON (what ``decode`` reads back); field by field, as ``asdict``'s deep copy cost
    a webhook request more than its encryption."""
    data = {f.name: getattr(inbound, f.name) for f in fields(inbound)}
    data["attachments"] = [{f.name: getattr(a, f.name) for f in fields(a)} for a in inbound.attachments]
    data["received_at"] = inbound.received_at.isoformat() if inbound.received_at else None
    return json.dumps({"inbound": data, "meta": meta or {}}, ensure_ascii=False)


def decode(payload: str) -> tuple[InboundMessage, dict[str, Any]]:
    raw = json.loads(payload)
    data = raw["inbound"]
    data["attachments"] = tuple(Attachment(**a) for a in data.get("attachments", ()))
    if data.get("received_at"):
        data["received_at"] = datetime.fromisoformat(data["received_at"])
    return InboundMessage(**data), raw.get("meta", {})


def claim_key(contact_key: str) -> int:
    """The advisory-lock number of one person (a signed 64-bit int from their pseudonym)."""
    return int(contact_key[:15], 16)


async def store_delivery(
    session: AsyncSession, vault: Vault, inbound: InboundMessage, meta: dict[str, Any] | None = None,
    *, priority: int = 0,
) -> uuid.UUID | None:
    """Insert once per (channel, external message id); None when it was already stored."""
    values = delivery_row(vault, inbound, meta, priority=priority)
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(InboundDelivery).values(**values).on_conflict_do_nothing(index_elements=["channel", "delivery_id"])
    result = await session.execute(stmt)
    return values["id"] if rows_affected(result) else None


def delivery_row(vault: Vault, inbound: InboundMessage, meta: dict[str, Any] | None = None, *,
                 priority: int = 0) -> dict[str, Any]:  # fmt: skip
    """The encrypted row of one delivery, keyed by its sender's pseudonym."""
    delivery_id = uuid.uuid4()
    return {
        "id": delivery_id,
        "channel": inbound.channel,
        "delivery_id": inbound.external_message_id,
        "contact_key": vault.pseudonym(inbound.channel, inbound.external_id),
        "priority": priority,
        "payload_enc": vault.encrypt(encode(inbound, meta), f"delivery:{delivery_id}"),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": utcnow(),
        "created_at": utcnow(),
    }


class DeliveryProcessor:
    """Runs pending deliveries through the core, one transaction each."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        vault: Vault,
        dispatch: Dispatch,
        *,
        events: EventBus | None = None,
        skip_locked: bool = False,
        clock: Callable[[], datetime] = utcnow,
        wake: Callable[[], None] | None = None,
        batch: BatchDispatch | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.vault = vault
        self.dispatch = dispatch
        self.batch = batch  # None: every delivery one at a time (the path a batch falls back to)
        self.batch_size = batch_size
        self.events = events
        self.skip_locked = skip_locked
        self.clock = clock
        self.wake = wake  # what a handled delivery queued (replies, alerts) is sent without waiting a tick
        self._urgent_waiting = False

    def _urgent(self) -> bool:
        return self._urgent_waiting

    def urgent_arrived(self) -> None:
        """The door stored an urgent delivery: the pass in progress ends early so it is claimed next."""
        self._urgent_waiting = True

    async def run_once(self, limit: int | None = None) -> int:
        """One pass: an urgent delivery alone if one is due, else a set of up to ``limit`` (one at a time
        without a batch path); it ends after an urgent one so its alert goes out at once."""
        self._urgent_waiting = False
        limit = limit or self.batch_size
        if self.batch is None:
            return await self._one_by_one(limit, urgent_only=False)
        done = await self._one_by_one(limit, urgent_only=True)
        if done:
            return done  # the job loop sends the alert now, then comes back for the crowd
        for _ in range(RERUNS):
            handled = await self._batch_pass(limit)
            if handled is not None:
                return handled
        return await self._batch_pass(limit, alone=True) or 0

    async def _one_by_one(self, limit: int, *, urgent_only: bool) -> int:
        async with self.sessionmaker() as session:
            query = (
                select(InboundDelivery.id, InboundDelivery.priority)
                .where(InboundDelivery.status == "pending", InboundDelivery.next_attempt_at <= self.clock())
                .order_by(InboundDelivery.priority.desc(), InboundDelivery.created_at)
                .limit(limit)
            )
            if urgent_only:
                query = query.where(InboundDelivery.priority > 0)
            claimed = list((await session.execute(query)).all())
        done = 0
        for delivery_id, priority in claimed:
            handled = await self.process(delivery_id)
            done += handled
            if handled and (priority > 0 or self._urgent_waiting):
                break  # the job loop sends its alert now, then comes back for the rest
        return done

    async def _claim_set(self, session: AsyncSession, limit: int) -> list[Any]:
        """Up to ``limit`` senders from the front of the queue whose claim this transaction got, with all
        their due rows.

        Another worker may hold senders at the front: then further pages are read until the set is full
        (or the pages run out), so N workers on one database share the queue, each with full sets, instead
        of one taking what the other left at the front one row at a time. And a sender whose lock was free
        may have been finished by that worker between the read and the lock (its rows no longer due): when
        nothing is left, the queue is read again from the front.
        """
        due = (InboundDelivery.status == "pending", InboundDelivery.next_attempt_at <= self.clock())
        columns = (InboundDelivery.id, InboundDelivery.contact_key, InboundDelivery.channel, InboundDelivery.payload_enc)
        pages = CLAIM_PAGES if self.skip_locked else 1
        rows: list[Any] = []
        legacy: list[uuid.UUID] = []
        for _attempt in range(2 if self.skip_locked else 1):
            keys: list[str] = []
            legacy = []
            for page in range(pages):
                heads = (await session.execute(
                    select(InboundDelivery.id, InboundDelivery.contact_key).where(*due)
                    .order_by(InboundDelivery.priority.desc(), InboundDelivery.created_at)
                    .offset(page * limit).limit(limit)
                )).all()  # fmt: skip
                legacy += [row_id for row_id, key in heads if key is None]
                wanted = [k for k in dict.fromkeys(key for _, key in heads if key is not None) if k not in keys]
                wanted = wanted[: limit - len(keys)]  # locked is claimed: no more senders than the set takes
                if self.skip_locked and wanted:
                    got = set((await session.scalars(_CLAIM_MANY, {"keys": [claim_key(k) for k in wanted]})).all())
                    wanted = [k for k in wanted if claim_key(k) in got]  # the others are on another worker
                keys += wanted
                if len(keys) >= limit or len(heads) < limit:
                    break
            if keys:
                rows = list((await session.execute(
                    select(*columns).where(*due, InboundDelivery.contact_key.in_(keys))
                    .order_by(InboundDelivery.created_at, InboundDelivery.id).limit(limit * 4)
                )).all())  # fmt: skip
            if rows or legacy or not keys:
                break
        if legacy:
            rows += (await session.execute(select(*columns).where(*due, InboundDelivery.id.in_(legacy)))).all()
        return rows

    async def _batch_pass(self, limit: int, *, alone: bool = False) -> int | None:
        """One set in one transaction; None when one message broke and the set must run again without it.

        With ``alone`` (too many reruns) the claimed rows are handled one at a time instead.
        """
        singly: list[uuid.UUID] = []  # one at a time after the commit, in order: opted out, or no sender key
        broken: list[tuple[uuid.UUID, str]] = []
        async with self.sessionmaker() as session:
            rows = await self._claim_set(session, limit)
            if not rows:
                return 0
            if alone:
                await session.rollback()
                return await self._each([row.id for row in rows])
            ids: list[uuid.UUID] = []
            inbounds: list[InboundMessage] = []
            for row in rows:
                if row.contact_key is None:
                    singly.append(row.id)
                    continue
                try:
                    inbound, _meta = decode(self.vault.decrypt(row.payload_enc or "", f"delivery:{row.id}"))
                except Exception as exc:  # noqa: BLE001 - an unreadable delivery fails alone
                    broken.append((row.id, type(exc).__name__))
                    continue
                ids.append(row.id)
                inbounds.append(inbound)
            try:
                assert self.batch is not None
                # An urgent delivery stored meanwhile ends the set where it is: it is claimed next, alone.
                results = await self.batch(session, inbounds, stop=self._urgent) if inbounds else []
                done = [row_id for row_id, result in zip(ids, results, strict=False) if result is not None]
                if done:
                    await session.execute(update(InboundDelivery).where(InboundDelivery.id.in_(done))
                                          .values(status="done", payload_enc=None))  # fmt: skip
                await session.commit()
            except ItemFailed as failed:
                await session.rollback()
                bad = ids[failed.index]
                if failed.alone:
                    await self.process(bad)  # its sender's older ones first, then it, one at a time
                else:
                    log.error("delivery failed in a batch", exc_info=failed.cause,
                              extra={"channel": inbounds[failed.index].channel})  # fmt: skip
                    await self._finish(bad, error=type(failed.cause).__name__)
                for row_id, error in broken:
                    await self._finish(row_id, error=error)
                return None
            except Exception:  # noqa: BLE001 - a conflict or a database error: each one alone, as before
                await session.rollback()
                log.warning("batch failed, handling its deliveries one at a time", exc_info=True)
                return await self._each([row.id for row in rows])
        for row_id, error in broken:
            log.error("delivery unreadable", extra={"error": error})
            await self._finish(row_id, error=error)
        handled = len(done)
        for result in results:
            if result is not None and self.events:
                self.events.publish_all(result.events)
        if handled and self.wake:
            self.wake()
        singly += [row_id for row_id, result in zip(ids, results, strict=False) if result is None]
        if self._urgent_waiting:
            return handled  # the urgent one first; these are claimed again in a later set
        return handled + await self._each(singly)

    async def _each(self, ids: Sequence[uuid.UUID]) -> int:
        handled = 0
        for delivery_id in ids:
            handled += await self.process(delivery_id)
        return handled

    async def process(self, delivery_id: uuid.UUID) -> int:
        """Handle this delivery and, first, its sender's older due ones; how many were handled now.

        0 when another worker has this person right now: it handles this delivery in its turn.
        """
        handled = 0
        conflicts: dict[uuid.UUID, int] = {}
        while True:
            async with self.sessionmaker() as session:
                key = await session.scalar(select(InboundDelivery.contact_key).where(
                    InboundDelivery.id == delivery_id, InboundDelivery.status == "pending"))  # fmt: skip
                if key is None:
                    target = await self._legacy(session, delivery_id)
                else:
                    if self.skip_locked and not await session.scalar(_CLAIM, {"key": claim_key(key)}):
                        return handled  # another worker is handling this person: it takes this one in turn
                    target = await self._oldest_due(session, key)
                if target is None:
                    return handled
                target_id = target.id
                result = await self._handle(session, target)
            if result == "conflict":
                conflicts[target_id] = conflicts.get(target_id, 0) + 1
                if conflicts[target_id] <= CONFLICT_RETRIES:
                    continue
                await self._finish(target_id, error="IntegrityError")
            elif isinstance(result, str):
                pass  # failed, recorded with its backoff: the sender's next delivery is not held up by it
            else:
                handled += 1
                if self.events:
                    self.events.publish_all(result.events)
                if self.wake:
                    self.wake()
            if target_id == delivery_id:
                return handled

    async def _oldest_due(self, session: AsyncSession, key: str) -> InboundDelivery | None:
        """The sender's oldest pending delivery that is due (the one in hand when none is older)."""
        return await session.scalar(
            select(InboundDelivery)
            .where(InboundDelivery.contact_key == key, InboundDelivery.status == "pending",
                   InboundDelivery.next_attempt_at <= self.clock())
            .order_by(InboundDelivery.created_at, InboundDelivery.id)
            .limit(1)
        )  # fmt: skip

    async def _legacy(self, session: AsyncSession, delivery_id: uuid.UUID) -> InboundDelivery | None:
        """A delivery stored before deliveries carried their sender's key: claimed by its own row."""
        query = select(InboundDelivery).where(InboundDelivery.id == delivery_id, InboundDelivery.status == "pending")
        if self.skip_locked:
            query = query.with_for_update(skip_locked=True)
        return await session.scalar(query)

    async def _handle(self, session: AsyncSession, delivery: InboundDelivery) -> Outcome | str:
        """Run one delivery and commit it as done: its outcome, or "conflict" / "failed" (rolled back)."""
        channel, delivery_id = delivery.channel, delivery.id
        try:
            inbound, meta = decode(self.vault.decrypt(delivery.payload_enc or "", f"delivery:{delivery.id}"))
            outcome = await self.dispatch(session, inbound, meta)
            delivery.status = "done"
            delivery.payload_enc = None  # handled: the raw delivery is not kept
            await session.commit()
        except IntegrityError:
            # A unique key this message needs (a new contact, a case) was taken by a racing
            # transaction: rolled back whole and tried again, never taken for a duplicate.
            await session.rollback()
            log.warning("delivery conflicted, retrying", extra={"channel": channel})
            return "conflict"
        except Exception as exc:  # noqa: BLE001 - keep the delivery for a retry
            await session.rollback()
            log.exception("delivery failed", extra={"channel": channel})
            await self._finish(delivery_id, error=type(exc).__name__)
            return "failed"
        return outcome

    async def _finish(self, delivery_id: uuid.UUID, *, error: str) -> None:
        """Record a failed attempt, in a fresh transaction: pending again after a backoff, failed at the end."""
        async with self.sessionmaker() as session:
            delivery = await session.get(InboundDelivery, delivery_id)
            if delivery is None or delivery.status != "pending":
                return
            delivery.attempts += 1
            delivery.last_error = error
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = "failed"
                log.error("delivery failed for good", extra={"channel": delivery.channel})
            else:
                delivery.next_attempt_at = self.clock() + timedelta(seconds=backoff(delivery.attempts))
            await session.commit()

