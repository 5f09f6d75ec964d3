"""Floods are limited per contact and per address; a limited person hears one calm line; urgent always passes."""

from __future__ import annotations

import ipaddress
import json

import pytest
from sqlalchemy import func, select

from app.inbound.ratelimit import MemoryBuckets, Rule, client_ip
from app.platform.models import Case, InboundDelivery
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.reliability.conftest import TG_HEADERS

PROXY = (ipaddress.ip_network("10.0.0.0/8"),)


async def test_a_bucket_allows_its_burst_then_refills_with_time() -> None:
    now = [0.0]
    buckets = MemoryBuckets(clock=lambda: now[0])
    rule = Rule(per_minute=60, burst=3)
    assert [await buckets.hit("k", rule) for _ in range(4)] == [True, True, True, False]
    now[0] += 1.0
    assert await buckets.hit("k", rule) and not await buckets.hit("k", rule)


def test_forwarded_for_is_believed_only_from_a_configured_proxy() -> None:
    headers = {"x-forwarded-for": "1.2.3.4"}
    assert client_ip("10.1.1.1", headers, PROXY) == "1.2.3.4"
    assert client_ip("203.0.113.9", headers, PROXY) == "203.0.113.9"  # a client naming its own address
    assert client_ip("10.1.1.1", {"x-forwarded-for": "6.6.6.6, 1.2.3.4, 10.2.2.2"}, PROXY) == "1.2.3.4"


@pytest.fixture
def tight_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPLINE_RATE_CONTACT_BURST", "3")
    monkeypatch.setenv("HELPLINE_RATE_CONTACT_PER_MINUTE", "1")


async def _send(client, fake_telegram: FakeTelegramAPI, chat: int, text: str):  # type: ignore[no-untyped-def]
    update = fake_telegram.make_text_update(chat, text)
    return await client.post("/webhooks/telegram", content=json.dumps(update), headers=TG_HEADERS)


async def test_a_flooding_contact_gets_one_calm_notice_and_the_extra_messages_are_not_stored(
        tight_limits: None, client, fake_telegram: FakeTelegramAPI) -> None:  # type: ignore[no-untyped-def]
    for i in range(8):
        assert (await _send(client, fake_telegram, 7001, f"вопрос про работу {i}")).status_code == 200
    await client.services.jobs.drain()
    async with client.services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(InboundDelivery)) == 3
    notices = [t for t in fake_telegram.sent_texts(7001) if "Подождите" in t]
    assert len(notices) == 1


async def test_an_urgent_message_from_a_limited_contact_still_escalates(
        tight_limits: None, client, fake_telegram: FakeTelegramAPI) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        await _send(client, fake_telegram, 7002, f"просто пишу {i}")
    await _send(client, fake_telegram, 7002, "нас заперли, помогите срочно")
    await client.services.jobs.drain()
    async with client.services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Case).where(Case.urgent.is_(True))) == 1
    assert not [t for t in fake_telegram.sent_texts(7002)[-2:] if "Подождите" in t and "заперли" in t]


async def test_one_address_flooding_a_webhook_gets_429(monkeypatch: pytest.MonkeyPatch, client) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HELPLINE_RATE_WEBHOOK_IP_BURST", "5")
    monkeypatch.setenv("HELPLINE_RATE_WEBHOOK_IP_PER_MINUTE", "1")
    codes = [(await client.post("/webhooks/telegram", content=b"{}", headers={"X-Telegram-Bot-Api-Secret-Token": "x"})
              ).status_code for _ in range(8)]  # fmt: skip
    assert codes[:5] == [403] * 5 and codes[5:] == [429] * 3


async def test_the_providers_own_address_is_not_throttled_once_it_proved_itself(
        monkeypatch: pytest.MonkeyPatch, client, fake_telegram: FakeTelegramAPI) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HELPLINE_RATE_WEBHOOK_IP_BURST", "5")
    monkeypatch.setenv("HELPLINE_RATE_WEBHOOK_IP_PER_MINUTE", "1")
    codes = [(await _send(client, fake_telegram, 7100 + i, f"вопрос про работу {i}")).status_code for i in range(20)]
    assert codes == [200] * 20, "a surge of real people's messages from Telegram's address is taken in whole"
    async with client.services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(InboundDelivery)) == 20


async def test_a_forged_flood_is_still_limited_per_address(monkeypatch: pytest.MonkeyPatch, client) -> None:  # type: ignore[no-untyped-def]
    from app.inbound.ratelimit import PROVIDER_TRUST_SECONDS

    monkeypatch.setenv("HELPLINE_RATE_WEBHOOK_IP_BURST", "3")
    monkeypatch.setenv("HELPLINE_RATE_WEBHOOK_IP_PER_MINUTE", "1")
    limiter = client.services.limiter
    limiter.trust_provider("149.154.167.1")
    assert limiter.is_provider("149.154.167.1") and not limiter.is_provider("203.0.113.9")
    assert not limiter.is_provider("149.154.167.1", clock=lambda: 1e12 + PROVIDER_TRUST_SECONDS)
    forged = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
    codes = [(await client.post("/webhooks/telegram", content=b"{}", headers=forged)).status_code for _ in range(5)]
    assert codes == [403] * 3 + [429] * 2
