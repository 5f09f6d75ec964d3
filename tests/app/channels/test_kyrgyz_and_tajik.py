"""Kyrgyz and Tajik end to end: Telegram and the web chat answer in the language, and an urgent case
reaches an operator who speaks it, or a Russian speaker when nobody on call does."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.testclient import TestClient

from app.main import create_app
from app.scripts.service import seed_database
from tests.app.channels.conftest import SECRET, running_with_rota
from tests.fakes.telegram_api import FakeTelegramAPI

PERSON, AIBEK, OLGA, ZARINA = 700300400, 5550011, 5550012, 5550013
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
# On call this morning: Zarina (Uzbek only) by rotation, Aibek (Kyrgyz, Russian) and Olga (Russian) as extra cover.
ROSTER = """\
operators:
  - {login: aibek, name: Aibek, role: operator, languages: [ky, ru], telegram_chat_id: 5550011}
  - {login: olga, name: Olga, role: operator, languages: [ru], telegram_chat_id: 5550012}
  - {login: zarina, name: Zarina, role: operator, languages: [uz], telegram_chat_id: 5550013}
  - {login: coord, name: Coordinator, role: coordinator, languages: [ru], telegram_chat_id: 5550019}
schedules:
  - name: hotline
    timezone: Asia/Almaty
    layers:
      - {rotation: daily, handoff: "09:00", start: "2026-01-01", members: [zarina]}
    overrides:
      - {login: aibek, start: "2026-03-01T00:00", end: "2026-03-05T00:00", replaces: coord}
      - {login: olga, start: "2026-03-01T00:00", end: "2026-03-05T00:00", replaces: coord}
escalation_policies:
  - name: urgent
    default: true
    steps:
      - {notify: {schedule: hotline}, via: [telegram, console], wait_seconds: 60}
"""


@pytest.fixture
async def line(channel_settings) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with running_with_rota(channel_settings, ROSTER) as (http, _):
        yield http


async def _write(line: httpx.AsyncClient, tg: FakeTelegramAPI, text: str) -> None:
    response = await line.post("/webhooks/telegram", content=json.dumps(tg.make_text_update(PERSON, text)), headers=HEADERS)
    assert response.status_code == 200
    await line.services.jobs.drain()  # type: ignore[attr-defined]


def _alerted(tg: FakeTelegramAPI) -> set[int]:
    return {int(c["chat_id"]) for c in tg.calls_for("sendMessage") if int(c["chat_id"]) in (AIBEK, OLGA, ZARINA)}


async def test_kyrgyz_on_telegram_is_answered_in_kyrgyz_and_alerts_the_kyrgyz_speaker(line, fake_telegram) -> None:
    scripts = line.services.scripts
    await _write(line, fake_telegram, "Саламатсызбы, мага жардам керек")
    assert fake_telegram.sent_texts(PERSON)[0] == scripts.get("greet", "ky")
    before = len(fake_telegram.sent_texts(PERSON))  # "I need help" may be followed by the safety question
    await _write(line, fake_telegram, "мени Бишкекте камап салышты, тез жардам бериңиз")  # the place: its numbers
    urgent = fake_telegram.sent_texts(PERSON)[before]
    assert "Сиз жалгыз эмессиз" in urgent and "Кыргызстан: 112; өрт өчүрүүчүлөр 101; милиция 102; тез жардам 103." in urgent
    assert _alerted(fake_telegram) == {AIBEK}


async def test_tajik_on_telegram_is_answered_in_tajik_and_widens_to_russian_speakers(line, fake_telegram) -> None:
    scripts = line.services.scripts
    await _write(line, fake_telegram, "Ассалому алейкум, ба ман ёрӣ лозим")
    assert fake_telegram.sent_texts(PERSON)[0] == scripts.get("greet", "tg")
    await _write(line, fake_telegram, "маро дар Душанбе дар хона қуфл карданд, ёрӣ диҳед")
    assert "Тоҷикистон: 112; сӯхторнишонӣ 101; милитсия 102; ёрии таъҷилӣ 103" in fake_telegram.sent_texts(PERSON)[1]
    assert _alerted(fake_telegram) == {AIBEK, OLGA}  # nobody speaks Tajik: the Russian speakers, not the Uzbek-only one
    alert = next(c["text"] for c in fake_telegram.calls_for("sendMessage") if int(c["chat_id"]) == OLGA)
    assert "(tg," in alert and str(PERSON) not in alert


def test_the_web_chat_offers_both_languages_and_answers_in_the_one_chosen(channel_settings) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    asyncio.new_event_loop().run_until_complete(seed_database(channel_settings.database_url))
    app = create_app(channel_settings)
    with TestClient(app) as http:
        page = http.get("/chat").text
        assert '<option value="ky">Кыргызча</option>' in page and '<option value="tg">Тоҷикӣ</option>' in page
        script = http.get("/chat/chat.js").text  # the chrome's words live in the page's script file (strict CSP)
        assert "Анонимдүү чат" in script and "Чати беном" in script
        services = app.state.container
        scripts = services.scripts

        def answer(frame: dict) -> dict:
            ws.send_text(json.dumps(frame))
            ws.send_text("[]")  # its error answer means the frame before it was handled
            assert json.loads(ws.receive_text())["type"] == "error"
            http.portal.call(services.jobs.drain)  # type: ignore[union-attr]  # the outbox sends the reply now
            return json.loads(ws.receive_text())

        for lang, text, key in (("ky", "Саламатсызбы, мага жардам керек", "greet"),
                                ("tg", "Ассалому алейкум, ба ман ёрӣ лозим", "greet")):
            with http.websocket_connect("/chat/ws") as ws:
                assert json.loads(ws.receive_text())["type"] == "session"
                assert answer({"type": "command", "command": f"lang:{lang}", "lang": lang})["text"] == scripts.get(
                    "language_set", lang)
                reply = answer({"type": "message", "id": "m1", "text": text, "lang": lang})
                assert reply["text"] == scripts.get(key, lang), lang


async def test_the_phone_line_offers_kyrgyz_and_tajik_on_keys_4_and_5_with_keypad_menus(client) -> None:  # type: ignore[no-untyped-def]
    from tests.app.channels.test_twilio import CALLER, post_signed

    first = await post_signed(client, "/webhooks/twilio/voice", {"CallSid": "CA9", "From": CALLER})
    said = " ".join(x.text or "" for x in ET.fromstring(first.text).iter("Say"))
    assert "Для кыргызского нажмите 4" in said and "Для таджикского нажмите 5" in said
    for digit in ("4", "5"):
        chosen = await post_signed(client, "/webhooks/twilio/voice/language", {"CallSid": "CA9", "From": CALLER, "Digits": digit})
        menu = ET.fromstring(chosen.text).find("Gather")
        assert menu is not None and menu.get("input") == "dtmf"  # Twilio has no Kyrgyz or Tajik speech recognition
        assert menu.find("Say") is not None and menu.find("Say").get("language") == "ru-RU"  # until recordings are uploaded
