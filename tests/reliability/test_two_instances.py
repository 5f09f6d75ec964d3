"""Two real uvicorn instances on one PostgreSQL and Redis: a console signed in on one sees the case
created by a webhook on the other, once."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest

from app.operators.service import upsert_operator
from app.platform.db import create_engine, create_sessionmaker, session_scope
from app.platform.identity import Vault
from app.scripts.service import seed_database
from tests.reliability.conftest import REDIS_URL, free_port, needs_pg, needs_redis
from tests.reliability.procs import Instance, app_env

pytestmark = [needs_pg, needs_redis]
SECRET = "two-instances-webhook-secret"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
async def instances(settings, tmp_path):  # type: ignore[no-untyped-def]
    await seed_database(settings.database_url)
    engine = create_engine(settings.database_url)
    async with session_scope(create_sessionmaker(engine)) as session:
        vault = Vault(settings.pepper.get_secret_value(), settings.key_list)
        await upsert_operator(session, vault, login="olga", name="Olga", role="operator", languages=["ru"],
                              password="correct horse battery")  # fmt: skip
    await engine.dispose()
    env = app_env(settings, HELPLINE_REDIS_URL=REDIS_URL, HELPLINE_TELEGRAM_TOKEN="123:fake",
                  HELPLINE_TELEGRAM_WEBHOOK_SECRET=SECRET, HELPLINE_TELEGRAM_API_BASE=f"http://127.0.0.1:{free_port()}")  # fmt: skip
    pair = [Instance(free_port(), env, log=tmp_path / f"i{n}.log") for n in (1, 2)]
    try:
        await asyncio.gather(*(asyncio.to_thread(i.start) for i in pair))
        yield pair
    finally:  # also when one failed to start: never leave a process polling the test database
        for instance in pair:
            instance.stop()


async def _sign_in(http: httpx.AsyncClient) -> None:
    page = await http.get("/auth/login")
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    response = await http.post("/auth/login", data={"login": "olga", "password": "correct horse battery", "csrf": token})
    assert response.status_code == 303, response.text


async def _events(http: httpx.AsyncClient, found: list[dict], ready: asyncio.Event) -> None:
    async with http.stream("GET", "/console/events") as stream:
        ready.set()
        name = None
        async for line in stream.aiter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: ") and name:
                found.append({"event": name, **json.loads(line[6:])})


async def test_a_console_on_one_instance_sees_a_case_created_on_the_other(instances) -> None:  # type: ignore[no-untyped-def]
    a, b = instances
    async with httpx.AsyncClient(base_url=b.url, timeout=10) as console, httpx.AsyncClient(base_url=a.url) as provider:
        await _sign_in(console)
        found: list[dict] = []
        ready = asyncio.Event()
        listener = asyncio.create_task(_events(console, found, ready))
        await asyncio.wait_for(ready.wait(), 10)
        await asyncio.sleep(0.3)
        update = {"update_id": 4242, "message": {"message_id": 1, "date": 1700000000, "text": "нас заперли, помогите срочно",
                                                  "chat": {"id": 880001, "type": "private"},
                                                  "from": {"id": 880001, "is_bot": False, "first_name": "x", "language_code": "ru"}}}  # fmt: skip
        response = await provider.post("/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert response.status_code == 200
        for _ in range(100):
            if any(e["event"] == "case.waiting" for e in found):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # a duplicate would arrive by now
        listener.cancel()
    waiting = [e for e in found if e["event"] == "case.waiting"]
    assert len(waiting) == 1 and waiting[0]["urgent"] is True, found
