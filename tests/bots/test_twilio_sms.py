"""SMS: Twilio webhooks are verified and translated; the real twilio Client sends via the loopback API."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from bots.errors import InvalidRequest
from bots.logging import silence_third_party_loggers
from bots.messages import OutboundMessage, SendError
from bots.sms_text import fit_sms, sms_segments  # fmt: skip
from bots.twilio_rest import RebasedHttpClient
from bots.twilio_sms import TwilioSMSSender, parse_sms, parse_status_callback, verify_twilio_signature
from tests.fakes.twilio_api import FakeTwilioAPI, signed_form

HOTLINE = "+77270000000"
PERSON = "+77011234567"
WEBHOOK = "https://help.example/twilio/sms?x=1"


@pytest.fixture
async def sms(fake_twilio: FakeTwilioAPI) -> AsyncIterator[TwilioSMSSender]:
    sender = TwilioSMSSender(fake_twilio.account_sid, fake_twilio.auth_token, HOTLINE, fake_twilio.base_url,
                             "https://help.example/twilio/status", timeout=2)  # fmt: skip
    yield sender
    await sender.close()


def text(body: str, **kw: object) -> OutboundMessage:
    return OutboundMessage(channel="sms", address=PERSON, text=body, **kw)  # type: ignore[arg-type]


async def test_send_creates_message_with_hotline_sender_and_status_callback(fake_twilio, sms) -> None:
    result = await sms.send(text("Вы не одни. Ответьте, когда сможете."))
    (params,) = fake_twilio.sent_sms(PERSON)
    assert params == {"To": PERSON, "From": HOTLINE, "Body": "Вы не одни. Ответьте, когда сможете.",
                      "StatusCallback": "https://help.example/twilio/status"}  # fmt: skip
    assert result.external_message_id is not None and result.external_message_id.startswith("SM")


async def test_message_status_callback_overrides_default(fake_twilio, sms) -> None:
    await sms.send(text("hi", status_callback="https://help.example/cb/2"))
    assert fake_twilio.sent_sms()[0]["StatusCallback"] == "https://help.example/cb/2"


async def test_too_many_requests_is_retryable_after_retry_after(fake_twilio, sms) -> None:
    fake_twilio.fail_next("messages.create", 429, retry_after=12)
    with pytest.raises(SendError) as err:
        await sms.send(text("hi"))
    assert err.value.retryable and err.value.retry_after == 12


async def test_server_error_is_retryable(fake_twilio, sms) -> None:
    fake_twilio.fail_next("messages.create", 503)
    with pytest.raises(SendError) as err:
        await sms.send(text("hi"))
    assert err.value.retryable


async def test_client_error_is_final_and_does_not_quote_the_number(fake_twilio, sms) -> None:
    fake_twilio.fail_next("messages.create", 400, code=21211)
    with pytest.raises(SendError) as err:
        await sms.send(text("hi"))
    assert not err.value.retryable and "21211" in str(err.value) and PERSON not in str(err.value)


async def test_wrong_credentials_are_retried_slowly(fake_twilio) -> None:
    sender = TwilioSMSSender(fake_twilio.account_sid, "wrong", HOTLINE, fake_twilio.base_url)
    try:
        with pytest.raises(SendError) as err:
            await sender.send(text("hi"))
        assert err.value.retryable and err.value.retry_after and err.value.retry_after >= 60
    finally:
        await sender.close()


async def test_timeout_is_retryable(fake_twilio) -> None:
    sender = TwilioSMSSender(fake_twilio.account_sid, fake_twilio.auth_token, HOTLINE, fake_twilio.base_url,
                             timeout=0.3)  # fmt: skip
    fake_twilio.delay(1.0)
    try:
        with pytest.raises(SendError) as err:
            await sender.send(text("hi"))
        assert err.value.retryable
    finally:
        fake_twilio.delay(0)
        await sender.close()


async def test_alert_call_rings_operator_from_hotline_and_hangup_ends_it(fake_twilio, sms) -> None:
    sid = await sms.call("+77015550000", twiml_url="https://help.example/twilio/voice/alert?case=K7Q2")
    (params,) = fake_twilio.calls_for("calls.create")
    assert params["To"] == "+77015550000" and params["From"] == HOTLINE
    assert params["Url"] == "https://help.example/twilio/voice/alert?case=K7Q2"
    await sms.hangup(sid)
    assert fake_twilio.calls_for("calls.update") == [{"Status": "completed"}]
    await sms.hangup(sid)  # already ended: nothing to do, no error


async def test_call_and_hangup_through_outbound_messages(fake_twilio, sms) -> None:
    result = await sms.send(OutboundMessage(channel="voice", address="+77015550000", action="call",
                                            extra={"twiml": "<Response><Say>Срочно</Say></Response>"}))  # fmt: skip
    assert result.external_message_id and result.external_message_id.startswith("CA")
    assert fake_twilio.calls_for("calls.create")[0]["Twiml"].startswith("<Response>")
    await sms.send(OutboundMessage(channel="voice", address="", action="hangup",
                                   target_message_ids=(result.external_message_id,)))  # fmt: skip
    assert len(fake_twilio.calls_for("calls.update")) == 1


def test_valid_twilio_signature_passes() -> None:
    headers, form = signed_form("tok", WEBHOOK, {"From": PERSON, "Body": "Помогите", "MessageSid": "SM1"})
    verify_twilio_signature("tok", WEBHOOK, form, headers["X-Twilio-Signature"])


@pytest.mark.parametrize("case", ["missing", "other_token", "tampered_form", "other_url"])
def test_invalid_twilio_signature_is_refused_with_403(case: str) -> None:
    headers, form = signed_form("tok", WEBHOOK, {"From": PERSON, "Body": "Помогите", "MessageSid": "SM1"})
    signature: str | None = headers["X-Twilio-Signature"]
    token, url = "tok", WEBHOOK
    if case == "missing":
        signature = None
    elif case == "other_token":
        token = "other"
    elif case == "tampered_form":
        form["Body"] = "changed"
    else:
        url = "https://evil.example/twilio/sms?x=1"
    with pytest.raises(InvalidRequest) as err:
        verify_twilio_signature(token, url, form, signature)
    assert err.value.status == 403


def sms_form(body: str, **extra: str) -> dict[str, str]:
    return {"From": PERSON, "To": HOTLINE, "MessageSid": "SMabc", "Body": body, "NumMedia": "0", **extra}


def test_incoming_sms_becomes_inbound_text() -> None:
    msg = parse_sms(sms_form("  Меня не отпускают домой  "))
    assert (msg.channel, msg.external_id, msg.external_message_id) == ("sms", PERSON, "sms:SMabc")
    assert msg.text == "Меня не отпускают домой" and msg.command is None


@pytest.mark.parametrize(
    ("body", "command"),
    [("STOP", "stop"), ("stop", "stop"), ("СТОП", "stop"), ("стоп.", "stop"), ("TOXTA", "stop"),
     ("STOPALL", "stop"), ("Unsubscribe", "stop"), ("START", "start"), ("СТАРТ", "start"),
     ("UNSTOP", "start"), ("BOSHLASH", "start"), ("HELP", "help")],
)  # fmt: skip
def test_keywords_become_commands(body: str, command: str) -> None:
    msg = parse_sms(sms_form(body))
    assert msg.command == command and msg.text == ""


def test_keyword_inside_a_sentence_is_just_text() -> None:
    msg = parse_sms(sms_form("stop he is hurting me"))
    assert msg.command is None and msg.text == "stop he is hurting me"


def test_mms_media_become_attachment_metadata() -> None:
    msg = parse_sms(sms_form("фото", NumMedia="2", MediaContentType0="image/jpeg", MediaUrl0="https://m/0",
                             MediaContentType1="audio/amr", MediaUrl1="https://m/1"))  # fmt: skip
    assert [(a.kind, a.mime_type, a.ref) for a in msg.attachments] == [
        ("photo", "image/jpeg", "https://m/0"), ("audio", "audio/amr", "https://m/1")]  # fmt: skip


@pytest.mark.parametrize("form", [{"Body": "x", "MessageSid": "SM1"}, {"From": PERSON, "Body": "x"},
                                  {"From": PERSON, "MessageSid": "SM1", "NumMedia": "many"}])  # fmt: skip
def test_incomplete_sms_form_is_refused_with_400(form: dict[str, str]) -> None:
    with pytest.raises(InvalidRequest) as err:
        parse_sms(form)
    assert err.value.status == 400


def test_status_callback_is_translated() -> None:
    status = parse_status_callback({"MessageSid": "SM9", "MessageStatus": "undelivered", "ErrorCode": "30003"})
    assert (status.message_sid, status.status, status.error_code) == ("SM9", "undelivered", "30003")
    assert parse_status_callback({"SmsSid": "SM9", "SmsStatus": "delivered"}).error_code is None


@pytest.mark.parametrize(
    ("body", "segments"),
    [("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("[" * 80, 1), ("[" * 81, 2),
     ("я" * 70, 1), ("я" * 71, 2), ("я" * 134, 2), ("я" * 135, 3), ("a" * 159 + "ө", 3)],
)  # fmt: skip
def test_sms_segments_follow_gsm7_and_ucs2_limits(body: str, segments: int) -> None:
    assert sms_segments(body) == segments


def test_fit_sms_keeps_short_text() -> None:
    assert fit_sms("Короткий текст") == "Короткий текст"


def test_fit_sms_cuts_cyrillic_on_a_word_boundary() -> None:
    long_text = " ".join(["помощь"] * 40)
    fitted = fit_sms(long_text, max_segments=2)
    assert fitted.endswith("помощь…") and sms_segments(fitted) <= 2
    assert long_text.startswith(fitted[:-1])


def test_fit_sms_keeps_latin_text_in_gsm7() -> None:
    fitted = fit_sms("Call us any time, day or night. " * 20, max_segments=1)
    assert fitted.endswith("...") and sms_segments(fitted) == 1 and len(fitted) > 140


def test_silencing_stops_library_loggers_that_write_numbers_and_payloads() -> None:
    silence_third_party_loggers()
    for name in ("twilio.http_client", "aiogram.event", "aiogram.dispatcher"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO)


async def test_sending_logs_no_number_or_text(sms, caplog) -> None:
    with caplog.at_level(logging.DEBUG):
        await sms.send(text("Меня держат"))
    assert PERSON not in caplog.text and "Меня держат" not in caplog.text


def test_rebasing_sends_twilio_hosts_to_the_configured_base_only() -> None:
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"
    assert RebasedHttpClient("http://127.0.0.1:8081/tw").rebase(url) == \
        "http://127.0.0.1:8081/tw/2010-04-01/Accounts/AC1/Messages.json"  # fmt: skip
    assert RebasedHttpClient(None).rebase("https://messaging.twilio.com/v1/Services") == \
        "https://messaging.twilio.com/v1/Services"  # fmt: skip
    assert RebasedHttpClient("https://api.twilio.com/").rebase(url) == url
