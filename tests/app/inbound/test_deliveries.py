"""Stored deliveries are handled once each, urgent ones first, one person's in order; nothing is dropped."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from app.inbound.deliveries import DeliveryProcessor
from app.inbound.route import Outcome
from app.platform.models import Case, Contact, InboundDelivery, Message, utcnow
from bots.messages import InboundMessage
from tests.app.conversations.test_service import person

URGENT = "нас заперли, помогите срочно"


async def _deliveries(services) -> list[InboundDelivery]:  # type: ignore[no-untyped-def]
    async with services.sessionmaker() as session:
        return list((await session.scalars(select(InboundDelivery).order_by(InboundDelivery.created_at))).all())


async def _person_texts(services) -> list[str]:  # type: ignore[no-untyped-def]
    """The people's messages in the order they were handled (decrypted, as the console reads them)."""
    async with services.sessionmaker() as session:
        rows = (await session.scalars(select(Message).where(Message.direction == "in").order_by(Message.created_at))).all()
    return [services.vault.decrypt(m.body_enc, f"message:{m.id}") for m in rows]


def _flaky(services, error: Exception, times: int):  # type: ignore[no-untyped-def]
    """The real router behind a dispatch that first fails ``times`` times with ``error``."""
    left = [times]

    async def dispatch(session: AsyncSession, inbound: InboundMessage, meta: dict[str, Any]) -> Outcome:
        if left[0] > 0:
            left[0] -= 1
            session.add(Contact(channel="telegram", pseudonym="taken", state={}, stopped=False))
            await session.flush()  # something written before the failure: it must be rolled back
            raise error
        return await services.router(session, inbound, meta)

    return dispatch


async def test_a_unique_conflict_while_handling_is_retried_not_taken_for_a_duplicate(services, recording_senders) -> None:  # type: ignore[no-untyped-def]
    await services.intake.accept(person("Здравствуйте"))
    conflict = IntegrityError("INSERT INTO contacts", {}, Exception("duplicate key"))
    processor = DeliveryProcessor(services.sessionmaker, services.vault, _flaky(services, conflict, 1))
    assert await processor.run_once() == 1
    [delivery] = await _deliveries(services)
    assert delivery.status == "done"
    assert await _person_texts(services) == ["Здравствуйте"]
    await services.jobs.drain()
    assert recording_senders["telegram"].sent, "the person was answered"


async def test_a_conflict_that_persists_leaves_the_delivery_pending_for_a_retry(services) -> None:  # type: ignore[no-untyped-def]
    await services.intake.accept(person("Здравствуйте"))
    conflict = IntegrityError("INSERT INTO cases", {}, Exception("duplicate key"))
    processor = DeliveryProcessor(services.sessionmaker, services.vault, _flaky(services, conflict, 99))
    assert await processor.run_once() == 0
    [delivery] = await _deliveries(services)
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.last_error == "IntegrityError"
    assert delivery.payload_enc and delivery.next_attempt_at > utcnow()
    assert await _person_texts(services) == []


async def test_any_other_database_error_leaves_the_delivery_pending_never_done(services) -> None:  # type: ignore[no-untyped-def]
    await services.intake.accept(person("Здравствуйте"))
    down = OperationalError("SELECT", {}, Exception("server closed the connection"))
    processor = DeliveryProcessor(services.sessionmaker, services.vault, _flaky(services, down, 1))
    await processor.run_once()
    [delivery] = await _deliveries(services)
    assert delivery.status == "pending" and delivery.last_error == "OperationalError" and delivery.payload_enc


async def test_a_poisoned_message_fails_alone_and_the_rest_are_answered(services, recording_senders) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        await services.intake.accept(person("яд" if i == 2 else f"вопрос про работу {i}", chat=f"70010{i}"))

    async def dispatch(session: AsyncSession, inbound: InboundMessage, meta: dict[str, Any]) -> Outcome:
        if inbound.text == "яд":
            raise ValueError("poisoned")
        return await services.router(session, inbound, meta)

    assert await DeliveryProcessor(services.sessionmaker, services.vault, dispatch).run_once() == 4
    statuses = {d.status for d in await _deliveries(services)}
    assert statuses == {"done", "pending"}
    assert len(await _person_texts(services)) == 4


async def test_the_door_marks_an_urgent_message_and_workers_take_it_before_the_crowd_ahead(services) -> None:  # type: ignore[no-untyped-def]
    for i in range(30):
        await services.intake.accept(person(f"подскажите про визу {i}", chat=f"71000{i:02d}"))
    await services.intake.accept(person(URGENT, chat="7999999"))
    deliveries = await _deliveries(services)
    assert [d.priority for d in deliveries] == [0] * 30 + [1]
    assert await services.deliveries.run_once(limit=1) == 1
    assert await _person_texts(services) == [URGENT]
    async with services.sessionmaker() as session:
        assert await session.scalar(select(Case.urgent)) is True


async def test_one_persons_older_message_is_handled_before_their_later_urgent_one(services) -> None:  # type: ignore[no-untyped-def]
    await services.intake.accept(person("Здравствуйте", chat="7200001"))
    await services.intake.accept(person(URGENT, chat="7200001"))
    await services.intake.accept(person("подскажите про визу", chat="7200002"))
    assert await services.deliveries.run_once(limit=1) == 2  # the urgent one was claimed: its sender's older first
    assert await _person_texts(services) == ["Здравствуйте", URGENT]
    async with services.sessionmaker() as session:
        assert len((await session.scalars(select(Case))).all()) == 1
