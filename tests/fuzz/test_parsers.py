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


@FAST
@given(st.binary(max_size=400) | text.map(lambda v: v.encode("utf-8", "surrogatepass")))
def test_signed_cookies_of_any_bytes_are_no_session(raw: bytes) -> None:
    from app.web.tokens import Signer

    signer = Signer("s" * 40)
    token = raw.decode("latin-1")  # how the server hands a cookie header to the app
    assert signer.load("session", token) is None
    assert signer.load("session", token + "." + token) is None


@FAST
@given(st.integers(min_value=0, max_value=6000), st.sampled_from([b"[", b'{"k":']), st.binary(max_size=50))
def test_the_json_body_parser_refuses_any_depth_cleanly(depth: int, opener: bytes, tail: bytes) -> None:
    from bots.jsonbody import MAX_DEPTH, load_json

    closer = b"]" if opener == b"[" else b"}"
    body = opener * depth + b"0" + closer * depth + tail
    try:
        value = load_json(body, max_bytes=64 * 1024)
    except InvalidRequest as exc:
        assert exc.status in (400, 413)
    else:
        assert depth <= MAX_DEPTH and value is not None


@pytest.fixture
def workspace(settings):  # type: ignore[no-untyped-def]
    """The real app over a synchronous client, shared by every example of one test."""
    from starlette.testclient import TestClient

    from app.main import create_app

    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client


def _header_safe(raw: bytes) -> bytes:
    return bytes(b for b in raw if b not in b"\r\n\x00") or b"x"


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.binary(max_size=300) | forms.map(lambda f: "&".join(f"{k}={v}" for k, v in f.items()).encode("utf-8", "surrogatepass")),
       st.binary(max_size=120), st.sampled_from(["/auth/login", "/auth/totp", "/auth/logout", "/console/availability"]))  # fmt: skip
def test_any_form_body_and_cookie_on_the_workspace_is_never_a_500(workspace, body: bytes, cookie: bytes,
                                                                  path: str) -> None:  # type: ignore[no-untyped-def]
    headers = {"content-type": "application/x-www-form-urlencoded",
               "cookie": b"hl_session=" + _header_safe(cookie) + b"; hl_pre=" + _header_safe(cookie[::-1])}  # fmt: skip
    response = workspace.post(path, content=body, headers=headers)
    assert response.status_code < 500, (path, response.status_code)
    page = workspace.get("/console", headers={"cookie": headers["cookie"]})
    assert page.status_code == 401
