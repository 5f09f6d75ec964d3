"""Shared fixtures: one database per run (SQLite file, or PostgreSQL when
HELPLINE_TEST_DATABASE_URL is set), cleaned between tests; settings with fresh secrets."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from app.platform.models import Base
from app.platform.settings import Settings, new_key_spec
from bots.messages import OutboundMessage, SendError, SendResult

PG_URL = os.environ.get("HELPLINE_TEST_DATABASE_URL", "")
# The real NLU model, trained once and reused while the data is unchanged (var/ is git-ignored).
TEST_MODEL = Path(__file__).resolve().parent.parent / "var" / "test" / "nlu-model.pkl"


@pytest.fixture(scope="session")
def nlu_model_path() -> Path:
    from nlu import load_or_train

    TEST_MODEL.parent.mkdir(parents=True, exist_ok=True)
    load_or_train(TEST_MODEL)
    return TEST_MODEL


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    from app.platform.migrate import upgrade

    url = PG_URL or f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'helpline.db'}"
    upgrade(url)
    return url


@pytest.fixture
async def clean_db(db_url: str) -> AsyncIterator[str]:
    """Every test starts from empty tables (schema stays migrated)."""
    from app.platform.db import create_engine

    engine = create_engine(db_url)
    async with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(text(f"DELETE FROM {table.name}"))
    await engine.dispose()
    yield db_url


@pytest.fixture
def settings(clean_db: str, tmp_path: Path, nlu_model_path: Path) -> Settings:
    return Settings(
        env="test", database_url=clean_db, data_dir=tmp_path, pepper="p" * 40, secret_key="s" * 40,
        encryption_keys=new_key_spec("k1"), worker_enabled=False, nlu_backend="embedded",
        nlu_model_path=nlu_model_path, log_json=True, public_url="http://testserver",
        ops_addresses="127.0.0.1,::1,testclient",
    )  # fmt: skip


class RecordingSender:
    """The far side of a channel: records what would have been delivered, fails on demand."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.sent: list[OutboundMessage] = []
        self.failures: list[SendError] = []
        self._next_id = 100

    def fail_next(self, *errors: SendError) -> None:
        self.failures.extend(errors)

    async def send(self, message: OutboundMessage) -> SendResult:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        self._next_id += 1
        return SendResult(external_message_id=str(self._next_id))

    async def close(self) -> None:
        return None


@pytest.fixture
def recording_senders() -> dict[str, RecordingSender]:
    return {name: RecordingSender(name) for name in ("telegram", "sms", "webchat")}


@pytest.fixture
async def services(settings: Settings, recording_senders: dict[str, RecordingSender]) -> AsyncIterator[object]:
    from app.platform.db import create_engine, create_sessionmaker, session_scope
    from app.runtime.container import build_container
    from app.scripts.service import seed_scripts

    engine = create_engine(settings.database_url)
    async with session_scope(create_sessionmaker(engine)) as session:
        await seed_scripts(session)
    await engine.dispose()
    built = await build_container(settings, senders=recording_senders)
    yield built
    await built.close()


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {'PostgreSQL ' + PG_URL.split('@')[-1] if PG_URL else 'SQLite'}"


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.get_event_loop().run_until_complete(coro)


def new_id() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def anyio_backend() -> Iterator[str]:
    yield "asyncio"


@pytest.fixture
async def app_client(settings: Settings, recording_senders: dict[str, RecordingSender]):  # type: ignore[no-untyped-def]
    """The real app (lifespan included) behind an in-process HTTP client."""
    import httpx

    from app.main import create_app
    from app.scripts.service import seed_database

    await seed_database(settings.database_url)
    app = create_app(settings, senders=recording_senders)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture
async def client(app_client):  # type: ignore[no-untyped-def]
    """The workspace pages' client (``tests/pages.py`` has the helpers); tests/app/channels has its own."""
    return app_client
