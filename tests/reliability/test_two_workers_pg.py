"""Two app instances on one PostgreSQL database, both running the job loop: every outbox row is
sent once and every escalation step fires once (row claims with SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select

from app.inbound.deliveries import store_delivery
from app.outbox.service import enqueue
from app.platform.db import session_scope
from app.platform.models import AlertRef, Case, OutboxItem
from bots.messages import InboundMessage, OutboundMessage
from tests.conftest import RecordingSender
from tests.reliability.conftest import needs_pg

pytestmark = needs_pg

ROSTER = """
operators:
  - {login: aigerim, name: Aigerim, role: operator, languages: [kk, ru], telegram_chat_id: 5550001, phone: "+77010000001"}
  - {login: coord, name: Coordinator, role: coordinator, languages: [ru, kk, uz], telegram_chat_id: 5550009, phone: "+77010000009"}
schedules:
  - name: hotline
    timezone: Asia/Almaty
    layers:
      - {rotation: daily, handoff: "09:00", start: "2026-01-01", members: [aigerim]}
escalation_policies:
  - name: urgent
    default: true
    steps:
      - {notify: {schedule: hotline}, via: [telegram, sms], wait_seconds: 1}
      - {notify: {operators: [coord]}, via: [telegram, sms], wait_seconds: 1}
    repeat: 0
"""


def _senders() -> dict[str, RecordingSender]:
    return {name: RecordingSender(name) for name in ("telegram", "sms", "webchat", "voice")}


@pytest.fixture
async def two_instances(settings):  # type: ignore[no-untyped-def]
    from app.oncall.roster_store import import_roster
    from app.runtime.container import build_container
    from app.scripts.service import seed_scripts

    fast = settings.model_copy(update={"worker_interval": 0.05})
    a = await build_container(fast, senders=_senders())
    b = await build_container(fast, senders=_senders())
    async with session_scope(a.sessionmaker) as session:
        await seed_scripts(session)
    async with session_scope(a.sessionmaker) as session:
        await import_roster(session, a.vault, ROSTER, actor="test")
    for s in (a, b):
        async with a.sessionmaker() as session:
            await s.scripts.reload(session)
    yield a, b
    await a.close()
    await b.close()


def _sent(*instances) -> list:  # type: ignore[no-untyped-def]
    return [m for s in instances for sender in s.senders.values() for m in sender.sent]


async def _until(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.1)


async def test_two_instances_send_each_outbox_row_exactly_once(two_instances) -> None:  # type: ignore[no-untyped-def]
    a, b = two_instances
    async with session_scope(a.sessionmaker) as session:
        for i in range(300):
            enqueue(session, a.vault, OutboundMessage(channel="sms", address=f"+7701{i:07d}", text=f"n{i}"))
    a.jobs.start()
    b.jobs.start()

    async def all_sent() -> bool:
        async with a.sessionmaker() as session:
            return not await session.scalar(select(func.count()).select_from(OutboxItem).where(OutboxItem.status.in_(("pending", "sending"))))

    await _until(all_sent)
    addresses = Counter(m.address for m in _sent(a, b))
    assert len(addresses) == 300 and set(addresses.values()) == {1}
    assert a.senders["sms"].sent and b.senders["sms"].sent, "both instances took part"


async def test_two_instances_fire_each_escalation_step_exactly_once(two_instances) -> None:  # type: ignore[no-untyped-def]
    a, b = two_instances
    async with session_scope(a.sessionmaker) as session:
        for i in range(10):
            await store_delivery(session, a.vault, InboundMessage(channel="sms", external_id=f"+7702{i:07d}",
                                 external_message_id=uuid.uuid4().hex, text="нас заперли, помогите срочно"))  # fmt: skip
    a.jobs.start()
    b.jobs.start()

    async def both_steps_done() -> bool:
        async with a.sessionmaker() as session:
            return (await session.scalar(select(func.count()).select_from(AlertRef))) >= 40

    await _until(both_steps_done)
    await asyncio.sleep(2.5)  # a double firing would show up here
    async with a.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Case).where(Case.urgent.is_(True))) == 10
        refs = Counter((r.case_id, r.operator_id, r.channel) for r in (await session.scalars(select(AlertRef))).all())
    assert len(refs) == 40 and set(refs.values()) == {1}  # 10 cases x 2 operators x 2 channels, each once
    to_operators = Counter((m.channel, m.address, m.text) for m in _sent(a, b)
                           if m.address in ("5550001", "5550009", "+77010000001", "+77010000009"))  # fmt: skip
    assert set(to_operators.values()) == {1}, "an operator got the same alert twice"
    assert sum(1 for channel, _, _ in to_operators if channel == "sms") == 20  # both steps, SMS leg, once each


async def test_metrics_add_up_every_worker_of_an_instance(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two uvicorn workers in multiprocess mode: any scrape shows the requests both workers served."""
    import httpx

    from tests.reliability.conftest import free_port
    from tests.reliability.procs import Instance, app_env

    folder = tmp_path / "metrics"
    folder.mkdir()
    instance = Instance(free_port(), app_env(settings, PROMETHEUS_MULTIPROC_DIR=str(folder)), workers=2,
                        log=tmp_path / "app.log")  # fmt: skip
    await asyncio.to_thread(instance.start)
    try:
        async with httpx.AsyncClient(base_url=instance.url) as http:
            for _ in range(30):
                assert (await http.get("/readyz")).status_code == 200

            async def served() -> float:
                text = (await http.get("/metrics")).text
                return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                           if line.startswith("helpline_http_request_seconds_count") and 'route="/readyz"' in line)  # fmt: skip

            counts = {await served() for _ in range(6)}
    finally:
        instance.stop()
    assert counts == {30.0}, counts  # not 15 from one worker and 15 from the other


async def test_two_messages_from_one_new_person_on_two_workers_at_once_are_both_answered_in_order(
        two_instances) -> None:  # type: ignore[no-untyped-def]
    from app.platform.models import Contact, InboundDelivery, Message

    a, b = two_instances
    people = [f"71{i:05d}" for i in range(20)]
    ids: dict[str, list[uuid.UUID]] = {}
    async with session_scope(a.sessionmaker) as session:
        for chat in people:  # people often send two short ones in a row: "hello", then the question
            for text in ("Здравствуйте", "у меня забрали паспорт"):
                stored = await store_delivery(session, a.vault, InboundMessage(
                    channel="telegram", external_id=chat, external_message_id=uuid.uuid4().hex, text=text))  # fmt: skip
                ids.setdefault(chat, []).append(stored)  # type: ignore[arg-type]
    # Each person's first message to worker A and second to worker B, at the same moment.
    await asyncio.gather(*(a.deliveries.process(ids[c][0]) for c in people),
                         *(b.deliveries.process(ids[c][1]) for c in people))  # fmt: skip
    for _ in range(10):  # what was held back (that person was busy on the other worker) in the next pass
        if not await a.deliveries.run_once() + await b.deliveries.run_once():
            break
    async with a.sessionmaker() as session:
        statuses = Counter((await session.scalars(select(InboundDelivery.status))).all())
        assert statuses == {"done": 40}
        assert await session.scalar(select(func.count()).select_from(Contact)) == 20
        assert await session.scalar(select(func.count()).select_from(Case)) == 20
        for case in (await session.scalars(select(Case))).all():
            rows = (await session.scalars(select(Message).where(Message.case_id == case.id)
                                          .order_by(Message.created_at))).all()  # fmt: skip
            texts = [a.vault.decrypt(m.body_enc, f"message:{m.id}") for m in rows if m.direction == "in"]
            assert texts == ["Здравствуйте", "у меня забрали паспорт"]
            # A reply is stored with its turn's time, the same as the message it answers: ties, not an order.
            last_in = max(m.created_at for m in rows if m.direction == "in")
            assert any(m.direction == "out" and m.created_at >= last_in for m in rows), "the second message was answered too"
            assert sum(1 for m in rows if m.direction == "out") >= 2


async def test_two_workers_share_a_queue_whose_front_the_other_holds(two_instances) -> None:  # type: ignore[no-untyped-def]
    """The second worker's claim looks past the senders the first holds, instead of finding nothing."""
    from app.platform.models import InboundDelivery

    a, b = two_instances
    async with session_scope(a.sessionmaker) as session:
        for i in range(48):
            await store_delivery(session, a.vault, InboundMessage(channel="telegram", external_id=f"72{i:05d}",
                                                                 external_message_id=f"m{i}", text="Здравствуйте"))  # fmt: skip
    handled = await asyncio.gather(a.deliveries.run_once(limit=16), b.deliveries.run_once(limit=16))
    assert all(n > 0 for n in handled), handled
    while await a.deliveries.run_once(limit=16) + await b.deliveries.run_once(limit=16):
        pass
    async with a.sessionmaker() as session:
        statuses = Counter((await session.scalars(select(InboundDelivery.status))).all())
        assert statuses == {"done": 48}
        assert await session.scalar(select(func.count()).select_from(Case)) == 48


async def _hellos(instance, prefix: str, n: int) -> None:  # type: ignore[no-untyped-def]
    """``n`` new people's first message, stored at the door."""
    async with session_scope(instance.sessionmaker) as session:
        for i in range(n):
            await store_delivery(session, instance.vault, InboundMessage(
                channel="telegram", external_id=f"{prefix}{i:05d}", external_message_id=f"{prefix}:{i}", text="Здравствуйте"))  # fmt: skip


async def test_a_claim_whose_senders_were_finished_meanwhile_reads_the_queue_again(two_instances) -> None:  # type: ignore[no-untyped-def]
    """Between reading the front of the queue and locking its senders, another worker may finish them:
    the claim then reads the queue again instead of coming back empty with work waiting."""
    from sqlalchemy import update

    from app.platform.models import InboundDelivery

    a, _b = two_instances
    await _hellos(a, "73", 8)
    async with a.sessionmaker() as session:
        front = [row.id for row in (await session.execute(select(InboundDelivery.id).order_by(
            InboundDelivery.created_at).limit(4))).all()]  # fmt: skip
    processor = a.deliveries
    finished_meanwhile = False
    async with a.sessionmaker() as session:
        real = session.scalars

        async def lock_after_the_other_worker_finished(statement, params=None, **kw):  # type: ignore[no-untyped-def]
            nonlocal finished_meanwhile
            if params and "keys" in params and not finished_meanwhile:
                finished_meanwhile = True
                async with session_scope(a.sessionmaker) as other:  # the other worker commits those four
                    await other.execute(update(InboundDelivery).where(InboundDelivery.id.in_(front)).values(status="done"))
            return await real(statement, params, **kw)

        session.scalars = lock_after_the_other_worker_finished  # type: ignore[method-assign]
        rows = await processor._claim_set(session, 4)
        await session.rollback()
    assert finished_meanwhile and len(rows) == 4 and not {row.id for row in rows} & set(front)


async def test_a_worker_fills_its_set_past_the_senders_another_worker_holds(two_instances) -> None:  # type: ignore[no-untyped-def]
    """Three of the four senders at the front are on the other worker: the set is still four senders
    (read from the next page), not the one left at the front."""
    from app.inbound.deliveries import _CLAIM_MANY, claim_key
    from app.platform.models import InboundDelivery

    a, b = two_instances
    await _hellos(a, "74", 8)
    async with a.sessionmaker() as session:
        front = [key for (key,) in (await session.execute(select(InboundDelivery.contact_key).order_by(
            InboundDelivery.created_at).limit(4))).all()]  # fmt: skip
    async with b.sessionmaker() as other, a.sessionmaker() as session:
        held = set((await other.scalars(_CLAIM_MANY, {"keys": [claim_key(k) for k in front[:3]]})).all())
        assert len(held) == 3  # the other worker's set, its transaction open
        rows = await a.deliveries._claim_set(session, 4)
        await session.rollback()
        await other.rollback()
    keys = {row.contact_key for row in rows}
    assert len(keys) == 4 and not keys & set(front[:3]) and front[3] in keys
