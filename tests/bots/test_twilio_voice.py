"""Voice: call webhooks become InboundMessages; menus, dialling and voicemail render as TwiML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from bots.errors import InvalidRequest
from bots.twilio_voice import (
    Prompt,
    dial_operators,
    hangup,
    language_for_digit,
    language_menu,
    main_menu,
    operator_whisper,
    parse_call_status,
    parse_voice,
    say_or_play,
    voicemail,
    whisper_result,
)  # fmt: skip

CALLER = "+998901234567"
ACTION = "https://help.example/twilio/voice?step=lang"


def call_form(**extra: str) -> dict[str, str]:
    return {"CallSid": "CA123", "From": CALLER, "To": "+77270000000", "CallStatus": "in-progress", **extra}


def test_first_request_of_a_call_has_the_call_id() -> None:
    msg = parse_voice(call_form())
    assert (msg.channel, msg.external_id, msg.external_message_id) == ("voice", CALLER, "call:CA123")
    assert msg.command is None and msg.text == ""


def test_pressed_digits_become_digit_commands_with_step_scoped_id() -> None:
    msg = parse_voice(call_form(Digits="2"), step="lang")
    assert msg.command == "digits:2" and msg.external_message_id == "call:CA123:lang:2"
    assert language_for_digit("2", {"1": "ru", "2": "kk"}) == "kk" and language_for_digit("7", {"1": "ru"}) is None


def test_speech_becomes_text_with_stable_id() -> None:
    first = parse_voice(call_form(SpeechResult="мне нужна помощь"), step="menu")
    again = parse_voice(call_form(SpeechResult="мне нужна помощь"), step="menu")
    assert first.text == "мне нужна помощь" and first.command is None
    assert first.external_message_id == again.external_message_id
    assert first.external_message_id.startswith("call:CA123:menu:") and "помощь" not in first.external_message_id


def test_recording_becomes_recording_attachment() -> None:
    msg = parse_voice(call_form(RecordingUrl="https://api.twilio.com/rec/RE1", RecordingDuration="42"), step="vm")
    (att,) = msg.attachments
    assert (att.kind, att.ref, att.size) == ("recording", "https://api.twilio.com/rec/RE1", 42)


def test_voice_form_without_call_sid_is_refused() -> None:
    with pytest.raises(InvalidRequest) as err:
        parse_voice({"From": CALLER})
    assert err.value.status == 400


def test_call_status_and_dial_result_are_translated() -> None:
    status = parse_call_status(call_form(CallStatus="completed", CallDuration="65"))
    assert (status.call_sid, status.status, status.duration) == ("CA123", "completed", 65)
    dial = parse_call_status(call_form(DialCallStatus="no-answer"))
    assert dial.status == "no-answer" and dial.duration is None


def xml(twiml: str) -> ET.Element:
    root = ET.fromstring(twiml)
    assert root.tag == "Response"
    return root


PROMPTS = {"ru": Prompt("Для русского нажмите 1"), "kk": Prompt("Қазақ тілі үшін 2", "kk", "https://cdn/kk.mp3"),
           "uz": Prompt("O'zbek tili uchun 3", "uz", "https://cdn/uz.mp3")}  # fmt: skip


def test_language_menu_gathers_one_digit_and_speaks_each_language() -> None:
    root = xml(language_menu(PROMPTS, ACTION))
    gather = root.find("Gather")
    assert gather is not None
    assert (gather.get("input"), gather.get("numDigits"), gather.get("action")) == ("dtmf", "1", ACTION)
    assert [c.tag for c in gather] == ["Say", "Play", "Play"]
    assert gather[0].get("language") == "ru-RU" and gather[1].text == "https://cdn/kk.mp3"
    assert root[-1].tag == "Redirect"


@pytest.mark.parametrize("speech", ["ru-RU", "uz-UZ"])
def test_main_menu_accepts_speech_where_twilio_understands_it(speech: str) -> None:
    gather = xml(main_menu([Prompt("Информация: 1. Оператор: 0.")], ACTION, speech_language=speech)).find("Gather")
    assert gather is not None and gather.get("input") == "dtmf speech" and gather.get("language") == speech


def test_main_menu_without_speech_recognition_is_keys_only() -> None:
    gather = xml(main_menu([PROMPTS["kk"]], ACTION)).find("Gather")
    assert gather is not None and gather.get("input") == "dtmf" and gather.get("language") is None


def test_say_or_play_prefers_recorded_audio() -> None:
    assert xml(say_or_play(PROMPTS["kk"]))[0].tag == "Play"
    said = xml(say_or_play(Prompt("Вы не одни")))[0]
    assert (said.tag, said.text, said.get("language")) == ("Say", "Вы не одни", "ru-RU")


def test_dial_rings_operators_with_hotline_id_and_acceptance_whisper() -> None:
    root = xml(dial_operators(["+77011110000", "+77012220000"], "+77270000000",
                              "https://help.example/v?step=dial1", "https://help.example/v/whisper"))  # fmt: skip
    dial = root.find("Dial")
    assert dial is not None
    assert (dial.get("callerId"), dial.get("timeout"), dial.get("action")) == (
        "+77270000000", "20", "https://help.example/v?step=dial1")  # fmt: skip
    numbers = dial.findall("Number")
    assert [n.text for n in numbers] == ["+77011110000", "+77012220000"]
    assert all(n.get("url") == "https://help.example/v/whisper" for n in numbers)


def test_dial_needs_someone_to_ring() -> None:
    with pytest.raises(ValueError):
        dial_operators([], "+7727", "https://a", "https://w")


def test_operator_whisper_asks_for_one_key_then_hangs_up() -> None:
    root = xml(operator_whisper(Prompt("Звонок на горячую линию. Нажмите 1."), "https://help.example/w?step=ok"))
    gather = root.find("Gather")
    assert gather is not None and gather.get("numDigits") == "1" and root[-1].tag == "Hangup"
    assert len(xml(whisper_result("1"))) == 0  # empty response: Twilio bridges the call
    assert xml(whisper_result("9"))[0].tag == "Hangup" and xml(whisper_result(None))[0].tag == "Hangup"


def test_voicemail_records_up_to_two_minutes() -> None:
    root = xml(voicemail(Prompt("Оставьте сообщение после сигнала"), "https://help.example/v?step=vm"))
    record = root.find("Record")
    assert record is not None
    assert (record.get("maxLength"), record.get("action")) == ("120", "https://help.example/v?step=vm")
    assert [c.tag for c in root] == ["Say", "Record", "Hangup"]


def test_hangup_is_a_single_verb() -> None:
    assert [c.tag for c in xml(hangup())] == ["Hangup"]
