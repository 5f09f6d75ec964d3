"""Pytest fixtures for the loopback fakes: ``pytest_plugins = ["tests.fakes.conftest_plugin"]``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

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
