"""The real app wired to loopback fakes of Telegram's Bot API and Twilio's REST API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from app.main import create_app
from app.platform.settings import Settings
from app.scripts.service import seed_database
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
            http.app = app  # type: ignore[attr-defined]  # for the web chat socket (tests/fakes/person.py)
            yield http
