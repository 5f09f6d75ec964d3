"""The unit of work: effects queued with after_commit run once the scope committed, never after a rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.platform.audit import audit
from app.platform.db import after_commit, create_engine, create_sessionmaker, session_scope
from app.platform.models import AuditEntry


async def test_effects_run_after_the_commit_and_see_its_work(clean_db: str) -> None:
    engine = create_engine(clean_db)
    sessionmaker = create_sessionmaker(engine)
    seen: list[int] = []

    async def count_in_a_fresh_session() -> None:
        async with sessionmaker() as other:
            seen.append(int(await other.scalar(select(func.count()).select_from(AuditEntry)) or 0))

    try:
        async with session_scope(sessionmaker) as session:
            audit(session, "test", "unit.of.work")
            after_commit(session, count_in_a_fresh_session)
            after_commit(session, lambda: seen.append(-1))
            assert seen == []  # nothing runs before the commit
        assert seen == [1, -1]  # in order, and the committed row is visible to others
    finally:
        await engine.dispose()


async def test_effects_are_dropped_when_the_scope_rolls_back(clean_db: str) -> None:
    engine = create_engine(clean_db)
    seen: list[str] = []
    try:
        with pytest.raises(RuntimeError):
            async with session_scope(create_sessionmaker(engine)) as session:
                audit(session, "test", "unit.of.work")
                after_commit(session, lambda: seen.append("published"))
                raise RuntimeError("the work failed")
        assert seen == []
        async with session_scope(create_sessionmaker(engine)) as session:
            assert not await session.scalar(select(func.count()).select_from(AuditEntry))
    finally:
        await engine.dispose()
