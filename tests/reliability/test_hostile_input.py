"""Hostile input on every public entry: forged, oversized, malformed or strange bodies get a clean 4xx
and nothing is stored; strange but valid text (RTL marks, long messages) is handled like any other."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from app.platform.models import InboundDelivery
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.reliability.conftest import TG_HEADERS, post_signed, sms

HOSTILE_TEXTS = {
    "lone surrogate": "помогите \ud800 сейчас",
    "nul byte": "паспорт\x00забрали",
    "rtl override": "\u202eпаспорт\u202c \u200f",
    "100 KB": "я" * 100_000,
}


async def stored(client) -> int:  # type: ignore[no-untyped-def]
    async with client.services.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(InboundDelivery)) or 0)


async def test_telegram_checks_the_secret_before_reading_the_body(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/webhooks/telegram", content=b"\xff{not json at all",
                                 headers={"X-Telegram-Bot-Api-Secret-Token": "forged"})  # fmt: skip
    assert response.status_code == 403
    assert await stored(client) == 0


async def test_twilio_checks_the_signature_before_parsing_the_sms(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/webhooks/twilio/sms", data={"From": "+77011112233"},
                                 headers={"X-Twilio-Signature": "forged"})  # fmt: skip
    assert response.status_code == 403  # the missing MessageSid would be a 400: the signature came first
    assert await stored(client) == 0


@pytest.mark.parametrize("path", ["/webhooks/telegram", "/webhooks/twilio/sms", "/webhooks/twilio/status",
                                  "/webhooks/twilio/whatsapp"])  # fmt: skip
async def test_an_oversized_body_is_refused_with_413_before_it_is_read(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(path, content=b"x" * (300 * 1024), headers=TG_HEADERS)
    assert response.status_code == 413
    assert await stored(client) == 0


@pytest.mark.parametrize("body", [b"{not json", b"[]", b"null", b'{"update_id": "x"}', b'{"update_id": 1, "message": 5}',
                                  b"{\"update_id\": 1, \"message\": {\"text\": \"\\ud800\"}}", b"\x00\x01"])
async def test_malformed_telegram_updates_are_a_clean_4xx_and_nothing_is_stored(client, body: bytes) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/webhooks/telegram", content=body, headers=TG_HEADERS)
    assert 400 <= response.status_code < 500 or response.json() == {"ok": True}
    assert response.json().get("error", "invalid_request") in ("invalid_request", "too_large")
    assert await stored(client) == 0


@pytest.mark.parametrize("opener", [b"[", b'{"a":'])
async def test_a_5000_deep_json_on_the_telegram_webhook_is_a_400(client, opener: bytes) -> None:  # type: ignore[no-untyped-def]
    closer = b"]" if opener == b"[" else b"}"
    body = b'{"update_id": 1, "message": ' + opener * 5000 + b"1" + closer * 5000 + b"}"
    response = await client.post("/webhooks/telegram", content=body, headers=TG_HEADERS)
    assert response.status_code == 400 and "nested too deeply" in response.json()["message"]
    assert await stored(client) == 0


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
async def test_strange_telegram_text_is_refused_cleanly_or_handled(client, fake_telegram: FakeTelegramAPI,
                                                                   name: str) -> None:  # type: ignore[no-untyped-def]
    update = fake_telegram.make_text_update(700000001, HOSTILE_TEXTS[name])
    response = await client.post("/webhooks/telegram", content=json.dumps(update), headers=TG_HEADERS)
    assert response.status_code in (200, 400, 413), response.text
    await client.services.jobs.drain()
    if response.status_code != 200:
        assert await stored(client) == 0
    async with client.services.sessionmaker() as session:
        failed = await session.scalar(select(func.count()).select_from(InboundDelivery)
                                      .where(InboundDelivery.status != "done"))  # fmt: skip
    assert failed == 0  # nothing stored that the core then chokes on


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
async def test_strange_sms_text_is_refused_cleanly_or_handled(client, name: str) -> None:  # type: ignore[no-untyped-def]
    text = HOSTILE_TEXTS[name].replace("\ud800", "\ufffd")  # a form cannot carry a lone surrogate as UTF-8
    response = await post_signed(client, "/webhooks/twilio/sms", sms("+77011112233", text, f"SM{len(text)}"))
    assert response.status_code in (200, 400, 413), response.text
    await client.services.jobs.drain()
    if response.status_code != 200:
        assert await stored(client) == 0


async def test_a_form_that_is_not_utf8_is_a_clean_400(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/webhooks/twilio/sms", content=b"Body=\xff\xfe&From=%2B7",
                                 headers={"Content-Type": "application/x-www-form-urlencoded",
                                          "X-Twilio-Signature": "x"})  # fmt: skip
    assert response.status_code in (400, 403)
    assert await stored(client) == 0


def test_the_web_chat_socket_answers_every_bad_frame_with_an_error_and_stays_open(channel_settings) -> None:  # type: ignore[no-untyped-def]
    from app.main import create_app

    frames: list[str | bytes] = ["{not json", "[]", json.dumps({"type": "message", "text": "я" * 5000}),
                                 json.dumps({"type": "nope"}), b"\xff\xfe",
                                 json.dumps({"type": "command", "command": "../../etc"}), "x" * 40_000,
                                 '{"type": "message", "text": "\\ud800"}']  # fmt: skip
    app = create_app(channel_settings)
    with TestClient(app) as http, http.websocket_connect("/chat/ws") as ws:
        assert json.loads(ws.receive_text())["type"] == "session"
        for frame in frames:
            ws.send_bytes(frame) if isinstance(frame, bytes) else ws.send_text(frame)
            reply = json.loads(ws.receive_text())
            assert reply["type"] in ("error", "message"), reply
        ws.send_text(json.dumps({"type": "message", "id": "m1", "text": "привет"}))
        ws.send_text("[]")  # its error answer means the good frame before it was handled
        assert json.loads(ws.receive_text())["type"] == "error"
    import asyncio

    async def count() -> int:
        from app.platform.db import create_engine

        engine = create_engine(channel_settings.database_url)
        async with engine.connect() as conn:
            n = await conn.scalar(select(func.count()).select_from(InboundDelivery))
        await engine.dispose()
        return int(n or 0)

    assert asyncio.new_event_loop().run_until_complete(count()) == 1  # only the good one
