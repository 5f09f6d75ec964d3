"""Alembic revisions go from an empty database to head and back, on both engines."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from app.platform.db import create_engine
from app.platform.migrate import downgrade, upgrade
from app.platform.models import Base
from tests.conftest import PG_URL


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def _pg_database(name: str, create: bool) -> None:
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'{"CREATE" if create else "DROP"} DATABASE "{name}"'))
    await admin.dispose()


@pytest.fixture
def empty_url(tmp_path: Path):  # type: ignore[no-untyped-def]
    if not PG_URL:
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"helpline_mig_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_database(name, True))
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    asyncio.run(_pg_database(name, False))


def test_migrations_upgrade_an_empty_database_to_head_and_back(empty_url: str) -> None:
    upgrade(empty_url)
    assert asyncio.run(_tables(empty_url)) == set(Base.metadata.tables)
    downgrade(empty_url)
    assert asyncio.run(_tables(empty_url)) == set()
    upgrade(empty_url)
    assert asyncio.run(_tables(empty_url)) == set(Base.metadata.tables)
