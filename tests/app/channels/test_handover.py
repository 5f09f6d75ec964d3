"""Urgent message → alert in the on-call operator's Telegram → Take → the person is told → they talk."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.app.channels.conftest import SECRET, running_with_rota
from tests.app.oncall.test_escalations import Clock
from tests.fakes.telegram_api import FakeTelegramAPI

PERSON, AIGERIM, COORD = 700100200, 5550001, 5550009
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}


@pytest.fixture
async def world(channel_settings) -> AsyncIterator[tuple[httpx.AsyncClient, Clock]]:  # type: ignore[no-untyped-def]
    async with running_with_rota(channel_settings) as running:
        yield running


async def test_operator_takes_an_urgent_case_from_telegram_and_talks_to_the_person(world, fake_telegram: FakeTelegramAPI) -> None:
    client, clock = world
    services = client.services

    async def update(body: dict) -> None:
        assert (await client.post("/webhooks/telegram", content=json.dumps(body), headers=HEADERS)).status_code == 200
        await services.jobs.drain()

    await update(fake_telegram.make_text_update(PERSON, "помогите меня заперли срочно"))
    alerts = [c for c in fake_telegram.calls_for("sendMessage") if str(c["chat_id"]) == str(AIGERIM)]
    assert len(alerts) == 1
    markup = json.loads(alerts[0]["reply_markup"]) if isinstance(alerts[0]["reply_markup"], str) else alerts[0]["reply_markup"]
    take = markup["inline_keyboard"][0][0]["callback_data"]
    assert take.startswith("take:")
    assert str(PERSON) not in alerts[0]["text"]

    await update(fake_telegram.make_callback_update(AIGERIM, take, message_id=2))
    to_person = fake_telegram.sent_texts(PERSON)
    assert any(services.scripts.get("operator_joined", "ru", alias=take.split(":")[1]) == t for t in to_person)

    await update(fake_telegram.make_text_update(AIGERIM, "Я с вами. Где вы сейчас?"))
    assert "Я с вами. Где вы сейчас?" in fake_telegram.sent_texts(PERSON)
    await update(fake_telegram.make_text_update(PERSON, "в подвале на складе"))
    assert any("в подвале на складе" in t for t in fake_telegram.sent_texts(AIGERIM))

    clock.advance(600)
    await services.timers.run_due()
    await services.jobs.drain()
    assert fake_telegram.sent_texts(COORD) == [], "no step-two alert after the take"
