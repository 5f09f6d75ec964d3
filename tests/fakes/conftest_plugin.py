"""Pytest fixtures for the loopback fakes: ``pytest_plugins = ["tests.fakes.conftest_plugin"]``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.platform.settings import Settings
from tests.fakes.person import ChannelWorld, channel_world
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import FakeTwilioAPI


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as server:
        yield server


@pytest.fixture
async def fake_twilio() -> AsyncIterator[FakeTwilioAPI]:
    async with FakeTwilioAPI() as server:
        yield server


@pytest.fixture
async def channels(settings: Settings, fake_telegram: FakeTelegramAPI, fake_twilio: FakeTwilioAPI) -> AsyncIterator[ChannelWorld]:
    """The running app behind real channel endpoints; ``channels.person("telegram")`` is someone writing in."""
    async with channel_world(settings, fake_telegram, fake_twilio) as world:
        yield world
