"""Fuzz targets: every webhook parser in bots/ either returns a value or raises InvalidRequest, and the
NLU normaliser takes any text; nothing else ever escapes (a stray exception is a 500 and a provider retry storm)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bots.errors import InvalidRequest
from bots.telegram import parse_update
from bots.twilio_sms import parse_sms, parse_status_callback
from bots.twilio_voice import parse_call_status, parse_voice
from bots.twilio_whatsapp import parse_whatsapp
from bots.webchat import parse_frame

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
text = st.text(st.characters(codec=None), max_size=300)  # lone surrogates, NUL, RTL marks and all
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=5),
                           max_leaves=20)  # fmt: skip
FIELDS = ["From", "To", "Body", "MessageSid", "SmsSid", "AccountSid", "NumMedia", "MediaUrl0", "MediaContentType0",
          "CallSid", "CallStatus", "Digits", "SpeechResult", "MessageStatus", "ErrorCode", "RecordingUrl",
          "ButtonPayload", "ButtonText", "Latitude", "Longitude", "ProfileName", "WaId"]  # fmt: skip
forms = st.dictionaries(st.sampled_from(FIELDS) | text, text, max_size=8)


def telegram_like() -> st.SearchStrategy[dict]:
    user = st.fixed_dictionaries({"id": st.integers(), "is_bot": st.booleans(), "first_name": text},
                                 optional={"language_code": text})  # fmt: skip
    chat = st.fixed_dictionaries({"id": st.integers(), "type": st.sampled_from(["private", "group", "channel", "x"])})
    message = st.fixed_dictionaries({"message_id": st.integers(), "date": st.integers(), "chat": chat},
                                    optional={"text": text, "from": user, "caption": text, "location": json_values,
                                              "photo": json_values, "voice": json_values})  # fmt: skip
    callback = st.fixed_dictionaries({"id": text, "from": user, "chat_instance": text},
                                     optional={"data": text, "message": message})  # fmt: skip
    return st.fixed_dictionaries({"update_id": st.integers()},
                                 optional={"message": message, "callback_query": callback, "edited_message": message})


def never_raises_other(parse, *args) -> None:  # type: ignore[no-untyped-def]
    try:
        parse(*args)
    except InvalidRequest:
        pass


@FAST
@given(st.binary(max_size=600) | json_values.map(lambda v: json.dumps(v).encode()))
def test_telegram_parser_refuses_garbage_cleanly(body: bytes) -> None:
    never_raises_other(parse_update, body)


@FAST
@given(telegram_like())
def test_telegram_parser_handles_update_shaped_input(update: dict) -> None:
    never_raises_other(parse_update, json.dumps(update).encode("utf-8", "surrogatepass"))


@FAST
@given(st.binary(max_size=600) | text | json_values.map(json.dumps), st.text(min_size=16, max_size=64))
def test_web_chat_frames_are_parsed_or_refused(frame, session: str) -> None:  # type: ignore[no-untyped-def]
    never_raises_other(parse_frame, frame, session)


@FAST
@given(forms)
def test_twilio_forms_are_parsed_or_refused(form: dict[str, str]) -> None:
    for parse in (parse_sms, parse_status_callback, parse_call_status, parse_whatsapp):
        never_raises_other(parse, form)
    for step in (None, "language", "menu", "x"):
        never_raises_other(parse_voice, form, step)


@FAST
@given(forms)
def test_whatsapp_forms_from_a_whatsapp_address_are_parsed_or_refused(form: dict[str, str]) -> None:
    never_raises_other(parse_whatsapp, {**form, "From": "whatsapp:+77011234567"})


@FAST
@given(text)
def test_the_normaliser_takes_any_text(value: str) -> None:
    normalize = pytest.importorskip("nlu.normalize").normalize
    assert isinstance(normalize(value), str)
