"""SIGKILL of a real server while 1,000 replies are going out (PostgreSQL): nothing is lost and at most
the calls in flight at the kill (the worker's concurrency) are repeated. Figures: docs/reliability.md."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from sqlalchemy import func, select

from app.outbox.service import enqueue
from app.platform.db import create_engine, create_sessionmaker, session_scope
from app.platform.identity import Vault
from app.platform.models import OutboxItem
from bots.messages import OutboundMessage
from tests.fakes.twilio_api import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, FakeTwilioAPI
from tests.reliability.conftest import free_port, needs_pg
from tests.reliability.procs import Instance, app_env

pytestmark = needs_pg
REPLIES = 1_000
CONCURRENCY = 8


async def _until(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_kill_minus_nine_mid_send_loses_nothing_and_repeats_at_most_the_calls_in_flight(
        settings, tmp_path, fake_twilio: FakeTwilioAPI) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    vault = Vault(settings.pepper.get_secret_value(), settings.key_list)
    numbers = [f"+7703{i:07d}" for i in range(REPLIES)]
    async with session_scope(sessions) as session:
        for n, number in enumerate(numbers):
            enqueue(session, vault, OutboundMessage(channel="sms", address=number, text=f"ответ {n}"))
    fake_twilio.delay(0.01)  # a provider call takes a little while, as a real one does
    env = app_env(settings, HELPLINE_TWILIO_ACCOUNT_SID=DEFAULT_ACCOUNT_SID, HELPLINE_TWILIO_AUTH_TOKEN=DEFAULT_AUTH_TOKEN,
                  HELPLINE_TWILIO_PHONE_NUMBER="+77170000000", HELPLINE_TWILIO_API_BASE=fake_twilio.base_url,
                  HELPLINE_OUTBOX_CONCURRENCY=str(CONCURRENCY), HELPLINE_OUTBOX_LEASE_SECONDS="4")  # fmt: skip
    instance = Instance(free_port(), env, log=tmp_path / "app.log")

    async def sent() -> int:
        async with sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(OutboxItem)
                                            .where(OutboxItem.status == "sent")) or 0)  # fmt: skip

    try:
        await asyncio.to_thread(instance.start)
        assert await _until(lambda: _at_least(fake_twilio, REPLIES // 3), 120), "sending started"
        instance.kill()
        at_kill = len(fake_twilio.sent_sms())
        async with sessions() as session:
            in_flight = await session.scalar(select(func.count()).select_from(OutboxItem)
                                             .where(OutboxItem.status == "sending"))  # fmt: skip
        await asyncio.to_thread(instance.start)
        assert await _until(lambda: _all_sent(sent), 180), "every reply was sent after the restart"
    finally:
        instance.stop()
        await engine.dispose()
    calls = Counter(p["To"] for p in fake_twilio.sent_sms())
    lost = len(set(numbers) - set(calls))
    duplicates = sum(n - 1 for n in calls.values())
    print(f"\nSIGKILL after {at_kill} of {REPLIES} sends, {in_flight} rows claimed as sending at the kill: "
          f"{lost} lost, {duplicates} sent twice (concurrency {CONCURRENCY})")  # fmt: skip
    assert lost == 0
    assert duplicates <= CONCURRENCY


async def _at_least(fake: FakeTwilioAPI, n: int) -> bool:
    return len(fake.sent_sms()) >= n


async def _all_sent(sent) -> bool:  # type: ignore[no-untyped-def]
    return await sent() == REPLIES
