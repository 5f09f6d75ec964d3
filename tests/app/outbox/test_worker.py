"""The outbox retries with backoff, honours retry_after, and dead-letters visibly."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.inbound.deliveries import store_delivery
from app.outbox.worker import OutboxWorker
from app.platform.db import session_scope
from app.platform.models import InboundDelivery, Message, OutboxItem, utcnow
from bots.messages import SendError
from tests.app.conversations.test_service import person, say


async def _item(services) -> OutboxItem:  # type: ignore[no-untyped-def]
    async with services.sessionmaker() as session:
        return await session.scalar(select(OutboxItem))


async def test_retryable_failure_is_retried_later_and_delivered(services, recording_senders) -> None:
    recording_senders["telegram"].fail_next(SendError("Bot API 500", retryable=True))
    await say(services, person("привет"))
    await services.jobs.drain()
    item = await _item(services)
    assert item.status == "pending" and item.attempts == 1 and item.next_attempt_at > utcnow()
    later = OutboxWorker(services.sessionmaker, services.vault, services.senders,
                         clock=lambda: utcnow() + timedelta(minutes=5))  # fmt: skip
    await later.run_once()
    assert (await _item(services)).status == "sent"
    assert len(recording_senders["telegram"].sent) == 1


async def test_retry_after_from_the_provider_is_honoured(services, recording_senders) -> None:
    recording_senders["telegram"].fail_next(SendError("429", retryable=True, retry_after=30))
    await say(services, person("привет"))
    before = utcnow()
    await services.jobs.drain()
    item = await _item(services)
    assert timedelta(seconds=29) <= item.next_attempt_at - before <= timedelta(seconds=32)


async def test_permanent_failure_is_dead_lettered_not_dropped(services, recording_senders) -> None:
    recording_senders["telegram"].fail_next(SendError("bot was blocked by the user", retryable=False))
    await say(services, person("привет"))
    await services.jobs.drain()
    item = await _item(services)
    assert item.status == "dead" and item.last_error and item.payload_enc  # kept for coordinators


async def test_too_many_failures_end_as_dead(services, recording_senders) -> None:
    recording_senders["telegram"].fail_next(*[SendError("timeout", retryable=True)] * 3)
    await say(services, person("привет"))
    hours = iter(range(1, 10))
    worker = OutboxWorker(services.sessionmaker, services.vault, services.senders, max_attempts=3,
                          clock=lambda: utcnow() + timedelta(hours=next(hours)))  # fmt: skip
    for _ in range(3):
        await worker.run_once()
    assert (await _item(services)).status == "dead"


async def test_stored_delivery_survives_a_crash_and_is_handled_once(services, recording_senders) -> None:
    inbound = person("привет", msg="tg:42")
    async with session_scope(services.sessionmaker) as session:
        assert await store_delivery(session, services.vault, inbound) is not None
    async with session_scope(services.sessionmaker) as session:
        assert await store_delivery(session, services.vault, inbound) is None  # provider retry
    # The process "crashed" after answering 200: a fresh worker pass finds the row.
    await services.jobs.drain()
    async with services.sessionmaker() as session:
        delivery = await session.scalar(select(InboundDelivery))
        assert delivery.status == "done" and delivery.payload_enc is None
        assert len((await session.scalars(select(Message).where(Message.direction == "in"))).all()) == 1
    assert len(recording_senders["telegram"].sent) == 1
