"""The world a scripted conversation runs in: seeded texts, a roster with day shifts, a clock the test sets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest

from app.oncall.roster_store import import_roster
from app.platform.db import create_engine, create_sessionmaker, session_scope
from app.runtime.container import build_container
from app.scripts.service import seed_scripts
from tests.conversations.runner import ON_CALL_TIME, ROSTER


class Clock:
    def __init__(self) -> None:
        self.now = ON_CALL_TIME

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def world(settings, recording_senders) -> AsyncIterator[Any]:  # type: ignore[no-untyped-def]
    engine = create_engine(settings.database_url)
    async with session_scope(create_sessionmaker(engine)) as session:
        await seed_scripts(session)
    await engine.dispose()
    clock = Clock()
    services = await build_container(settings, senders=recording_senders, clock=clock)
    async with session_scope(services.sessionmaker) as session:
        await import_roster(session, services.vault, ROSTER)
    services.test_clock = clock
    yield services
    await services.close()
