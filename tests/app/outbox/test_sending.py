"""Each row is claimed as sending and committed before its call, the result recorded right after; a crash
repeats at most the calls in flight; one chat's rows go out one at a time, in order."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from app.outbox.service import enqueue
from app.outbox.worker import OutboxWorker
from app.platform.db import session_scope
from app.platform.models import OutboxItem, utcnow
from bots.messages import OutboundMessage, SendResult


async def _queue(services, addresses: list[str]) -> None:  # type: ignore[no-untyped-def]
    async with session_scope(services.sessionmaker) as session:
        for n, address in enumerate(addresses):
            enqueue(session, services.vault, OutboundMessage(channel="sms", address=address, text=f"n{n}"))


async def _statuses(services) -> Counter[str]:  # type: ignore[no-untyped-def]
    async with services.sessionmaker() as session:
        return Counter((await session.scalars(select(OutboxItem.status))).all())


class Provider:
    """The far side: records each call as it arrives (the message has gone out), can hang or watch."""

    def __init__(self) -> None:
        self.calls: list[OutboundMessage] = []
        self.hang = asyncio.Event()
        self.hanging = False
        self.in_flight: Counter[str] = Counter()
        self.most_at_once: Counter[str] = Counter()
        self.on_call = None

    async def send(self, message: OutboundMessage) -> SendResult:
        self.calls.append(message)
        self.in_flight[message.address] += 1
        self.most_at_once[message.address] = max(self.most_at_once[message.address], self.in_flight[message.address])
        try:
            if self.on_call is not None:
                await self.on_call(message)
            if self.hanging:
                await self.hang.wait()
            await asyncio.sleep(0.01)
        finally:
            self.in_flight[message.address] -= 1
        return SendResult(external_message_id=f"SM{len(self.calls)}")

    async def close(self) -> None:
        return None


async def test_a_row_is_committed_as_sending_before_its_provider_call(services) -> None:  # type: ignore[no-untyped-def]
    await _queue(services, ["+77010000001"])
    provider = Provider()
    seen: list[str] = []

    async def look(_message: OutboundMessage) -> None:  # another connection reads the row mid-call
        async with services.sessionmaker() as session:
            seen.append(await session.scalar(select(OutboxItem.status)))

    provider.on_call = look
    worker = OutboxWorker(services.sessionmaker, services.vault, {"sms": provider})
    assert await worker.run_once() == 1
    assert seen == ["sending"]
    assert await _statuses(services) == {"sent": 1}


async def test_a_crash_mid_send_repeats_at_most_the_calls_in_flight_and_loses_nothing(services) -> None:  # type: ignore[no-untyped-def]
    addresses = [f"+7701{i:07d}" for i in range(40)]
    await _queue(services, addresses)
    provider = Provider()
    worker = OutboxWorker(services.sessionmaker, services.vault, {"sms": provider}, concurrency=4)
    assert await worker.run_once() == 4 and await worker.run_once() == 4  # 8 sent and recorded
    provider.hanging = True
    crashed = asyncio.create_task(worker.run_once())
    while len(provider.calls) < 12:
        await asyncio.sleep(0.01)
    crashed.cancel()  # the process dies with 4 calls in flight: their results are never recorded
    await asyncio.gather(crashed, return_exceptions=True)
    assert await _statuses(services) == {"sent": 8, "sending": 4, "pending": 28}

    provider.hanging = False
    after_lease = OutboxWorker(services.sessionmaker, services.vault, {"sms": provider}, concurrency=4,
                               clock=lambda: utcnow() + timedelta(minutes=2))  # fmt: skip
    while await after_lease.run_once():
        pass
    calls = Counter(m.address for m in provider.calls)
    assert set(calls) == set(addresses), "nothing lost"
    assert sum(n - 1 for n in calls.values()) == 4, "only the 4 calls in flight were repeated"
    assert await _statuses(services) == {"sent": 40}


async def test_one_chats_rows_go_out_one_at_a_time_in_order_while_other_chats_go_in_parallel(services) -> None:  # type: ignore[no-untyped-def]
    await _queue(services, ["+77010000001"] * 5 + [f"+7702{i:07d}" for i in range(10)])
    provider = Provider()
    worker = OutboxWorker(services.sessionmaker, services.vault, {"sms": provider}, concurrency=8)
    while await worker.run_once():
        pass
    assert await _statuses(services) == {"sent": 15}
    assert max(provider.most_at_once.values()) == 1
    assert [m.text for m in provider.calls if m.address == "+77010000001"] == ["n0", "n1", "n2", "n3", "n4"]
    assert len(provider.calls) == 15


async def test_an_operator_alert_goes_out_before_the_crowds_replies_queued_ahead_of_it(services) -> None:  # type: ignore[no-untyped-def]
    await _queue(services, [f"+7704{i:07d}" for i in range(30)])
    async with session_scope(services.sessionmaker) as session:
        enqueue(session, services.vault, OutboundMessage(channel="sms", address="+77010000001", text="SOS K7F-3Q2"),
                kind="alert")  # fmt: skip
    provider = Provider()
    assert await OutboxWorker(services.sessionmaker, services.vault, {"sms": provider}, concurrency=1).run_once() == 1
    assert [m.text for m in provider.calls] == ["SOS K7F-3Q2"]
