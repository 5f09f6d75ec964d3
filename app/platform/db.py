"""Engine and session factory; built in the app's lifespan, never at import.

Services flush; only the request or job boundary commits (``session_scope``).
What must wait for that commit (telling consoles, waking the job loop,
reloading the bot's texts) is queued on the session with ``after_commit`` and
run by the scope once the commit succeeded, never when it rolled back.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import CursorResult, Result, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def create_engine(url: str, *, pool_size: int = 5, max_overflow: int = 5, pgbouncer: bool = False) -> AsyncEngine:
    """An async engine; SQLite gets WAL and a busy timeout so the worker and requests coexist.

    On PostgreSQL each process holds at most ``pool_size + max_overflow`` connections (replicas x
    workers x that must stay under the server's ``max_connections``, or go through PgBouncer).
    Behind PgBouncer in transaction mode a server connection changes under us between transactions,
    so asyncpg's and SQLAlchemy's prepared-statement caches are off and statement names are unique.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    url, marked = _without_pgbouncer_mark(url)
    connect_args: dict[str, Any] = {}
    if pgbouncer or marked:
        connect_args = {"statement_cache_size": 0, "prepared_statement_cache_size": 0,
                        "prepared_statement_name_func": lambda: f"__helpline_{uuid.uuid4().hex}__"}  # fmt: skip
    # No ping per checkout (it was a quarter of a webhook's time): connections are recycled after five
    # minutes, and a connection found dead invalidates the pool's older ones (the door's writer retries).
    return create_async_engine(url, pool_size=pool_size, max_overflow=max_overflow, pool_recycle=300,
                               connect_args=connect_args)  # fmt: skip


def _without_pgbouncer_mark(url: str) -> tuple[str, bool]:
    """``…?pgbouncer=1`` in a database URL means the same as ``HELPLINE_DB_PGBOUNCER=true`` (so Alembic, the
    CLI and the tests, which only get a URL, talk to PgBouncer correctly too); the mark is not sent on."""
    base, sep, query = url.partition("?")
    if not sep:
        return url, False
    parts = query.split("&")
    kept = [p for p in parts if p.split("=", 1)[0] != "pgbouncer"]
    marked = any(p in ("pgbouncer=1", "pgbouncer=true") for p in parts)
    return (base + ("?" + "&".join(kept) if kept else "")), marked


def engine_for(settings: Any) -> AsyncEngine:
    """The engine a deployment's settings describe (pool sizes, PgBouncer)."""
    return create_engine(settings.database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow,
                         pgbouncer=settings.db_pgbouncer)  # fmt: skip


async def serialized(session: AsyncSession, name: str) -> None:
    """Hold a PostgreSQL transaction-level advisory lock named ``name`` until the session's transaction
    ends: concurrent starts (seeding, migrating) take turns. A transaction lock, not a session one, so
    it also holds behind PgBouncer in transaction mode; a no-op on SQLite (one process)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def rows_affected(result: Result[Any]) -> int:
    """How many rows an UPDATE, DELETE or INSERT touched (0 when the driver cannot say)."""
    return int(result.rowcount or 0) if isinstance(result, CursorResult) else 0


Effect = Callable[[], Awaitable[object] | object]
_AFTER_COMMIT = "helpline.after_commit"


def after_commit(session: AsyncSession, effect: Effect) -> None:
    """Run ``effect`` once the scope that owns ``session`` has committed (dropped if it rolls back)."""
    session.info.setdefault(_AFTER_COMMIT, []).append(effect)


def discard_effects(session: AsyncSession) -> None:
    """Forget queued effects: the work they belonged to was rolled back by the caller."""
    session.info.pop(_AFTER_COMMIT, None)


@asynccontextmanager
async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """The request and job boundary: commit on success, roll back on any error, then run the effects."""
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            discard_effects(session)
            await session.rollback()
            raise
        for effect in session.info.pop(_AFTER_COMMIT, []):
            result = effect()
            if inspect.isawaitable(result):
                await result
