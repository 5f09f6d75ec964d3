"""WhatsApp end to end: signed Twilio webhooks in, the real twilio client out to the loopback fake."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from app.oncall import service as oncall
from app.platform.models import Case, Contact, InboundDelivery, Operator, OutboxItem
from app.platform.settings import Settings
from app.statistics.service import compute
from tests.app.channels.conftest import SECRET, running_with_rota
from tests.app.oncall.test_escalations import ROSTER, Clock
from tests.app.privacy.test_service import _dump_database
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import DEFAULT_AUTH_TOKEN, FakeTwilioAPI, signed_form

BASE = "https://helpline.example.org"
SENDER = "whatsapp:+77170000001"
NUMBER = "+77015550123"
PERSON = "whatsapp:" + NUMBER
PROFILE = "Гульжан Сапарова"
TEMPLATES = {"ru": "HX" + "1" * 32, "kk": "HX" + "2" * 32, "uz": "HX" + "3" * 32}
AIGERIM = 5550001
TG_HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
KAZAKH_LETTERS = set("әіңғүұқөһ")


def running(settings: Settings, roster: str = ROSTER) -> AbstractAsyncContextManager[tuple[httpx.AsyncClient, Clock]]:
    """The app with WhatsApp on and the example rota, on a clock the test moves."""
    update = {"whatsapp_sender": SENDER, "whatsapp_templates": TEMPLATES}
    return running_with_rota(settings.model_copy(update=update), roster)


@pytest.fixture
async def world(channel_settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Clock]]:
    async with running(channel_settings) as running_world:
        yield running_world


_sids = iter(range(1, 10_000))


async def whatsapp(client: httpx.AsyncClient, body: str = "", *, sid: str | None = None, token: str = DEFAULT_AUTH_TOKEN,
                   **fields: str) -> httpx.Response:  # fmt: skip
    """Twilio delivering one WhatsApp message from PERSON, signed, then the job loop drained."""
    params = {"From": PERSON, "To": SENDER, "MessageSid": sid or f"SM{next(_sids):032d}", "Body": body,
              "ProfileName": PROFILE, "WaId": NUMBER[1:], "NumMedia": "0", **fields}  # fmt: skip
    headers, form = signed_form(token, BASE + "/webhooks/twilio/whatsapp", params)
    response = await client.post("/webhooks/twilio/whatsapp", data=form, headers=headers)
    await client.services.jobs.drain()  # type: ignore[attr-defined]
    return response


async def deliver_callbacks(client: httpx.AsyncClient, fake: FakeTwilioAPI) -> None:
    for url, params in fake.take_callbacks():
        headers, form = signed_form(DEFAULT_AUTH_TOKEN, url, params)
        assert (await client.post(url.removeprefix(BASE), data=form, headers=headers)).status_code == 204


async def telegram(client: httpx.AsyncClient, body: dict) -> None:
    assert (await client.post("/webhooks/telegram", content=json.dumps(body), headers=TG_HEADERS)).status_code == 200
    await client.services.jobs.drain()  # type: ignore[attr-defined]


def bodies(fake: FakeTwilioAPI) -> list[str]:
    return [p.get("Body", "") for p in fake.sent_whatsapp(PERSON)]


async def test_kazakh_whatsapp_message_gets_a_kazakh_reply_from_the_whatsapp_sender(world, fake_twilio: FakeTwilioAPI) -> None:
    client, _ = world
    response = await whatsapp(client, "Сәлеметсіз бе, жұмыс беруші паспортымды алып қойды")
    assert response.status_code == 200 and "<Response" in response.text
    sent = fake_twilio.sent_whatsapp(PERSON)
    assert sent and all(p["From"] == SENDER and p["To"] == PERSON for p in sent)
    assert set(sent[0]["Body"]) & KAZAKH_LETTERS
    assert sent[0]["StatusCallback"] == BASE + "/webhooks/twilio/status"
    assert fake_twilio.sent_sms(NUMBER) == [], "nothing goes to the same number by SMS"
    async with client.services.sessionmaker() as session:
        case = await session.scalar(select(Case))
    assert case.channel == "whatsapp" and case.language == "kk"


async def test_bad_signature_is_refused_and_nothing_is_stored(world, fake_twilio: FakeTwilioAPI) -> None:
    client, _ = world
    assert (await whatsapp(client, "сәлем", token="wrong-token")).status_code == 403
    unsigned = await client.post("/webhooks/twilio/whatsapp", data={"From": PERSON, "MessageSid": "SM1", "Body": "hi"})
    assert unsigned.status_code == 403
    async with client.services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(InboundDelivery)) == 0
    assert fake_twilio.sent_whatsapp() == []


async def test_malformed_whatsapp_form_is_a_clear_400(world) -> None:
    client, _ = world
    params = {"From": "+77015550123", "MessageSid": "SM9", "Body": "сәлем"}  # an SMS address on the WhatsApp URL
    headers, form = signed_form(DEFAULT_AUTH_TOKEN, BASE + "/webhooks/twilio/whatsapp", params)
    response = await client.post("/webhooks/twilio/whatsapp", data=form, headers=headers)
    assert response.status_code == 400 and "WhatsApp" in response.json()["message"]


async def test_the_same_message_sid_twice_gets_one_reply(world, fake_twilio: FakeTwilioAPI) -> None:
    client, _ = world
    await whatsapp(client, "Здравствуйте", sid="SM" + "7" * 32)
    first = len(fake_twilio.sent_whatsapp(PERSON))
    await whatsapp(client, "Здравствуйте", sid="SM" + "7" * 32)
    assert first >= 1 and len(fake_twilio.sent_whatsapp(PERSON)) == first


async def test_a_typed_number_presses_the_numbered_option(world, fake_twilio: FakeTwilioAPI) -> None:
    client, _ = world
    await whatsapp(client, "Удалите все мои данные")
    offer = bodies(fake_twilio)[-1]
    assert "1 — " in offer and "2 — " in offer
    await whatsapp(client, "2")  # "No": nothing is erased
    async with client.services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Contact)) == 1
    assert bodies(fake_twilio)[-1] == client.services.scripts.get("erase_cancelled", "ru")


async def test_a_quick_reply_button_payload_is_the_same_command(world, fake_twilio: FakeTwilioAPI) -> None:
    client, _ = world
    await whatsapp(client, "", ButtonText="Қазақша", ButtonPayload="lang:kk")
    async with client.services.sessionmaker() as session:
        contact = await session.scalar(select(Contact))
    assert contact.language == "kk"
    assert bodies(fake_twilio)[-1] == client.services.scripts.get("language_set", "kk")


async def test_shared_location_is_attached_to_the_case_encrypted_and_media_gets_an_explanation(
        world, fake_twilio: FakeTwilioAPI) -> None:  # fmt: skip
    client, _ = world
    await whatsapp(client, "", Latitude="43.238949", Longitude="76.889709", Address="ул. Абая 1", MessageType="location")
    async with client.services.sessionmaker() as session:
        case = await session.scalar(select(Case))
        view = await oncall.case_view(session, client.services.oncall, case.alias,
                                      await session.scalar(select(Operator).where(Operator.role == "coordinator")))
    assert view.location == "43.23895,76.88971" and "43.23" not in (case.location_enc or "")
    await whatsapp(client, "", NumMedia="1", MediaContentType0="audio/ogg", MediaUrl0="https://api.twilio.com/m/ME1")
    assert bodies(fake_twilio)[-1] == client.services.scripts.get("attachment_info", "ru")


async def test_stop_silences_whatsapp_until_start(world, fake_twilio: FakeTwilioAPI) -> None:
    client, _ = world
    await whatsapp(client, "STOP")
    stopped = len(bodies(fake_twilio))
    await whatsapp(client, "Здравствуйте, мне нужна помощь")
    assert len(bodies(fake_twilio)) == stopped, "nothing after STOP"
    await whatsapp(client, "START")
    assert len(bodies(fake_twilio)) == stopped + 1


async def test_urgent_message_alerts_the_on_call_operator_and_they_talk_both_ways(
        world, fake_twilio: FakeTwilioAPI, fake_telegram: FakeTelegramAPI) -> None:  # fmt: skip
    client, _ = world
    await whatsapp(client, "Мені қамап қойды, көмектесіңдер, тез")
    alerts = [c for c in fake_telegram.calls_for("sendMessage") if str(c["chat_id"]) == str(AIGERIM)]
    assert len(alerts) == 1 and NUMBER not in alerts[0]["text"] and PROFILE not in alerts[0]["text"]
    markup = alerts[0]["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    take = markup["inline_keyboard"][0][0]["callback_data"]
    await telegram(client, fake_telegram.make_callback_update(AIGERIM, take, message_id=2))
    assert client.services.scripts.get("operator_joined", "kk", alias=take.split(":")[1]) in bodies(fake_twilio)

    await telegram(client, fake_telegram.make_text_update(AIGERIM, "Мен сізбен біргемін. Қазір қайдасыз?"))
    assert bodies(fake_twilio)[-1] == "Мен сізбен біргемін. Қазір қайдасыз?"
    await whatsapp(client, "қойманың жертөлесінде")
    assert any("қойманың жертөлесінде" in t for t in fake_telegram.sent_texts(AIGERIM))


async def _taken_case(client: httpx.AsyncClient, fake_telegram: FakeTelegramAPI) -> str:
    await whatsapp(client, "помогите меня заперли срочно")
    alert = [c for c in fake_telegram.calls_for("sendMessage") if str(c["chat_id"]) == str(AIGERIM)][0]
    markup = alert["reply_markup"]
    take = (json.loads(markup) if isinstance(markup, str) else markup)["inline_keyboard"][0][0]["callback_data"]
    await telegram(client, fake_telegram.make_callback_update(AIGERIM, take, message_id=2))
    return take.split(":")[1]


async def test_operator_reply_25_hours_after_the_last_message_goes_as_the_template(
        world, fake_twilio: FakeTwilioAPI, fake_telegram: FakeTelegramAPI) -> None:  # fmt: skip
    client, clock = world
    alias = await _taken_case(client, fake_telegram)
    clock.advance(25 * 3600)
    async with client.services.sessionmaker() as session:
        aigerim = await session.scalar(select(Operator).where(Operator.login == "aigerim"))
        view = await oncall.case_view(session, client.services.oncall, alias, aigerim)
    assert view.window_closed and view.instead == client.services.scripts.get("whatsapp_new_message", "ru")
    before = len(fake_twilio.sent_whatsapp(PERSON))
    await telegram(client, fake_telegram.make_text_update(AIGERIM, "Вы в безопасности? Напишите, когда сможете."))
    await telegram(client, fake_telegram.make_text_update(AIGERIM, "Я на связи до вечера."))
    sent = fake_twilio.sent_whatsapp(PERSON)[before:]
    assert [p.get("ContentSid") for p in sent] == [TEMPLATES["ru"]]
    assert "Body" not in sent[0], "the operator's words never go outside the window"

    await whatsapp(client, "да, я тут")  # the window opens again: the held words follow
    assert "Вы в безопасности? Напишите, когда сможете." in bodies(fake_twilio)
    assert "Я на связи до вечера." in bodies(fake_twilio)
    async with client.services.sessionmaker() as session:
        view = await oncall.case_view(session, client.services.oncall, alias, aigerim)
    assert not view.window_closed


async def test_whatsapp_refusing_outside_the_window_is_a_dead_letter_coordinators_see(
        world, fake_twilio: FakeTwilioAPI, fake_telegram: FakeTelegramAPI) -> None:  # fmt: skip
    client, clock = world
    await _taken_case(client, fake_telegram)
    await deliver_callbacks(client, fake_twilio)
    fake_twilio.close_window(PERSON)  # WhatsApp counts the window differently than we do
    await telegram(client, fake_telegram.make_text_update(AIGERIM, "Вы здесь?"))
    await deliver_callbacks(client, fake_twilio)
    async with client.services.sessionmaker() as session:
        dead = (await session.scalars(select(OutboxItem).where(OutboxItem.status == "dead"))).all()
        stats = await compute(session, clock().date(), 4)
    assert len(dead) == 1 and dead[0].channel == "whatsapp" and "63016" in (dead[0].last_error or "")
    assert stats.dead_count == 1 and "63016" in stats.dead[0].error


async def test_erase_says_how_to_delete_the_chat_and_leaves_no_number_name_or_text(
        world, fake_twilio: FakeTwilioAPI, caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    client, _ = world
    secret = "Мой работодатель Бекзат Жумабаев забрал паспорт на объекте Шымкентстрой"
    await whatsapp(client, secret)
    await whatsapp(client, "", Latitude="43.238949", Longitude="76.889709")
    await whatsapp(client, "Удалите все мои данные")
    await whatsapp(client, "1")
    scripts = client.services.scripts
    last = bodies(fake_twilio)[-1]
    assert last == scripts.get("erase_done", "ru") + "\n" + scripts.get("whatsapp_delete_chat", "ru")
    assert "помощ" not in scripts.get("whatsapp_delete_chat", "ru").lower()
    dump = await _dump_database(client.services)
    logs = "\n".join(r.getMessage() + json.dumps(r.__dict__, default=str) for r in caplog.records)
    for needle in (NUMBER, NUMBER[1:], PROFILE, "Бекзат", "Жумабаев", "Шымкентстрой", "43.23", "76.88"):
        assert needle.encode() not in dump, f"{needle!r} found in the database"
        assert needle not in logs, f"{needle!r} found in the logs"
    async with client.services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Contact)) == 0


async def test_the_same_number_on_sms_is_another_contact_and_gets_nothing_on_whatsapp(
        world, fake_twilio: FakeTwilioAPI) -> None:  # fmt: skip
    client, _ = world
    await whatsapp(client, "Здравствуйте")
    on_whatsapp = len(fake_twilio.sent_whatsapp(PERSON))
    headers, form = signed_form(DEFAULT_AUTH_TOKEN, BASE + "/webhooks/twilio/sms",
                                {"From": NUMBER, "MessageSid": "SM" + "5" * 32, "Body": "Здравствуйте"})  # fmt: skip
    assert (await client.post("/webhooks/twilio/sms", data=form, headers=headers)).status_code == 200
    await client.services.jobs.drain()
    assert len(fake_twilio.sent_sms(NUMBER)) >= 1
    assert len(fake_twilio.sent_whatsapp(PERSON)) == on_whatsapp
    async with client.services.sessionmaker() as session:
        channels = sorted((await session.scalars(select(Contact.channel))).all())
    assert channels == ["sms", "whatsapp"]
    assert timedelta(hours=24) == client.services.oncall.whatsapp_window


ALERT_TEMPLATE = "HX" + "9" * 32
AIGERIM_PHONE = "+77010000001"  # her number in the example rota


async def test_operator_alerted_on_whatsapp_takes_the_case_by_replying_take(
        channel_settings: Settings, fake_twilio: FakeTwilioAPI) -> None:  # fmt: skip
    settings = channel_settings.model_copy(update={"whatsapp_alert_template": ALERT_TEMPLATE})
    async with running(settings, ROSTER.replace("via: [telegram, sms, console]", "via: [whatsapp, console]")) as (client, _):
        await whatsapp(client, "помогите меня заперли срочно")
        (alert,) = fake_twilio.sent_whatsapp(AIGERIM_PHONE)
        async with client.services.sessionmaker() as session:
            alias = (await session.scalar(select(Case))).alias
        assert alert["ContentSid"] == ALERT_TEMPLATE and json.loads(alert["ContentVariables"]) == {"1": alias, "2": "ru"}

        params = {"From": "whatsapp:" + AIGERIM_PHONE, "To": SENDER, "MessageSid": "SM" + "8" * 32, "Body": f"take {alias}"}
        headers, form = signed_form(DEFAULT_AUTH_TOKEN, BASE + "/webhooks/twilio/whatsapp", params)
        assert (await client.post("/webhooks/twilio/whatsapp", data=form, headers=headers)).status_code == 200
        await client.services.jobs.drain()
        async with client.services.sessionmaker() as session:
            case = await session.scalar(select(Case))
            contacts = await session.scalar(select(func.count()).select_from(Contact))
        assert case.status == "assigned" and contacts == 1, "the operator is not taken for a person"
        assert fake_twilio.sent_whatsapp(AIGERIM_PHONE)[-1]["Body"].startswith(f"Сіз {alias} алдыңыз")
        assert client.services.scripts.get("operator_joined", "ru", alias=alias) in bodies(fake_twilio)
