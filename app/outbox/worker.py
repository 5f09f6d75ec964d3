"""Sends outbox rows after commit, with retries, backoff and dead letters.

On PostgreSQL rows are claimed with ``FOR UPDATE SKIP LOCKED`` so several
instances never send the same row twice; SQLite runs one process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.outbox.service import enqueue, open_item
from app.platform.events import Event, EventBus
from app.platform.identity import Vault
from app.platform.models import Message, OutboxItem, utcnow
from app.platform.retry import backoff
from bots.messages import OutboundMessage, Sender, SendError

log = logging.getLogger("helpline.outbox")


class OutboxWorker:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        vault: Vault,
        senders: dict[str, Sender],
        *,
        max_attempts: int = 8,
        clock: Callable[[], datetime] = utcnow,
        skip_locked: bool = False,
        events: EventBus | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.vault = vault
        self.senders = senders
        self.max_attempts = max_attempts
        self.clock = clock
        self.skip_locked = skip_locked
        self.events = events

    async def run_once(self, limit: int = 50) -> int:
        """Send what is due; returns how many rows were attempted."""
        async with self.sessionmaker() as session:
            query = (
                select(OutboxItem)
                .where(OutboxItem.status == "pending", OutboxItem.next_attempt_at <= self.clock())
                .order_by(OutboxItem.next_attempt_at, OutboxItem.created_at)
                .limit(limit)
            )
            if self.skip_locked:
                query = query.with_for_update(skip_locked=True)
            items = list((await session.scalars(query)).all())
            for item in items:
                await self._deliver(session, item)
                await session.flush()
            await session.commit()
        return len(items)

    async def _deliver(self, session: AsyncSession, item: OutboxItem) -> None:
        item.attempts += 1
        sender = self.senders.get(item.channel)
        try:
            if sender is None:
                raise SendError(f"no sender configured for {item.channel}", retryable=True)
            message = open_item(self.vault, item)
            result = await sender.send(message)
        except SendError as exc:
            self._failed(item, str(exc), exc.retryable, exc.retry_after)
            return
        except Exception as exc:  # noqa: BLE001 - a provider bug must not stop the queue
            self._failed(item, type(exc).__name__, True, None)
            return
        item.status = "sent"
        item.sent_at = self.clock()
        item.provider_ref = result.external_message_id
        item.last_error = None
        if item.message_id is not None and result.external_message_id:
            await session.execute(
                update(Message).where(Message.id == item.message_id).values(chat_ref=result.external_message_id)
            )
        if message.action == "delete" and result.not_done and message.extra.get("partial_text"):
            enqueue(session, self.vault, OutboundMessage(channel=message.channel, address=message.address,
                                                         text=message.extra["partial_text"]), kind="system")  # fmt: skip
        # A sent row keeps no address and no content.
        item.address_enc = ""
        item.payload_enc = ""

    def _failed(self, item: OutboxItem, error: str, retryable: bool, retry_after: float | None) -> None:
        item.last_error = error[:500]
        if not retryable or item.attempts >= self.max_attempts:
            item.status = "dead"
            log.warning("outbox row dead", extra={"outbox": str(item.id), "attempts": item.attempts, "channel": item.channel})
            if self.events:
                self.events.publish(Event("outbox.dead", {"outbox": str(item.id), "channel": item.channel}))
            return
        delay = retry_after if retry_after is not None else backoff(item.attempts)
        item.next_attempt_at = self.clock() + timedelta(seconds=delay)
        log.info("outbox retry", extra={"outbox": str(item.id), "attempts": item.attempts, "channel": item.channel})
