"""Anonymity by design: nothing identifying at rest or in logs; keys rotate; retention purges."""

from __future__ import annotations

import json
import logging
import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.operators.service import upsert_operator
from app.platform.db import session_scope
from app.platform.identity import DecryptionError, Vault
from app.platform.models import Base, Case, Message, utcnow
from app.privacy.service import purge, rotate_keys
from tests.app.conversations.test_service import person, say

PHONE = "+77011234567"
CHAT_ID = "987654321"
SECRET_STORY = "Мой работодатель Бекзат Жумабаев забрал паспорт на объекте Шымкентстрой"


async def _dump_database(services) -> bytes:  # type: ignore[no-untyped-def]
    """Every byte the database holds: the SQLite files, or every row of every PostgreSQL table."""
    url = services.settings.database_url
    if url.startswith("sqlite"):
        async with services.engine.connect() as conn:
            await conn.execute(text("PRAGMA wal_checkpoint(FULL)"))
        path = Path(url.split("///", 1)[1])
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    chunks: list[str] = []
    async with services.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = (await conn.execute(text(f"SELECT * FROM {table.name}"))).all()
            chunks.extend(repr(tuple(r)) for r in rows)
    return "\n".join(chunks).encode()


async def test_nothing_identifying_in_database_or_logs(services, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await say(services, person("Здравствуйте, я Гульнара", chat=CHAT_ID))
    await say(services, person(SECRET_STORY, chat=CHAT_ID))
    await say(services, person("помогите меня заперли в подвале на Тургенева", channel="sms", chat=PHONE, msg="sms:SM1"))
    await services.jobs.drain()
    async with session_scope(services.sessionmaker) as session:
        await upsert_operator(session, services.vault, login="aigerim", name="Aigerim", role="operator",
                              languages=["kk", "ru"], telegram_chat_id=5550001, phone="+77010000001")  # fmt: skip
    dump = await _dump_database(services)
    logs = "\n".join(r.getMessage() + json.dumps(r.__dict__, default=str) for r in caplog.records)
    for needle in (PHONE, PHONE[1:], CHAT_ID, "Бекзат", "Жумабаев", "Шымкентстрой", "Тургенева", "Гульнара", "+77010000001", "5550001"):
        assert needle.encode() not in dump, f"{needle!r} found in the database"
        assert needle not in logs, f"{needle!r} found in the logs"


async def test_ciphertext_copied_to_another_row_does_not_decrypt(services) -> None:
    token = services.vault.encrypt("secret", "message:one")
    with pytest.raises(DecryptionError):
        services.vault.decrypt(token, "message:two")


async def test_key_rotation_keeps_every_message_readable(services) -> None:
    await say(services, person(SECRET_STORY))
    await services.jobs.drain()
    new_key = ("k2", os.urandom(32))
    rotated = Vault("p" * 40, [new_key, *services.settings.key_list])
    async with session_scope(services.sessionmaker) as session:
        changed = await rotate_keys(session, rotated)
    assert changed > 0
    only_new = Vault("p" * 40, [new_key])  # the retired key is no longer needed
    async with services.sessionmaker() as session:
        messages = (await session.scalars(select(Message).where(Message.body_enc.is_not(None)))).all()
        bodies = [only_new.decrypt(m.body_enc, f"message:{m.id}") for m in messages]
    assert SECRET_STORY in bodies
    assert all(m.body_enc.split(":")[1] == "k2" for m in messages)


async def test_purge_deletes_bodies_of_old_closed_cases_only(services) -> None:
    await say(services, person("старое сообщение", chat="1"))
    await say(services, person("новое сообщение", chat="2"))
    async with session_scope(services.sessionmaker) as session:
        cases = (await session.scalars(select(Case).order_by(Case.created_at))).all()
        cases[0].status, cases[0].closed_at = "closed", utcnow() - timedelta(days=200)
    async with session_scope(services.sessionmaker) as session:
        counts = await purge(session, utcnow(), retention_days=90)
    assert counts["message_bodies"] >= 1
    async with services.sessionmaker() as session:
        old = (await session.scalars(select(Message).where(Message.case_id == cases[0].id))).all()
        new = (await session.scalars(select(Message).where(Message.case_id == cases[1].id))).all()
    assert all(m.body_enc is None for m in old)
    assert all(m.body_enc for m in new if m.direction == "in")


def test_pseudonym_depends_on_the_pepper() -> None:
    key = [("k1", uuid.uuid4().bytes * 2)]
    assert Vault("a" * 40, key).pseudonym("sms", PHONE) != Vault("b" * 40, key).pseudonym("sms", PHONE)
