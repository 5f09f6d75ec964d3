"""The real app wired to loopback fakes of Telegram's Bot API and Twilio's REST API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from app.main import create_app
from app.oncall.roster_store import import_roster
from app.platform.db import session_scope
from app.platform.settings import Settings
from app.scripts.service import seed_database
from tests.app.oncall.test_escalations import MORNING, ROSTER, Clock
from tests.fakes.conftest_plugin import channels, fake_telegram, fake_twilio  # noqa: F401 - fixtures
from tests.fakes.person import HOTLINE, WEBHOOK_SECRET, channel_world, wired_settings
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import FakeTwilioAPI

SECRET = WEBHOOK_SECRET
__all__ = ["HOTLINE", "SECRET"]


@pytest.fixture
def channel_settings(settings: Settings, fake_telegram: FakeTelegramAPI, fake_twilio: FakeTwilioAPI) -> Settings:
    return wired_settings(settings, fake_telegram, fake_twilio)


@pytest.fixture
async def client(settings: Settings, fake_telegram: FakeTelegramAPI, fake_twilio: FakeTwilioAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the running app; ``client.services`` is its container, ``client.app`` the app."""
    async with channel_world(settings, fake_telegram, fake_twilio) as world:
        yield world.http


@asynccontextmanager
async def running_with_rota(settings: Settings, roster: str = ROSTER) -> AsyncIterator[tuple[httpx.AsyncClient, Clock]]:
    """The app with a rota imported, on a clock the test moves (on call: the example rota's morning)."""
    await seed_database(settings.database_url)
    clock = Clock(MORNING)
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        services = app.state.container
        async with session_scope(services.sessionmaker) as session:
            await import_roster(session, services.vault, roster)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=settings.public_url) as http:
            http.services = services  # type: ignore[attr-defined]
            yield http, clock
