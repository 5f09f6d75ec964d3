"""``helpline worker`` runs the job loop on its own: a delivery stored by a web process is answered."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from app.inbound.deliveries import store_delivery
from app.platform.db import create_engine, create_sessionmaker, session_scope
from app.platform.identity import Vault
from app.platform.models import InboundDelivery, OutboxItem
from app.runtime.worker import run_worker
from app.scripts.service import seed_scripts
from tests.app.conversations.test_service import person


async def test_a_separate_worker_handles_what_the_door_stored_and_stops_cleanly(settings) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    vault = Vault(settings.pepper.get_secret_value(), settings.key_list)
    async with session_scope(sessions) as session:
        await seed_scripts(session)
        await store_delivery(session, vault, person("Здравствуйте"))
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings.model_copy(update={"worker_interval": 0.05}), stop))
    try:
        for _ in range(200):
            async with sessions() as session:
                if await session.scalar(select(InboundDelivery.status)) == "done":
                    break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(worker, 15)
    async with sessions() as session:
        assert await session.scalar(select(InboundDelivery.status)) == "done"
        assert await session.scalar(select(OutboxItem.kind)) == "reply"
    await engine.dispose()


def test_a_separate_worker_on_the_embedded_sqlite_database_is_refused(monkeypatch, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from app.cli import main

    monkeypatch.setenv("HELPLINE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'h.db'}")
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HELPLINE_ENV", "development")
    assert main(["worker"]) == 2
    assert "PostgreSQL" in capsys.readouterr().err
