"""A command typed as text works the same on every text channel: Telegram, the web chat box, SMS."""

from __future__ import annotations

import json

import pytest

from bots.messages import OutboundMessage, typed_command
from bots.telegram import parse_update
from bots.twilio_sms import parse_sms
from bots.webchat import parse_frame, render_frame
from tests.fakes.telegram_api import FakeTelegramAPI


@pytest.mark.parametrize(
    ("text", "command"),
    [("/safeword olma", "safeword:olma"), ("/SafeWord   Алма  ", "safeword:Алма"), ("/safeword", "safeword"),
     ("/erase@helpline_bot", "erase"), ("/start deep-link-payload", "start"), ("/lang kk", "lang:kk"),
     ("/weather", None), ("safeword olma", None), ("помогите /erase", None), ("/", None)],
)  # fmt: skip
def test_typed_command(text: str, command: str | None) -> None:
    assert typed_command(text) == command


def test_a_typed_argument_is_bounded() -> None:
    command = typed_command("/safeword " + "я" * 500)
    assert command is not None and len(command) <= len("safeword:") + 64


def test_safeword_typed_in_the_web_chat_box_is_a_command() -> None:
    msg = parse_frame(json.dumps({"type": "message", "text": "/safeword Олма", "id": "c9"}), "s")
    assert msg.command == "safeword:Олма" and msg.text == ""


def test_safeword_on_telegram_keeps_its_word() -> None:
    update = FakeTelegramAPI().make_text_update(1, "/safeword алма")  # only its update builder, no server
    msg = parse_update(json.dumps(update).encode()).inbound
    assert msg is not None and msg.command == "safeword:алма" and msg.text == ""


@pytest.mark.parametrize(("body", "command", "text"),
                         [("SAFEWORD olma", "safeword:olma", ""), ("/safeword olma", "safeword:olma", ""),
                          ("help me they took my passport", None, "help me they took my passport"),
                          ("/erase", "erase", ""), ("STOP", "stop", "")])  # fmt: skip
def test_sms_commands(body: str, command: str | None, text: str) -> None:
    msg = parse_sms({"From": "+998901234567", "MessageSid": "SM1", "Body": body})
    assert (msg.command, msg.text) == (command, text)


def test_web_chat_frame_names_the_reply_language() -> None:
    frame = json.loads(render_frame(OutboundMessage(channel="webchat", address="s", text="Сәлем", extra={"lang": "kk"}), "w1"))
    assert frame == {"type": "message", "id": "w1", "text": "Сәлем", "lang": "kk"}
    assert "lang" not in json.loads(render_frame(OutboundMessage(channel="webchat", address="s", text="hi"), "w2"))


def test_erase_frame_clears_the_whole_page() -> None:
    assert json.loads(render_frame(OutboundMessage(channel="webchat", address="s", action="delete"))) == {"type": "delete", "ids": []}
