"""PostgreSQL restarted under webhook traffic (a throwaway cluster, never the shared one): webhooks that
cannot store answer 5xx so the provider retries, /readyz says 503 meanwhile, and once the database is
back every update is stored and handled exactly once."""

from __future__ import annotations

import asyncio
import itertools

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from app.platform.models import InboundDelivery, Message
from tests.reliability import pgcluster
from tests.reliability.conftest import free_port
from tests.reliability.procs import Instance, app_env

pytestmark = pytest.mark.skipif(not pgcluster.available(), reason="needs PostgreSQL 15 binaries (initdb) to make a throwaway cluster")
SECRET = "restart-test-webhook-secret"
UPDATES = 120


@pytest.fixture
def cluster():  # type: ignore[no-untyped-def]
    c = pgcluster.ThrowawayCluster(free_port()).init()
    c.start()
    yield c
    c.destroy()


async def _prepare(url_admin: str, url: str, settings) -> None:  # type: ignore[no-untyped-def]
    from app.platform.migrate import upgrade
    from app.scripts.service import seed_database

    engine = create_async_engine(url_admin, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text("CREATE DATABASE helpline"))
    await engine.dispose()
    await asyncio.to_thread(upgrade, url)
    await seed_database(url)


async def test_webhooks_answer_5xx_while_the_database_is_down_and_nothing_is_lost_or_doubled(
        settings, cluster, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = cluster.url("helpline")
    await _prepare(cluster.url(), url, settings)
    instance = Instance(free_port(), app_env(settings.model_copy(update={"database_url": url}),
                                             HELPLINE_TELEGRAM_WEBHOOK_SECRET=SECRET), log=tmp_path / "app.log")  # fmt: skip
    await asyncio.to_thread(instance.start)
    statuses: list[int] = []
    ready_while_down: list[int] = []
    ids = itertools.count(1)
    try:
        async with httpx.AsyncClient(base_url=instance.url, timeout=10) as http:

            async def provider() -> None:
                """Like Telegram: one update at a time, redelivered until it gets a 200."""
                while (n := next(ids)) <= UPDATES:
                    body = {"update_id": n, "message": {"message_id": n, "date": 1700000000, "text": f"вопрос {n}",
                            "chat": {"id": 90000 + n, "type": "private"}, "from": {"id": 90000 + n,
                            "is_bot": False, "first_name": "x", "language_code": "ru"}}}  # fmt: skip
                    while True:
                        try:
                            r = await http.post("/webhooks/telegram", json=body,
                                                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})  # fmt: skip
                            statuses.append(r.status_code)
                            if r.status_code == 200:
                                break
                        except httpx.HTTPError:
                            statuses.append(0)
                        await asyncio.sleep(0.2)
                    await asyncio.sleep(0.02)

            traffic = asyncio.create_task(provider())
            await asyncio.sleep(1.0)
            await asyncio.to_thread(cluster.stop)
            await asyncio.sleep(1.0)
            ready_while_down.append((await http.get("/readyz")).status_code)
            await asyncio.sleep(1.0)
            await asyncio.to_thread(cluster.start)
            await asyncio.wait_for(traffic, 120)
            for _ in range(100):
                if (await http.get("/readyz")).status_code == 200:
                    break
                await asyncio.sleep(0.2)
        engine = create_async_engine(url)
        for _ in range(150):
            async with engine.connect() as conn:
                pending = await conn.scalar(select(func.count()).select_from(InboundDelivery)
                                            .where(InboundDelivery.status != "done"))  # fmt: skip
            if not pending:
                break
            await asyncio.sleep(0.2)
        async with engine.connect() as conn:
            stored = await conn.scalar(select(func.count()).select_from(InboundDelivery))
            from_people = await conn.scalar(select(func.count()).select_from(Message).where(Message.direction == "in"))
        await engine.dispose()
    finally:
        instance.stop()
    assert ready_while_down == [503]
    assert any(500 <= s < 600 for s in statuses), "some webhooks met the outage and asked for a retry"
    assert not [s for s in statuses if 400 <= s < 500], "an outage must never look like a bad request"
    assert pending == 0 and stored == UPDATES and from_people == UPDATES
