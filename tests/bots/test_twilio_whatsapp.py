"""WhatsApp over Twilio: forms translated without the profile, sends through the real twilio Client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bots.errors import InvalidRequest
from bots.messages import Button, OutboundMessage, SendError
from bots.twilio_whatsapp import TwilioWhatsApp, WhatsAppSender, parse_whatsapp
from bots.whatsapp_text import MAX_BODY, option_commands, with_options
from tests.fakes.twilio_api import FakeTwilioAPI

SENDER = "whatsapp:+77170000001"
PERSON = "whatsapp:+77011234567"
TEMPLATES = {"ru": "HX" + "a" * 32, "kk": "HX" + "b" * 32}
CALLBACK = "https://help.example/webhooks/twilio/status"


def form(**fields: str) -> dict[str, str]:
    return {"From": PERSON, "To": SENDER, "MessageSid": "SM" + "1" * 32, "ProfileName": "Гульжан", "WaId": "77011234567",
            "NumMedia": "0", **fields}  # fmt: skip


@pytest.fixture
async def sender(fake_twilio: FakeTwilioAPI) -> AsyncIterator[WhatsAppSender]:
    provider = TwilioWhatsApp(fake_twilio.account_sid, fake_twilio.auth_token, SENDER, fake_twilio.base_url, timeout=2)
    wa = WhatsAppSender(provider, TEMPLATES, CALLBACK)
    yield wa
    await wa.close()


def test_text_keeps_the_address_and_drops_the_profile_name_and_wa_id() -> None:
    inbound = parse_whatsapp(form(Body=" Сәлем "))
    assert (inbound.channel, inbound.external_id, inbound.text) == ("whatsapp", PERSON, "Сәлем")
    assert inbound.external_message_id == "whatsapp:SM" + "1" * 32
    assert "Гульжан" not in repr(inbound) and repr(inbound).count("77011234567") == 1


def test_button_payload_becomes_the_command_and_a_foreign_payload_is_refused() -> None:
    assert parse_whatsapp(form(ButtonText="Да", ButtonPayload="erase:yes")).command == "erase:yes"
    with pytest.raises(InvalidRequest) as refused:
        parse_whatsapp(form(ButtonPayload="<script>"))
    assert refused.value.status == 400


def test_location_keeps_the_point_only_and_bad_coordinates_are_refused() -> None:
    (where,) = parse_whatsapp(form(Latitude="43.2389", Longitude="76.8897", Address="ул. Абая 1", Label="Дом")).attachments
    assert (where.kind, where.latitude, where.longitude, where.ref) == ("location", 43.2389, 76.8897, None)
    with pytest.raises(InvalidRequest):
        parse_whatsapp(form(Latitude="91", Longitude="0"))


def test_media_is_described_by_kind_and_never_referenced() -> None:
    inbound = parse_whatsapp(form(NumMedia="2", MediaContentType0="audio/ogg", MediaUrl0="https://api.twilio.com/ME1",
                                  MediaContentType1="application/pdf", MediaUrl1="https://api.twilio.com/ME2"))  # fmt: skip
    assert [(a.kind, a.ref) for a in inbound.attachments] == [("voice", None), ("document", None)]


def test_stop_is_the_opt_out_command_and_an_sms_address_is_refused() -> None:
    assert parse_whatsapp(form(Body="СТОП")).command == "stop"
    with pytest.raises(InvalidRequest):
        parse_whatsapp(form(From="+77011234567", Body="hi"))


def test_buttons_become_numbered_lines_that_map_back_to_their_commands() -> None:
    buttons = ((Button("Да", "erase:yes"), Button("Нет", "erase:no")),)
    assert with_options("Удалить всё?", buttons) == "Удалить всё?\n\n1 — Да\n2 — Нет"
    assert option_commands(buttons) == {"1": "erase:yes", "2": "erase:no"}
    assert len(with_options("я" * 5000, buttons)) == MAX_BODY


async def test_reply_goes_from_the_whatsapp_sender_with_the_status_callback(fake_twilio, sender) -> None:
    result = await sender.send(OutboundMessage(channel="whatsapp", address=PERSON, text="Сәлем"))
    (params,) = fake_twilio.sent_whatsapp(PERSON)
    assert params == {"To": PERSON, "From": SENDER, "Body": "Сәлем", "StatusCallback": CALLBACK}
    assert result.external_message_id and result.external_message_id.startswith("SM")


async def test_a_closed_window_sends_the_language_template_and_falls_back_to_russian(fake_twilio, sender) -> None:
    for lang in ("kk", "uz"):
        await sender.send(OutboundMessage(channel="whatsapp", address=PERSON, extra={"template": "new_message",
                                                                                     "language": lang}))  # fmt: skip
    assert [(p.get("ContentSid"), p.get("Body")) for p in fake_twilio.sent_whatsapp(PERSON)] == [
        (TEMPLATES["kk"], None), (TEMPLATES["ru"], None)]


async def test_no_template_configured_is_a_dead_letter_not_a_free_form_message(fake_twilio) -> None:
    provider = TwilioWhatsApp(fake_twilio.account_sid, fake_twilio.auth_token, SENDER, fake_twilio.base_url, timeout=2)
    bare = WhatsAppSender(provider, {})
    try:
        with pytest.raises(SendError) as failed:
            await bare.send(OutboundMessage(channel="whatsapp", address=PERSON, extra={"template": "new_message"}))
    finally:
        await bare.close()
    assert not failed.value.retryable and fake_twilio.sent_whatsapp() == []


async def test_rate_limit_is_retried_after_what_twilio_asks(fake_twilio, sender) -> None:
    fake_twilio.fail_next("messages.create", 429, retry_after=7)
    with pytest.raises(SendError) as limited:
        await sender.send(OutboundMessage(channel="whatsapp", address=PERSON, text="Сәлем"))
    assert limited.value.retryable and limited.value.retry_after == 7.0


async def test_whatsapp_cannot_delete_or_edit(sender) -> None:
    with pytest.raises(SendError) as refused:
        await sender.send(OutboundMessage(channel="whatsapp", address=PERSON, action="delete", target_message_ids=("SM1",)))
    assert not refused.value.retryable


async def test_buttons_with_a_quick_reply_template_go_as_that_template_else_as_numbers(fake_twilio) -> None:
    provider = TwilioWhatsApp(fake_twilio.account_sid, fake_twilio.auth_token, SENDER, fake_twilio.base_url, timeout=2)
    quick = WhatsAppSender(provider, TEMPLATES, button_templates={"erase:kk": "HX" + "e" * 32})
    confirm = ((Button("Иә", "erase:yes"), Button("Жоқ", "erase:no")),)
    try:
        await quick.send(OutboundMessage(channel="whatsapp", address=PERSON, text="Бәрін өшіру керек пе?", buttons=confirm,
                                         extra={"language": "kk"}))  # fmt: skip
        await quick.send(OutboundMessage(channel="whatsapp", address=PERSON, text="Удалить всё?", buttons=confirm,
                                         extra={"language": "ru"}))  # fmt: skip
    finally:
        await quick.close()
    templated, numbered = fake_twilio.sent_whatsapp(PERSON)
    assert templated["ContentSid"] == "HX" + "e" * 32 and "Body" not in templated
    assert json.loads(templated["ContentVariables"]) == {"1": "Бәрін өшіру керек пе?"}
    assert numbered["Body"] == "Удалить всё?\n\n1 — Иә\n2 — Жоқ"
