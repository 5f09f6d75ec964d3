"""The real app wired to loopback fakes of Telegram's Bot API and Twilio's REST API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from pydantic import SecretStr

from app.main import create_app
from app.oncall.roster_store import import_roster
from app.platform.db import session_scope
from app.platform.settings import Settings
from app.scripts.service import seed_database
from tests.app.oncall.test_escalations import MORNING, ROSTER, Clock
from tests.fakes.conftest_plugin import fake_telegram, fake_twilio  # noqa: F401 - fixtures
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, FakeTwilioAPI

SECRET = "webhook-secret-for-tests"
HOTLINE = "+77170000000"


@pytest.fixture
def channel_settings(settings: Settings, fake_telegram: FakeTelegramAPI, fake_twilio: FakeTwilioAPI) -> Settings:
    # model_copy does not validate: secrets go in as SecretStr, as the settings class would make them.
    return settings.model_copy(update={
        "telegram_token": SecretStr(fake_telegram.token), "telegram_webhook_secret": SecretStr(SECRET),
        "telegram_api_base": fake_telegram.base_url, "twilio_account_sid": DEFAULT_ACCOUNT_SID,
        "twilio_auth_token": SecretStr(DEFAULT_AUTH_TOKEN), "twilio_phone_number": HOTLINE,
        "twilio_api_base": fake_twilio.base_url, "public_url": "https://helpline.example.org",
    })  # fmt: skip


@pytest.fixture
async def client(channel_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    await seed_database(channel_settings.database_url)
    app = create_app(channel_settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://helpline.example.org") as http:
            http.services = app.state.container  # type: ignore[attr-defined]
            yield http


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
