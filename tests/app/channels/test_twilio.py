"""SMS and voice end to end: signed webhooks in, the real twilio client out to the fake REST API."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sqlalchemy import func, select

from app.platform.models import InboundDelivery, OutboxItem
from tests.fakes.twilio_api import DEFAULT_AUTH_TOKEN, FakeTwilioAPI, signed_form

BASE = "https://helpline.example.org"
CALLER = "+998901234567"


async def post_signed(client, path: str, params: dict[str, str], token: str = DEFAULT_AUTH_TOKEN):  # type: ignore[no-untyped-def]
    headers, form = signed_form(token, BASE + path, params)
    return await client.post(path, data=form, headers=headers)


async def test_sms_in_gives_a_messages_json_call_at_twilio(client, fake_twilio: FakeTwilioAPI) -> None:
    response = await post_signed(client, "/webhooks/twilio/sms", {"From": CALLER, "To": "+77170000000",
                                                                   "MessageSid": "SM1", "Body": "salom"})  # fmt: skip
    assert response.status_code == 200 and "<Response" in response.text
    await client.services.jobs.drain()
    sent = fake_twilio.sent_sms(CALLER)
    assert len(sent) == 1 and sent[0]["From"] == "+77170000000"
    assert sent[0]["StatusCallback"].endswith("/webhooks/twilio/status")


async def test_bad_signature_is_refused_and_nothing_is_sent(client, fake_twilio: FakeTwilioAPI) -> None:
    response = await post_signed(client, "/webhooks/twilio/sms", {"From": CALLER, "MessageSid": "SM2", "Body": "hi"},
                                 token="wrong-token")  # fmt: skip
    assert response.status_code == 403
    unsigned = await client.post("/webhooks/twilio/sms", data={"From": CALLER, "MessageSid": "SM3", "Body": "hi"})
    assert unsigned.status_code == 403
    await client.services.jobs.drain()
    async with client.services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(InboundDelivery)) == 0
    assert fake_twilio.sent_sms() == []


async def test_sms_retried_by_twilio_is_answered_once(client, fake_twilio: FakeTwilioAPI) -> None:
    params = {"From": CALLER, "MessageSid": "SM4", "Body": "salom"}
    await post_signed(client, "/webhooks/twilio/sms", params)
    await post_signed(client, "/webhooks/twilio/sms", params)
    await client.services.jobs.drain()
    assert len(fake_twilio.sent_sms(CALLER)) == 1


async def test_failed_delivery_status_is_recorded_as_a_dead_letter(client, fake_twilio: FakeTwilioAPI) -> None:
    await post_signed(client, "/webhooks/twilio/sms", {"From": CALLER, "MessageSid": "SM5", "Body": "salom"})
    await client.services.jobs.drain()
    sid = fake_twilio.sent_sms(CALLER)[0]
    async with client.services.sessionmaker() as session:
        item = await session.scalar(select(OutboxItem))
    response = await post_signed(client, "/webhooks/twilio/status", {"MessageSid": item.provider_ref,
                                                                      "MessageStatus": "undelivered", "ErrorCode": "30003"})  # fmt: skip
    assert response.status_code == 204 and sid
    async with client.services.sessionmaker() as session:
        item = await session.scalar(select(OutboxItem))
    assert item.status == "dead" and "30003" in item.last_error


async def test_call_in_gets_twiml_with_a_gather(client) -> None:
    response = await post_signed(client, "/webhooks/twilio/voice", {"CallSid": "CA1", "From": CALLER, "To": "+77170000000"})
    assert response.status_code == 200
    root = ET.fromstring(response.text)
    gather = root.find("Gather")
    assert gather is not None and gather.get("numDigits") == "1"
    chosen = await post_signed(client, "/webhooks/twilio/voice/language", {"CallSid": "CA1", "From": CALLER, "Digits": "3"})
    menu = ET.fromstring(chosen.text).find("Gather")
    assert menu is not None and menu.get("language") == "uz-UZ" and "speech" in menu.get("input", "")


async def test_kazakh_callers_get_keypad_only(client) -> None:
    await post_signed(client, "/webhooks/twilio/voice", {"CallSid": "CA2", "From": "+77011112233"})
    chosen = await post_signed(client, "/webhooks/twilio/voice/language", {"CallSid": "CA2", "From": "+77011112233", "Digits": "2"})
    menu = ET.fromstring(chosen.text).find("Gather")
    assert menu is not None and menu.get("input") == "dtmf"


async def test_caller_pressing_zero_with_nobody_on_call_leaves_a_voicemail_that_is_urgent(client) -> None:
    from app.platform.models import Case

    await post_signed(client, "/webhooks/twilio/voice", {"CallSid": "CA3", "From": CALLER})
    await post_signed(client, "/webhooks/twilio/voice/language", {"CallSid": "CA3", "From": CALLER, "Digits": "1"})
    zero = await post_signed(client, "/webhooks/twilio/voice/menu?lang=ru&n=0", {"CallSid": "CA3", "From": CALLER, "Digits": "0"})
    assert ET.fromstring(zero.text).find("Record") is not None
    recorded = await post_signed(client, "/webhooks/twilio/voice/recording?lang=ru",
                                 {"CallSid": "CA3", "From": CALLER, "RecordingUrl": "https://api.twilio.com/rec/RE1",
                                  "RecordingDuration": "42"})  # fmt: skip
    assert recorded.status_code == 200
    async with client.services.sessionmaker() as session:
        case = await session.scalar(select(Case))
    assert case.urgent and case.channel == "voice"
