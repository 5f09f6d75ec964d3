"""Routing in the app: alerts to the on-call operator, timers, take, relay, release."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.oncall import service as ops
from app.oncall.roster_store import import_roster, load_roster
from app.outbox.service import open_item
from app.platform.db import create_engine, create_sessionmaker, session_scope
from app.platform.models import Case, Escalation, Operator, OutboxItem
from app.runtime.container import build_container
from app.scripts.service import seed_scripts
from tests.app.conversations.test_service import person, say

ROSTER = (Path(__file__).resolve().parents[3] / "routing" / "examples" / "roster.yml").read_text()
# 2026-03-02 is day 60 since 2026-01-01: even, so aigerim is on call from 09:00 Almaty (04:00 UTC).
MORNING = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
async def world(settings, recording_senders):  # type: ignore[no-untyped-def]
    clock = Clock(MORNING)
    engine = create_engine(settings.database_url)
    async with session_scope(create_sessionmaker(engine)) as session:
        await seed_scripts(session)
    await engine.dispose()
    services = await build_container(settings, senders=recording_senders, clock=clock)
    async with session_scope(services.sessionmaker) as session:
        await import_roster(session, services.vault, ROSTER)
    yield services
    await services.close()


async def _alerts(services, since: int = 0) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(channel, address, text) of every alert queued so far, in order."""
    async with services.sessionmaker() as session:
        rows = (await session.scalars(select(OutboxItem).where(OutboxItem.kind == "alert")
                                      .order_by(OutboxItem.created_at))).all()  # fmt: skip
        opened = [open_item(services.vault, r) for r in rows if r.payload_enc]
    return [(m.channel, m.address, m.text) for m in opened][since:]


async def _operator(services, login: str) -> Operator:  # type: ignore[no-untyped-def]
    async with services.sessionmaker() as session:
        return await session.scalar(select(Operator).where(Operator.login == login))


async def test_example_roster_imports_with_contacts_encrypted(world) -> None:
    async with world.sessionmaker() as session:
        roster = await load_roster(session)
        ops_ = (await session.scalars(select(Operator))).all()
    assert [o.login for o in roster.operators] == ["aigerim", "coord", "dilnoza"]
    assert all(o.phone_enc and "+7701" not in o.phone_enc for o in ops_)


async def test_urgent_case_alerts_the_on_call_operator(world) -> None:
    await say(world, person("меня заперли в подвале помогите срочно"))
    sent = await _alerts(world)
    assert {(c, a) for c, a, _ in sent} == {("telegram", "5550001"), ("sms", "+77010000001")}
    text = next(t for c, _, t in sent if c == "telegram")
    assert "700100200" not in text and "подвале" not in text  # alias and cue categories, not identity or story
    async with world.sessionmaker() as session:
        case = await session.scalar(select(Case))
    assert case.alias in text


async def test_each_step_fires_at_its_time_and_the_policy_runs_out_to_coordinators(world) -> None:
    clock = world.clock
    await say(world, person("меня заперли помогите срочно"))
    first = len(await _alerts(world))
    clock.advance(59)
    await world.timers.run_due()
    assert len(await _alerts(world)) == first, "step two must wait its 60 seconds"
    clock.advance(2)
    await world.timers.run_due()
    step_two = await _alerts(world, first)
    assert {(c, a) for c, a, _ in step_two} == {("telegram", "5550009"), ("sms", "+77010000009"), ("voice", "+77010000009")}
    for _ in range(3):  # repeat: 1 means a second pass, then coordinators
        clock.advance(61)
        await world.timers.run_due()
    async with world.sessionmaker() as session:
        esc = await session.scalar(select(Escalation))
    assert esc.status == "exhausted"
    assert any("⚠️" in t for _, _, t in await _alerts(world))


async def test_take_stops_the_escalation_and_tells_the_person(world, recording_senders) -> None:
    clock = world.clock
    outcome = await say(world, person("меня заперли помогите срочно"))
    before = len(await _alerts(world))
    aigerim = await _operator(world, "aigerim")
    async with session_scope(world.sessionmaker) as session:
        result = await ops.take_case(session, world.oncall, outcome.case_alias, aigerim)
    assert result.ok
    clock.advance(120)
    await world.timers.run_due()
    assert len(await _alerts(world)) == before, "no step-two alert after a take"
    await world.jobs.drain()
    to_person = [m.text for m in recording_senders["telegram"].sent if m.address == "700100200"]
    assert world.scripts.get("operator_joined", "ru", alias=outcome.case_alias) in to_person


async def test_two_concurrent_takes_leave_one_owner(world) -> None:
    outcome = await say(world, person("меня заперли помогите срочно"))
    aigerim, dilnoza = await _operator(world, "aigerim"), await _operator(world, "dilnoza")

    async def take(op: Operator) -> ops.TakeResult:
        async with session_scope(world.sessionmaker) as session:
            return await ops.take_case(session, world.oncall, outcome.case_alias, op)

    results = await asyncio.gather(take(aigerim), take(dilnoza), return_exceptions=True)
    oks = [r for r in results if isinstance(r, ops.TakeResult) and r.ok]
    assert len(oks) == 1
    assert any(isinstance(r, ops.TakeResult) and r.reason == "already_taken" for r in results) or any(
        isinstance(r, Exception) for r in results
    )
    async with world.sessionmaker() as session:
        case = await session.scalar(select(Case))
    assert case.assigned_operator_id in (aigerim.id, dilnoza.id)


async def test_operator_and_person_talk_through_the_bot(world, recording_senders) -> None:
    outcome = await say(world, person("соедините с оператором пожалуйста"))
    aigerim = await _operator(world, "aigerim")
    async with session_scope(world.sessionmaker) as session:
        assert (await ops.take_case(session, world.oncall, outcome.case_alias, aigerim)).ok
    async with session_scope(world.sessionmaker) as session:
        await ops.operator_message(session, world.oncall, outcome.case_alias, aigerim, "Здравствуйте, я Айгерим. Вы в безопасности?")
    await say(world, person("да, я в безопасности"))
    await world.jobs.drain()
    sent = recording_senders["telegram"].sent
    assert any(m.address == "700100200" and "Вы в безопасности" in m.text for m in sent)
    assert any(m.address == "5550001" and "да, я в безопасности" in m.text for m in sent)


async def test_owner_who_writes_nothing_loses_an_urgent_case(world) -> None:
    clock = world.clock
    outcome = await say(world, person("меня заперли помогите срочно"))
    aigerim = await _operator(world, "aigerim")
    async with session_scope(world.sessionmaker) as session:
        assert (await ops.take_case(session, world.oncall, outcome.case_alias, aigerim)).ok
    before = len(await _alerts(world))
    clock.advance(301)
    await world.timers.run_due()
    async with world.sessionmaker() as session:
        case = await session.scalar(select(Case))
    assert case.assigned_operator_id is None and case.status == "waiting"
    assert len(await _alerts(world)) > before, "the escalation starts again"


async def test_restart_mid_step_still_fires_the_next_step(world, settings, recording_senders) -> None:
    clock = world.clock
    await say(world, person("меня заперли помогите срочно"))
    first = len(await _alerts(world))
    await world.close()  # the process goes away mid-step
    restarted = await build_container(settings, senders=recording_senders, clock=clock)
    try:
        clock.advance(61)
        assert await restarted.timers.run_due() == 1
        assert len(await _alerts(restarted)) > first
    finally:
        await restarted.close()
