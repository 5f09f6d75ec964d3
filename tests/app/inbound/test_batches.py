"""Deliveries handled in sets (#17): the same answers as one at a time, one contact per person, bad ones alone."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select, update

import app.conversations.batch as batch_module
from app.inbound.deliveries import DeliveryProcessor, store_delivery
from app.platform.db import session_scope
from app.platform.models import Case, Contact, DailyCount, InboundDelivery, Message, OutboxItem
from bots.messages import InboundMessage
from tests.app.conversations.test_service import person

# People's conversations, several messages each: topics, places, a language switch, the safety question and
# its answer, a job offer, a human asked for, an urgent message after a calm one, an erasure and its "yes".
CONVERSATIONS: list[tuple[str, list[str]]] = [
    ("telegram", ["Здравствуйте", "у меня забрали паспорт", "я в Москве, на стройке"]),
    ("telegram", ["salom menga yordam kerak", "ish haqimni bermayapti 3 oydan beri"]),
    ("telegram", ["Мне предлагают работу в Дубае", "платят 3000 долларов, билет за мой счёт", "нет"]),
    ("sms", ["Жалақы төленбеді", "Алматыдамын"]),
    ("telegram", ["подскажите адрес консульства в Стамбуле"]),
    ("webchat", ["Как сделать патент?", "спасибо"]),
    ("telegram", ["Здравствуйте", "позовите оператора пожалуйста"]),
    ("telegram", ["Здравствуйте", "нас заперли, помогите срочно", "мы в Сеуле"]),
    ("telegram", ["удалите мои данные", "да"]),
    ("telegram", ["asdkjh qwe", "hello I need help", "my boss took my passport"]),
]


async def _store(services, conversations: list[tuple[str, list[str]]], tag: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Every message stored as a delivery, in the order people sent them (round by round); the chat ids."""
    chats = [f"+7701{tag}{i:05d}" if channel == "sms" else f"{tag}{i:05d}" for i, (channel, _) in enumerate(conversations)]
    rounds = max(len(texts) for _, texts in conversations)
    async with session_scope(services.sessionmaker) as session:
        for turn in range(rounds):
            for (channel, texts), chat in zip(conversations, chats, strict=True):
                if turn < len(texts):
                    await store_delivery(session, services.vault, person(texts[turn], chat=chat, channel=channel))
    return chats


async def _transcript(services, channel: str, chat: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What one person's conversation left: their words in order, the bot's per turn, the case's codes."""
    vault = services.vault
    async with services.sessionmaker() as session:
        contact = await session.scalar(select(Contact).where(Contact.pseudonym == vault.pseudonym(channel, chat)))
        if contact is None:
            return {"contact": None}
        cases = (await session.scalars(select(Case).where(Case.contact_id == contact.id))).all()
        turns: list[tuple[str, list[str]]] = []
        for case in cases:
            rows = (await session.scalars(select(Message).where(Message.case_id == case.id)
                                          .order_by(Message.created_at))).all()  # fmt: skip
            said: dict[object, list[str]] = {}  # a turn's replies share its time (ties, not an order)
            for m in rows:
                body = vault.decrypt(m.body_enc, f"message:{m.id}").replace(case.alias, "ALIAS") if m.body_enc else ""
                if m.direction == "in":
                    said[m.created_at] = []
                    turns.append((body, said[m.created_at]))
            for m in rows:
                if m.direction == "out":
                    body = vault.decrypt(m.body_enc, f"message:{m.id}").replace(case.alias, "ALIAS") if m.body_enc else ""
                    said.setdefault(m.created_at, []).append(body)
        codes = [(c.language, c.last_intent, c.urgent, c.urgent_reason, c.status, c.country) for c in cases]
        state = sorted(k for k in (contact.state or {}))
        outbox = await session.scalar(select(func.count()).select_from(OutboxItem)
                                      .where(OutboxItem.address_key == vault.pseudonym(channel, chat)))  # fmt: skip
    return {"turns": [(said, sorted(replies)) for said, replies in turns], "cases": codes, "state": state,
            "language": contact.language, "outbox": outbox}  # fmt: skip


async def test_a_batch_answers_every_person_as_one_at_a_time_does(services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    in_batch: list[str] = []
    real = batch_module.handle_inbound

    async def spy(session, inbound: InboundMessage, deps):  # type: ignore[no-untyped-def]
        in_batch.append(inbound.text)
        return await real(session, inbound, deps)

    monkeypatch.setattr(batch_module, "handle_inbound", spy)
    one_by_one = DeliveryProcessor(services.sessionmaker, services.vault, services.router)
    singly = await _store(services, CONVERSATIONS, "1")
    while await one_by_one.run_once():
        pass
    counts_before = Counter({(d.intent, d.language, d.urgent): d.count for d in await _counts(services)})
    batched = await _store(services, CONVERSATIONS, "2")
    handled = 0
    while done := await services.deliveries.run_once():
        handled += done
    assert handled == sum(len(texts) for _, texts in CONVERSATIONS)
    assert len(in_batch) >= 15, "most of them were handled in the batch, not one at a time"
    for (channel, _), a, b in zip(CONVERSATIONS, singly, batched, strict=True):
        assert await _transcript(services, channel, b) == await _transcript(services, channel, a), channel
    counts_after = Counter({(d.intent, d.language, d.urgent): d.count for d in await _counts(services)})
    assert counts_after - counts_before == counts_before, "each message counted once, on the same row"


async def _counts(services) -> list[DailyCount]:  # type: ignore[no-untyped-def]
    async with services.sessionmaker() as session:
        return list((await session.scalars(select(DailyCount))).all())


async def test_two_messages_from_one_new_person_in_one_batch_make_one_contact_and_one_case(services) -> None:  # type: ignore[no-untyped-def]
    async with session_scope(services.sessionmaker) as session:
        for text in ("Здравствуйте", "у меня забрали паспорт"):
            await store_delivery(session, services.vault, person(text, chat="7300001"))
    assert await services.deliveries.run_once() == 2
    async with services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Contact)) == 1
        [case] = (await session.scalars(select(Case))).all()
        rows = (await session.scalars(select(Message).where(Message.case_id == case.id, Message.direction == "in")
                                      .order_by(Message.created_at))).all()  # fmt: skip
        texts = [services.vault.decrypt(m.body_enc, f"message:{m.id}") for m in rows]
    assert texts == ["Здравствуйте", "у меня забрали паспорт"]
    assert case.last_intent == "documents_taken"


async def _statuses(services) -> dict[str, tuple[str, int, str | None]]:  # type: ignore[no-untyped-def]
    async with services.sessionmaker() as session:
        rows = (await session.scalars(select(InboundDelivery))).all()
    return {d.delivery_id: (d.status, d.attempts, d.last_error) for d in rows}


async def _answered(services) -> int:  # type: ignore[no-untyped-def]
    async with services.sessionmaker() as session:
        return int(await session.scalar(select(func.count(func.distinct(OutboxItem.address_key)))) or 0)


async def test_a_poisoned_message_in_a_batch_fails_alone_and_the_rest_are_answered(services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    real = batch_module.handle_inbound

    async def poisoned(session, inbound: InboundMessage, deps):  # type: ignore[no-untyped-def]
        if inbound.external_message_id == "m3":
            raise ValueError("poisoned")
        return await real(session, inbound, deps)

    monkeypatch.setattr(batch_module, "handle_inbound", poisoned)
    async with session_scope(services.sessionmaker) as session:
        for i in range(6):
            await store_delivery(session, services.vault, person(f"вопрос про работу {i}", chat=f"74000{i}",
                                                                 msg=f"m{i}"))  # fmt: skip
    assert await services.deliveries.run_once() == 5
    statuses = await _statuses(services)
    assert statuses.pop("m3") == ("pending", 1, "ValueError")
    assert set(statuses.values()) == {("done", 0, None)}
    assert await _answered(services) == 5


async def test_an_unreadable_delivery_in_a_batch_fails_alone_and_the_rest_are_answered(services) -> None:  # type: ignore[no-untyped-def]
    async with session_scope(services.sessionmaker) as session:
        for i in range(4):
            await store_delivery(session, services.vault, person(f"подскажите про визу {i}", chat=f"75000{i}", msg=f"u{i}"))
        await session.execute(update(InboundDelivery).where(InboundDelivery.delivery_id == "u1")
                              .values(payload_enc="not a ciphertext"))  # fmt: skip
    assert await services.deliveries.run_once() == 3
    statuses = await _statuses(services)
    status, attempts, error = statuses.pop("u1")
    assert (status, attempts) == ("pending", 1) and error
    assert set(statuses.values()) == {("done", 0, None)}
    assert await _answered(services) == 3


@pytest.mark.parametrize("where", ["first", "later"])
async def test_a_message_for_a_human_in_a_batch_goes_alone_after_its_senders_earlier_ones(services, where: str) -> None:  # type: ignore[no-untyped-def]
    texts = ["позовите оператора пожалуйста", "Здравствуйте"] if where == "first" else ["Здравствуйте", "позовите оператора пожалуйста", "спасибо"]
    async with session_scope(services.sessionmaker) as session:
        for text in texts:
            await store_delivery(session, services.vault, person(text, chat="7600001"))
        await store_delivery(session, services.vault, person("Как сделать патент?", chat="7600002"))
    handled = 0
    while done := await services.deliveries.run_once():
        handled += done
    assert handled == len(texts) + 1
    async with services.sessionmaker() as session:
        contact = await session.scalar(select(Contact).where(Contact.pseudonym == services.vault.pseudonym("telegram", "7600001")))
        assert contact is not None
        [case] = (await session.scalars(select(Case).where(Case.contact_id == contact.id))).all()
        rows = (await session.scalars(select(Message).where(Message.case_id == case.id, Message.direction == "in")
                                      .order_by(Message.created_at))).all()  # fmt: skip
    assert [services.vault.decrypt(m.body_enc, f"message:{m.id}") for m in rows] == texts
    assert case.status == "waiting"


async def test_an_urgent_delivery_stored_during_a_batch_ends_it_early_and_is_claimed_next(services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    real = batch_module.handle_inbound
    calls: list[str] = []

    async def busy(session, inbound: InboundMessage, deps):  # type: ignore[no-untyped-def]
        calls.append(inbound.text)
        if len(calls) == 3:
            await services.intake.accept(person("нас заперли, помогите срочно", chat="7799999"))
        return await real(session, inbound, deps)

    monkeypatch.setattr(batch_module, "handle_inbound", busy)
    async with session_scope(services.sessionmaker) as session:
        for i in range(10):
            await store_delivery(session, services.vault, person(f"подскажите про визу {i}", chat=f"77000{i}"))
    assert await services.deliveries.run_once() == 3  # the set ended after the turn in hand, committed
    assert await services.deliveries.run_once() == 1  # the urgent one, alone
    async with services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Case).where(Case.urgent.is_(True))) == 1
        pending = await session.scalar(select(func.count()).select_from(InboundDelivery)
                                       .where(InboundDelivery.status == "pending"))  # fmt: skip
    assert pending == 7
