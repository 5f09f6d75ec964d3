"""The real app wired to loopback fakes of Telegram's Bot API and Twilio's REST API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.platform.settings import Settings
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
