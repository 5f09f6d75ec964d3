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


async def _run(url: str, *statements: str) -> list[tuple]:  # type: ignore[type-arg]
    engine = create_engine(url)
    rows: list[tuple] = []  # type: ignore[type-arg]
    async with engine.begin() as conn:
        for statement in statements:
            result = await conn.execute(text(statement))
            if result.returns_rows:
                rows += [tuple(r) for r in result.all()]
    await engine.dispose()
    return rows


def test_migration_0005_turns_stored_cue_words_into_category_codes(empty_url: str) -> None:
    from alembic.script import ScriptDirectory

    from app.platform.migrate import alembic_config

    before = ScriptDirectory.from_config(alembic_config(empty_url)).get_revision("0005").down_revision
    upgrade(empty_url, str(before))
    now = "2026-12-01 10:00:00+00:00"
    case_id, other_id, esc_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    hex_ids = [u.hex if "sqlite" in empty_url else str(u) for u in (case_id, other_id, esc_id)]
    asyncio.run(_run(
        empty_url,
        "INSERT INTO cases (id, alias, channel, status, urgent, urgent_reason, created_at, updated_at, erased) VALUES "
        f"('{hex_ids[0]}', 'K-1', 'telegram', 'waiting', true, 'заперли; safe word', '{now}', '{now}', false), "
        f"('{hex_ids[1]}', 'K-2', 'telegram', 'waiting', true, 'бьют', '{now}', '{now}', false)",
        "INSERT INTO escalations (id, case_id, status, fence, state, created_at, updated_at) VALUES "
        f"('{hex_ids[2]}', '{hex_ids[0]}', 'running', 0, '{{\"reasons\": [\"заперли\", \"confinement\"]}}', '{now}', '{now}')",
    ))  # fmt: skip
    upgrade(empty_url)
    reasons = dict(asyncio.run(_run(empty_url, "SELECT alias, urgent_reason FROM cases")))
    assert reasons == {"K-1": "safe_word", "K-2": "model"}
    [(state,)] = asyncio.run(_run(empty_url, "SELECT state FROM escalations"))
    assert "заперли" not in str(state) and "confinement" in str(state)


def test_migration_0018_counts_the_waits_of_cases_already_taken(empty_url: str) -> None:
    upgrade(empty_url, "0017")
    created, taken, replied = "2026-11-30 10:00:00+00:00", "2026-11-30 10:00:42+00:00", "2026-11-30 10:10:00+00:00"
    ids = [u.hex if "sqlite" in empty_url else str(u) for u in (uuid.uuid4(), uuid.uuid4())]
    asyncio.run(_run(
        empty_url,
        "INSERT INTO cases (id, alias, channel, status, urgent, created_at, updated_at, taken_at, first_human_reply_at, "
        f"erased) VALUES ('{ids[0]}', 'K-1', 'telegram', 'closed', false, '{created}', '{created}', '{taken}', "
        f"'{replied}', false), ('{ids[1]}', 'K-2', 'telegram', 'bot', false, '{created}', '{created}', NULL, NULL, false)",
    ))  # fmt: skip
    upgrade(empty_url)
    rows = asyncio.run(_run(empty_url, "SELECT CAST(week AS TEXT), kind, bucket, count FROM response_counts ORDER BY kind"))
    assert rows == [("2026-11-30", "reply", 190, 1), ("2026-11-30", "take", 42, 1)]  # 600 s: bucket 190 (100·1.02^90 ≤ 600)
    firsts = dict(asyncio.run(_run(empty_url, "SELECT alias, first_taken_at IS NOT NULL FROM cases")))
    assert firsts == {"K-1": True, "K-2": False}


def test_migration_0019_sums_the_daily_counts_per_week(empty_url: str) -> None:
    upgrade(empty_url, "0018")
    asyncio.run(_run(
        empty_url,
        "INSERT INTO daily_counts (day, channel, language, intent, urgent, count) VALUES "
        "('2026-11-30', 'sms', 'kk', 'greet', false, 2), ('2026-12-06', 'sms', 'kk', 'greet', false, 3), "
        "('2026-12-07', 'sms', 'kk', 'greet', false, 1)",
    ))  # fmt: skip
    upgrade(empty_url)
    weekly = asyncio.run(_run(empty_url, "SELECT CAST(week AS TEXT), count FROM weekly_counts ORDER BY week"))
    assert weekly == [("2026-11-30", 5), ("2026-12-07", 1)]  # Monday to Sunday, then the next Monday
