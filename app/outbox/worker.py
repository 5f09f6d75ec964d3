"""Sends outbox rows after commit, with retries, backoff and dead letters.

A pass claims at most ``concurrency`` due rows, marks them ``sending`` with a
lease and commits *before* any provider call; each call's result is recorded
in its own short transaction right after it returns. No row lock is held
across a call, and a crash can repeat only the calls in flight at that moment
(at most ``concurrency``): their rows come back when the lease runs out. One
recipient's rows go out one at a time, in order (one per address in a pass,
none while another is in flight), which also keeps within the providers'
per-chat limits; operator alerts go first and are not held behind each
other, so in a surge an urgent case's alert never waits for the crowd's replies. On PostgreSQL the claim uses ``FOR UPDATE SKIP LOCKED`` so
several instances never claim the same row; SQLite runs one process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.outbox.service import enqueue, open_item
from app.platform.events import Event, EventBus
from app.platform.identity import Vault
from app.platform.models import Message, OutboxItem, utcnow
from app.platform.retry import backoff
from bots.messages import OutboundMessage, Sender, SendError, SendResult

log = logging.getLogger("helpline.outbox")


class OutboxSettings(BaseSettings):
    """``HELPLINE_OUTBOX_*``: how many provider calls at once, and how long a claimed row stays claimed."""

    model_config = SettingsConfigDict(env_prefix="HELPLINE_OUTBOX_", env_file=".env", extra="ignore")

    concurrency: int = 8
    lease_seconds: float = 60.0


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
        concurrency: int = 8,
        lease: timedelta = timedelta(seconds=60),
    ) -> None:
        self.sessionmaker = sessionmaker
        self.vault = vault
        self.senders = senders
        self.max_attempts = max_attempts
        self.clock = clock
        self.skip_locked = skip_locked
        self.events = events
        self.concurrency = max(1, concurrency)
        self.lease = lease

    async def run_once(self, limit: int | None = None) -> int:
        """Claim what is due (at most ``concurrency``), send it concurrently; how many rows were attempted."""
        items = await self.claim(min(limit or self.concurrency, self.concurrency))
        if items:
            await asyncio.gather(*(self._deliver(item) for item in items))
        return len(items)

    async def claim(self, limit: int) -> list[OutboxItem]:
        """Mark up to ``limit`` due rows ``sending`` under a lease and commit, before any call is made.

        A row left ``sending`` by a crashed worker is due again once its lease has run out.
        """
        now = self.clock()
        due = or_(OutboxItem.status == "pending", OutboxItem.status == "sending")
        async with self.sessionmaker() as session:
            query = (
                select(OutboxItem)
                .where(due, OutboxItem.next_attempt_at <= now)
                .order_by(case((OutboxItem.kind == "alert", 0), else_=1), OutboxItem.next_attempt_at,
                          OutboxItem.created_at)  # fmt: skip
                .limit(limit * 4)
            )
            if self.skip_locked:
                query = query.with_for_update(skip_locked=True)
            candidates = list((await session.scalars(query)).all())
            if not candidates:
                return []
            busy = await self._in_flight(session, {c.address_key for c in candidates if c.address_key and c.kind != "alert"}, now)
            chosen: list[OutboxItem] = []
            for item in candidates:
                if len(chosen) == limit:
                    break
                if item.address_key is not None and item.kind != "alert":
                    if item.address_key in busy:
                        continue  # this chat's previous row is still going out: keep the order
                    busy.add(item.address_key)
                item.status = "sending"
                item.attempts += 1
                item.next_attempt_at = now + self.lease
                chosen.append(item)
            await session.commit()
        return chosen

    async def _in_flight(self, session: AsyncSession, keys: set[str], now: datetime) -> set[str]:
        """Recipients with a row being sent right now (claimed, lease not run out)."""
        if not keys:
            return set()
        rows = await session.scalars(
            select(OutboxItem.address_key).where(OutboxItem.address_key.in_(keys), OutboxItem.status == "sending",
                                                 OutboxItem.next_attempt_at > now)  # fmt: skip
        )
        return {k for k in rows if k}

    async def _deliver(self, item: OutboxItem) -> None:
        """One provider call, then its result recorded at once in a transaction of its own."""
        sender = self.senders.get(item.channel)
        message: OutboundMessage | None = None
        result: SendResult | None = None
        failure: tuple[str, bool, float | None] | None = None
        try:
            if sender is None:
                raise SendError(f"no sender configured for {item.channel}", retryable=True)
            message = open_item(self.vault, item)
            # Bounded well inside the lease, so a slow call is never claimed twice.
            result = await asyncio.wait_for(sender.send(message), timeout=self.lease.total_seconds() / 2)
        except SendError as exc:
            failure = (str(exc), exc.retryable, exc.retry_after)
        except Exception as exc:  # noqa: BLE001 - a provider bug must not stop the queue
            failure = (type(exc).__name__, True, None)
        try:
            async with self.sessionmaker() as session:
                session.add(item)
                if failure is not None or message is None or result is None:
                    self._failed(item, *(failure or ("no result", True, None)))
                else:
                    await self._sent(session, item, message, result)
                await session.commit()
        except Exception as exc:  # noqa: BLE001 - the row stays claimed and comes back after its lease
            log.warning("outbox result not recorded: %s", type(exc).__name__, extra={"outbox": str(item.id)})

    async def _sent(self, session: AsyncSession, item: OutboxItem, message: OutboundMessage, result: SendResult) -> None:
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
        item.status = "pending"
        delay = retry_after if retry_after is not None else backoff(item.attempts)
        item.next_attempt_at = self.clock() + timedelta(seconds=delay)
        log.info("outbox retry", extra={"outbox": str(item.id), "attempts": item.attempts, "channel": item.channel})
