"""FastAPI dependencies for what the platform provides, each named once as an ``Annotated`` alias.

The running container sits in ``app.state.container`` (set in the lifespan by
``app.main``). A dependency here reads one part of it by name, so a route asks
for exactly what it uses (a session, the vault, the clock) and no room below
the runtime imports the container itself. Rooms name their own parts the same
way with ``provided("name")`` (``app.scripts`` the catalogue, ``app.inbound`` the
intake, and so on).

``SessionDep`` is the request boundary: the one place a request's work is
committed, and it commits *before* the response is sent (``scope="function"``),
so a redirect never lands on a page that does not yet see the change. Effects
queued with ``app.platform.db.after_commit`` run right after that commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from app.platform.db import session_scope
from app.platform.events import EventBus
from app.platform.identity import Vault
from app.platform.settings import Settings

Clock = Callable[[], datetime]


def _container(conn: HTTPConnection) -> Any:
    return conn.app.state.container


def provided(name: str) -> Callable[[HTTPConnection], Awaitable[Any]]:
    """A dependency returning the container's part called ``name``, read on every request.

    ``async`` so FastAPI calls it on the event loop: a plain function would be sent to the thread pool,
    a thread hop per dependency on every request (the largest cost on the webhooks after the database).
    """

    async def part(conn: HTTPConnection) -> Any:
        return getattr(_container(conn), name)

    part.__name__ = f"get_{name}"
    return part


async def get_session(conn: HTTPConnection) -> AsyncIterator[AsyncSession]:
    """The request boundary: commit on success (then the queued effects), roll back on error."""
    async with session_scope(_container(conn).sessionmaker) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
SessionmakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(provided("sessionmaker"))]
SettingsDep = Annotated[Settings, Depends(provided("settings"))]
VaultDep = Annotated[Vault, Depends(provided("vault"))]
ClockDep = Annotated[Clock, Depends(provided("clock"))]
EventsDep = Annotated[EventBus, Depends(provided("events"))]
