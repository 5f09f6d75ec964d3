"""The workspaces in a real browser: Debian's headless Chromium driven by Playwright.

The real app runs under uvicorn on a loopback port in a background thread with
its own SQLite file; people's messages are injected on the server's own event
loop so the console hears them over its live event stream. Screenshots of the
console and the admin area at 360 and 1280 px land in docs/screenshots/.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
PASSWORD = "correct horse battery"
NEW_TEXT = "Здравствуйте! Новый текст из браузерного теста."

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and not shutil.which("chromium"),
                                reason="Debian chromium is missing: apt-get install -y chromium")  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """uvicorn in a thread; ``call`` runs a coroutine on the server's loop and waits for it."""

    def __init__(self, tmp: Path) -> None:
        from app.platform.settings import Settings, new_key_spec

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = Settings(
            env="test", database_url=f"sqlite+aiosqlite:///{tmp / 'browser.db'}", data_dir=tmp, pepper="p" * 40,
            secret_key="s" * 40, encryption_keys=new_key_spec("k1"), worker_enabled=False, nlu_backend="keywords",
            log_json=True, log_level="WARNING", public_url=self.url,
        )  # fmt: skip
        self.loop: asyncio.AbstractEventLoop | None = None
        self.server: Any = None

    def start(self) -> None:
        import uvicorn

        from app.main import create_app
        from app.platform.migrate import upgrade
        from app.scripts.service import seed_database

        # Off this thread: under Playwright's sync API a loop is already running here.
        def prepare() -> None:
            upgrade(self.settings.database_url)
            asyncio.run(seed_database(self.settings.database_url))

        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(prepare).result()
        app = create_app(self.settings)
        self.app = app
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None, lifespan="on",
                                timeout_graceful_shutdown=1)  # fmt: skip
        self.server = uvicorn.Server(config)

        def run() -> None:
            self.loop = asyncio.new_event_loop()
            self.loop.run_until_complete(self.server.serve())

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        deadline = time.time() + 30
        while not self.server.started:
            if time.time() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)

    def call(self, coro: Any) -> Any:
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    @property
    def services(self) -> Any:
        return self.app.state.container

    async def add_operator(self, login: str, role: str) -> None:
        from app.operators.service import upsert_operator
        from app.platform.db import session_scope

        async with session_scope(self.services.sessionmaker) as session:
            await upsert_operator(session, self.services.vault, login=login, name=login.title(), role=role,
                                  languages=["ru", "en"], password=PASSWORD)  # fmt: skip

    async def person_writes(self, text: str, external_id: str) -> str:
        from app.conversations.service import handle_inbound
        from app.platform.db import session_scope
        from bots.messages import InboundMessage

        async with session_scope(self.services.sessionmaker) as session:
            outcome = await handle_inbound(session, InboundMessage(channel="sms", external_id=external_id,
                                                                   external_message_id=uuid.uuid4().hex, text=text),
                                           self.services.core)  # fmt: skip
        self.services.events.publish_all(outcome.events)
        return str(outcome.case_alias)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("browser"))
    server.start()
    server.call(server.add_operator("coord", "coordinator"))
    server.call(server.add_operator("oper", "operator"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield instance
        instance.close()


def _sign_in(page: Any, live: LiveServer, login: str) -> None:
    page.goto(f"{live.url}/auth/login?lang=ru")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live.url}/console")


def _shoot(page: Any, name: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 800 if width > 400 else 740})
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / name), full_page=False)


def test_coordinator_edits_previews_publishes_and_rolls_back_a_text(live: LiveServer, browser: Any) -> None:
    old = live.services.scripts.get("greet", "ru")
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    _sign_in(page, live, "coord")
    page.goto(f"{live.url}/admin/scripts/greet")
    area = page.locator("#ru-chat textarea[name=text]")
    area.fill(NEW_TEXT)
    page.locator("#ru-chat button.secondary").first.click()
    page.wait_for_load_state()
    assert page.locator("#ru-chat .badge.yellow").count() == 1  # a draft
    page.select_option("select[name=language]", "ru")
    page.fill("textarea[name=message]", "Привет")
    page.click("#preview-send")
    page.wait_for_selector("#preview-result")
    assert NEW_TEXT in page.locator("#preview-result").inner_text()
    assert live.services.scripts.get("greet", "ru") == old
    page.locator("#ru-chat form[action$='/publish'] button").click()
    page.wait_for_load_state()
    assert live.services.scripts.get("greet", "ru") == NEW_TEXT
    page.fill("textarea[name=message]", "Привет")
    page.click("#preview-send")
    page.wait_for_selector("#preview-result")
    assert NEW_TEXT in page.locator("#preview-result").inner_text()  # the published bot answers the same
    _shoot(page, "admin-desktop.png", 1280)
    _shoot(page, "admin-phone.png", 360)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live.url}/admin/scripts/greet/ru/chat/versions")
    page.locator("form[action='/admin/scripts/rollback'] button").last.click()
    page.wait_for_load_state()
    assert live.services.scripts.get("greet", "ru") == old
    page.close()


def test_urgent_case_appears_live_and_is_taken_and_answered(live: LiveServer, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    _sign_in(page, live, "oper")
    page.wait_for_selector("#live.ok")  # the event stream is connected
    alias = live.call(live.person_writes("Помогите срочно, меня заперли на складе", "+77017776655"))
    item = page.locator(f"#queue li[data-alias='{alias}']")
    item.wait_for(timeout=10_000)  # arrived without a reload
    assert "urgent" in (item.get_attribute("class") or "")
    assert page.locator("#queue li").first.get_attribute("data-alias") == alias  # on top
    live.call(live.person_writes("Позовите оператора, пожалуйста", "+77015554433"))
    page.locator("#queue li").nth(1).wait_for(timeout=10_000)
    assert page.locator("#queue li").first.get_attribute("data-alias") == alias  # urgent stays on top
    _shoot(page, "console-desktop.png", 1280)
    _shoot(page, "console-phone.png", 360)
    page.set_viewport_size({"width": 1280, "height": 800})
    item.locator("button.take").click()
    page.wait_for_url(f"{live.url}/console/case/{alias}")
    page.fill("#reply", "Мы с вами. Где вы сейчас?")
    page.locator("form.reply button.primary").click()
    page.wait_for_load_state()
    assert "Мы с вами. Где вы сейчас?" in page.locator("#messages").inner_text()
    live.call(live.person_writes("Я на складе у вокзала", "+77017776655"))
    # A locator wait (not wait_for_function): the console's CSP rightly forbids eval.
    page.locator("#messages", has_text="у вокзала").wait_for(timeout=10_000)
    assert "+7701" not in page.content()
    page.close()
