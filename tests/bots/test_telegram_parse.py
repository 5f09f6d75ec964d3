"""Telegram webhook bodies become InboundMessages; anything else is refused with a clear status."""

from __future__ import annotations

import json

import pytest

from bots.errors import InvalidRequest
from bots.telegram import parse_update, verify_secret
from tests.fakes.telegram_api import FakeTelegramAPI


@pytest.fixture
def tg() -> FakeTelegramAPI:
    return FakeTelegramAPI()  # only its update builders, no server


def body(update: dict) -> bytes:
    return json.dumps(update).encode()


def test_text_message_becomes_inbound_text(tg: FakeTelegramAPI) -> None:
    update = tg.make_text_update(4242, "Мне нужна помощь", update_id=77, language_code="kk")
    parsed = parse_update(body(update))
    msg = parsed.inbound
    assert parsed.update_id == 77 and msg is not None
    assert (msg.channel, msg.external_id, msg.external_message_id) == ("telegram", "4242", "tg:77")
    assert msg.text == "Мне нужна помощь" and msg.command is None
    assert msg.chat_message_id == str(update["message"]["message_id"])
    assert msg.language_hint == "kk" and msg.received_at is not None


@pytest.mark.parametrize(
    ("text", "command"),
    [("/start", "start"), ("/language", "language"), ("/help@helpline_test_bot", "help"),
     ("/human", "human"), ("/erase", "erase"), ("/START payload", "start")],
)  # fmt: skip
def test_known_commands_become_command(tg: FakeTelegramAPI, text: str, command: str) -> None:
    msg = parse_update(body(tg.make_text_update(1, text))).inbound
    assert msg is not None and msg.command == command and msg.text == ""


def test_unknown_slash_command_stays_text(tg: FakeTelegramAPI) -> None:
    msg = parse_update(body(tg.make_text_update(1, "/weather"))).inbound
    assert msg is not None and msg.command is None and msg.text == "/weather"


# The adapter passes on anything shaped like a language code; the app decides whether it speaks it.
@pytest.mark.parametrize(("code", "hint"), [("ru", "ru"), ("ky", "ky"), ("en-GB", "en"), ("de", "de"), ("x1", None),
                                            (None, None)])  # fmt: skip
def test_language_hint_is_passed_on_when_shaped_like_a_code(tg: FakeTelegramAPI, code: str | None, hint: str | None) -> None:
    msg = parse_update(body(tg.make_text_update(1, "hi", language_code=code))).inbound
    assert msg is not None and msg.language_hint == hint


@pytest.mark.parametrize("data", ["lang:kk", "erase:yes", "erase:no", "take:K7Q2:3", "decline:K7Q2:3"])
def test_callback_data_becomes_command_with_answerable_query(tg: FakeTelegramAPI, data: str) -> None:
    parsed = parse_update(body(tg.make_callback_update(555, data, message_id=31, update_id=9)))
    assert parsed.callback_query_id and parsed.chat_id == "555" and parsed.callback_message_id == "31"
    msg = parsed.inbound
    assert msg is not None and msg.command == data and msg.external_id == "555"
    assert msg.external_message_id == "tg:9" and msg.text == ""


def test_location_becomes_location_attachment(tg: FakeTelegramAPI) -> None:
    msg = parse_update(body(tg.make_location_update(3, 43.2389, 76.8897))).inbound
    assert msg is not None
    (att,) = msg.attachments
    assert (att.kind, att.latitude, att.longitude) == ("location", 43.2389, 76.8897)


def test_photo_becomes_metadata_of_largest_size_with_caption_as_text(tg: FakeTelegramAPI) -> None:
    msg = parse_update(body(tg.make_photo_update(3, caption="мой паспорт", file_size=99_000))).inbound
    assert msg is not None and msg.text == "мой паспорт"
    (att,) = msg.attachments
    assert (att.kind, att.mime_type, att.size, att.ref) == ("photo", "image/jpeg", 99_000, "big3")


@pytest.mark.parametrize(
    ("field", "media", "kind"),
    [("voice", {"duration": 3, "mime_type": "audio/ogg"}, "voice"),
     ("document", {"mime_type": "application/pdf", "file_name": "x.pdf"}, "document"),
     ("audio", {"duration": 3, "mime_type": "audio/mpeg"}, "audio"),
     ("video", {"duration": 3, "width": 1, "height": 1, "mime_type": "video/mp4"}, "video"),
     ("sticker", {"type": "regular", "width": 1, "height": 1, "is_animated": False, "is_video": False}, "sticker")],
)  # fmt: skip
def test_media_become_attachment_metadata(tg: FakeTelegramAPI, field: str, media: dict, kind: str) -> None:
    update = tg.make_text_update(8, "x")
    del update["message"]["text"]
    update["message"][field] = {"file_id": "F1", "file_unique_id": "U1", "file_size": 2048, **media}
    msg = parse_update(body(update)).inbound
    assert msg is not None and msg.text == ""
    (att,) = msg.attachments
    assert (att.kind, att.size, att.ref) == (kind, 2048, "F1")


def test_group_messages_are_ignored(tg: FakeTelegramAPI) -> None:
    update = tg.make_text_update(-100123, "hello all")
    update["message"]["chat"]["type"] = "supergroup"
    parsed = parse_update(body(update))
    assert parsed.inbound is None and parsed.update_id == update["update_id"]


def test_update_of_other_kind_has_no_inbound() -> None:
    assert parse_update(b'{"update_id": 5, "poll": null}').inbound is None


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b'{"message": {}}', b'{"update_id": "x"}',
                                 b"\xff\xfe"])  # fmt: skip
def test_malformed_bodies_are_refused_with_400(raw: bytes) -> None:
    with pytest.raises(InvalidRequest) as err:
        parse_update(raw)
    assert err.value.status == 400


def test_oversized_body_is_refused_with_413() -> None:
    with pytest.raises(InvalidRequest) as err:
        parse_update(b" " * 300_000)
    assert err.value.status == 413


def test_secret_token_must_match() -> None:
    verify_secret("s3cret-value", "s3cret-value")
    for wrong in (None, "", "s3cret-valuX", "s3cret"):
        with pytest.raises(InvalidRequest) as err:
            verify_secret(wrong, "s3cret-value")
        assert err.value.status == 403


def test_empty_expected_secret_never_matches() -> None:
    with pytest.raises(InvalidRequest):
        verify_secret("", "")
