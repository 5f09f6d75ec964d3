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


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: the advisory lock is what makes concurrent starts safe")
def test_two_instances_migrating_an_empty_database_at_once_both_come_up_migrated(empty_url: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from alembic.script import ScriptDirectory

    from app.platform.migrate import ROOT, alembic_config

    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPLINE_")}
    env.update({"HELPLINE_ENV": "test", "HELPLINE_DATABASE_URL": empty_url, "HELPLINE_DATA_DIR": str(tmp_path)})
    procs = [subprocess.Popen([sys.executable, "-m", "app.cli", "migrate"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]  # fmt: skip
    outputs = [p.communicate(timeout=180)[0].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs

    async def state() -> tuple[str, int, int]:
        engine = create_engine(empty_url)
        async with engine.connect() as conn:
            version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
            rows = (await conn.execute(text("SELECT count(*) FROM script_texts"))).scalar_one()
            distinct = (await conn.execute(text(
                "SELECT count(*) FROM (SELECT DISTINCT key, language, variant FROM script_texts) d"))).scalar_one()  # fmt: skip
        await engine.dispose()
        return version, rows, distinct

    version, rows, distinct = asyncio.run(state())
    assert version == ScriptDirectory.from_config(alembic_config(empty_url)).get_current_head()
    assert rows == distinct > 0  # seeded once, not twice
