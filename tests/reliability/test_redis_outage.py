"""Redis is a convenience, not a door: an instance starts and serves web chat and webhooks while Redis is
down, says so on /readyz, and fans events out again once a real redis-server comes back on its port."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
import websockets
from redis import asyncio as aioredis

from app.scripts.service import seed_database
from tests.reliability.conftest import free_port
from tests.reliability.procs import Instance, app_env

SECRET = "redis-outage-webhook-secret"


class RedisServer:
    """A throwaway redis-server on its own port (never the shared one on 6379)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def redis_port() -> Iterator[RedisServer]:
    import shutil

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(free_port())
    yield server
    server.stop()


def _update(update_id: int, text: str) -> dict[str, object]:
    chat = {"id": 770000 + update_id, "type": "private"}
    return {"update_id": update_id, "message": {"message_id": update_id, "date": 1700000000, "text": text, "chat": chat,
                                                "from": {**chat, "is_bot": False, "first_name": "x", "language_code": "ru"}}}  # fmt: skip


async def _ready(http: httpx.AsyncClient) -> dict:  # type: ignore[type-arg]
    response = await http.get("/readyz")
    assert response.status_code == 200, response.text  # Redis away is a warning, never "not ready"
    return response.json()


async def test_the_app_serves_with_redis_down_and_fans_out_again_when_it_returns(settings, redis_port, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await seed_database(settings.database_url)
    env = app_env(settings, HELPLINE_REDIS_URL=f"redis://127.0.0.1:{redis_port.port}/0", HELPLINE_TELEGRAM_TOKEN="123:fake",
                  HELPLINE_TELEGRAM_WEBHOOK_SECRET=SECRET, HELPLINE_TELEGRAM_API_BASE=f"http://127.0.0.1:{free_port()}")  # fmt: skip
    instance = Instance(free_port(), env, log=tmp_path / "app.log")
    await asyncio.to_thread(instance.start)  # Redis is not running: it must come up all the same
    try:
        async with httpx.AsyncClient(base_url=instance.url, timeout=10) as http:
            body = await _ready(http)
            assert body["checks"]["redis"].startswith("unavailable") and body["warnings"], body
            hook = await http.post("/webhooks/telegram", json=_update(1, "здравствуйте"),
                                   headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})  # fmt: skip
            assert hook.status_code == 200

            async with websockets.connect(f"ws://127.0.0.1:{instance.port}/chat/ws") as page:
                assert json.loads(await asyncio.wait_for(page.recv(), 10))["type"] == "session"
                await page.send(json.dumps({"type": "message", "id": "m1", "text": "привет", "lang": "ru"}))
                reply = json.loads(await asyncio.wait_for(page.recv(), 15))
                assert reply["type"] == "message" and reply["text"], reply  # the bot answered, Redis or not

            redis_port.start()
            deadline = time.monotonic() + 15
            while (await _ready(http))["checks"]["redis"] != "ok":
                assert time.monotonic() < deadline, "the instance did not reconnect to Redis"
                await asyncio.sleep(0.3)
            assert (await _ready(http))["warnings"] == []

            listener = aioredis.from_url(f"redis://127.0.0.1:{redis_port.port}/0")
            pubsub = listener.pubsub()
            await pubsub.subscribe("helpline:events")
            hook = await http.post("/webhooks/telegram", json=_update(2, "нас заперли, помогите срочно"),
                                   headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})  # fmt: skip
            assert hook.status_code == 200
            names: list[str] = []
            deadline = time.monotonic() + 15
            while "case.waiting" not in names and time.monotonic() < deadline:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
                if message is not None:
                    names.append(json.loads(message["data"])["name"])
            await pubsub.aclose()
            await listener.aclose()
            assert "case.waiting" in names, names  # other instances' consoles hear of it again
    finally:
        instance.stop()
