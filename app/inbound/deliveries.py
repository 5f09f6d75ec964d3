"""Inbound deliveries: stored encrypted before the provider gets its 200, handled after.

A provider retry of the same delivery id is stored once and handled once; a
crash after the 200 loses nothing because the worker picks pending rows up.
``DeliveryProcessor.run_once`` is the job-loop step: it claims pending rows
and hands each to the ``Router`` in a transaction of its own.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.inbound.route import Outcome
from app.platform.db import rows_affected
from app.platform.events import EventBus
from app.platform.identity import Vault
from app.platform.models import InboundDelivery, utcnow
from app.platform.retry import backoff
from bots.messages import Attachment, InboundMessage

log = logging.getLogger("helpline.deliveries")
MAX_ATTEMPTS = 10

Dispatch = Callable[[AsyncSession, InboundMessage, dict[str, Any]], Awaitable[Outcome]]


def encode(inbound: InboundMessage, meta: dict[str, Any] | None = None) -> str:
    data = asdict(inbound)
    data["received_at"] = inbound.received_at.isoformat() if inbound.received_at else None
    return json.dumps({"inbound": data, "meta": meta or {}}, ensure_ascii=False)


def decode(payload: str) -> tuple[InboundMessage, dict[str, Any]]:
    raw = json.loads(payload)
    data = raw["inbound"]
    data["attachments"] = tuple(Attachment(**a) for a in data.get("attachments", ()))
    if data.get("received_at"):
        data["received_at"] = datetime.fromisoformat(data["received_at"])
    return InboundMessage(**data), raw.get("meta", {})


async def store_delivery(
    session: AsyncSession, vault: Vault, inbound: InboundMessage, meta: dict[str, Any] | None = None
) -> uuid.UUID | None:
    """Insert once per (channel, external message id); None when it was already stored."""
    delivery_id = uuid.uuid4()
    values = {
        "id": delivery_id,
        "channel": inbound.channel,
        "delivery_id": inbound.external_message_id,
        "payload_enc": vault.encrypt(encode(inbound, meta), f"delivery:{delivery_id}"),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": utcnow(),
        "created_at": utcnow(),
    }
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(InboundDelivery).values(**values).on_conflict_do_nothing(index_elements=["channel", "delivery_id"])
    result = await session.execute(stmt)
    return delivery_id if rows_affected(result) else None


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
    ) -> None:
        self.sessionmaker = sessionmaker
        self.vault = vault
        self.dispatch = dispatch
        self.events = events
        self.skip_locked = skip_locked
        self.clock = clock
        self.wake = wake  # what a handled delivery queued (replies, alerts) is sent without waiting a tick

    async def run_once(self, limit: int = 50) -> int:
        async with self.sessionmaker() as session:
            query = (
                select(InboundDelivery.id)
                .where(InboundDelivery.status == "pending", InboundDelivery.next_attempt_at <= self.clock())
                .order_by(InboundDelivery.created_at)
                .limit(limit)
            )
            ids = list((await session.scalars(query)).all())
        done = 0
        for delivery_id in ids:
            done += await self.process(delivery_id)
        return done

    async def process(self, delivery_id: uuid.UUID) -> int:
        """Handle one delivery; 1 when it was handled now, 0 when another worker had it."""
        outcome: Outcome | None = None
        async with self.sessionmaker() as session:
            query = select(InboundDelivery).where(InboundDelivery.id == delivery_id, InboundDelivery.status == "pending")
            if self.skip_locked:
                query = query.with_for_update(skip_locked=True)
            delivery = await session.scalar(query)
            if delivery is None:
                return 0
            channel = delivery.channel
            try:
                inbound, meta = decode(self.vault.decrypt(delivery.payload_enc or "", f"delivery:{delivery.id}"))
                outcome = await self.dispatch(session, inbound, meta)
                delivery.status = "done"
                delivery.payload_enc = None  # handled: the raw delivery is not kept
                await session.commit()
            except IntegrityError:
                # Another worker stored the same provider message first: nothing to do twice.
                await session.rollback()
                log.info("duplicate delivery ignored", extra={"channel": channel})
                await self._finish(delivery_id, error=None)
                return 0
            except Exception as exc:  # noqa: BLE001 - keep the delivery for a retry
                await session.rollback()
                log.exception("delivery failed", extra={"channel": channel})
                await self._finish(delivery_id, error=type(exc).__name__)
                return 0
        if outcome is not None:
            if self.events:
                self.events.publish_all(outcome.events)
            if self.wake:
                self.wake()
        return 1

    async def _finish(self, delivery_id: uuid.UUID, *, error: str | None) -> None:
        """Record a failed attempt (with backoff) or close a duplicate, in a fresh transaction."""
        async with self.sessionmaker() as session:
            delivery = await session.get(InboundDelivery, delivery_id)
            if delivery is None:
                return
            if error is None:
                delivery.status, delivery.payload_enc = "done", None
            else:
                delivery.attempts += 1
                delivery.last_error = error
                if delivery.attempts >= MAX_ATTEMPTS:
                    delivery.status = "failed"
                else:
                    delivery.next_attempt_at = self.clock() + timedelta(seconds=backoff(delivery.attempts))
            await session.commit()

