"""Web chat: page frames become InboundMessages; the hub delivers to open pages and buffers for closed ones."""

from __future__ import annotations

import asyncio
import json

import pytest

from bots.errors import InvalidRequest
from bots.messages import Button, OutboundMessage, SendError
from bots.webchat import WebChatHub, parse_frame, render_frame

SESSION = "sess-7f3a"


def test_message_frame_becomes_inbound_text() -> None:
    msg = parse_frame('{"type":"message","text":" Помогите ","id":"c1","lang":"kk"}', SESSION)
    assert (msg.channel, msg.external_id, msg.text, msg.language_hint) == ("webchat", SESSION, "Помогите", "kk")
    assert msg.external_message_id.startswith("web:") and SESSION not in msg.external_message_id


def test_same_client_id_gives_same_message_id_only_within_a_session() -> None:
    frame = '{"type":"message","text":"hi","id":"c1"}'
    assert parse_frame(frame, SESSION).external_message_id == parse_frame(frame, SESSION).external_message_id
    assert parse_frame(frame, SESSION).external_message_id != parse_frame(frame, "other").external_message_id


@pytest.mark.parametrize("command", ["erase", "start", "lang:kk", "erase:yes"])
def test_command_frame_becomes_command(command: str) -> None:
    msg = parse_frame(json.dumps({"type": "command", "command": command, "id": 3}).encode(), SESSION)
    assert msg.command == command and msg.text == ""


def test_a_language_choice_that_is_no_code_gives_no_hint() -> None:
    assert parse_frame('{"type":"message","text":"hi","lang":"tg"}', SESSION).language_hint == "tg"
    assert parse_frame('{"type":"message","text":"hi","lang":"<b>"}', SESSION).language_hint is None


@pytest.mark.parametrize(
    "frame",
    ["not json", "[]", '{"type":"message"}', '{"type":"message","text":"   "}', '{"type":"message","text":5}',
     '{"type":"command","command":"DROP TABLE"}', '{"type":"dance"}',
     '{"type":"message","text":"x","id":{"a":1}}'],
)  # fmt: skip
def test_invalid_frames_are_refused_with_400(frame: str) -> None:
    with pytest.raises(InvalidRequest) as err:
        parse_frame(frame, SESSION)
    assert err.value.status == 400


def test_text_over_4000_characters_is_refused_with_413() -> None:
    with pytest.raises(InvalidRequest) as err:
        parse_frame(json.dumps({"type": "message", "text": "я" * 4001}), SESSION)
    assert err.value.status == 413
    parse_frame(json.dumps({"type": "message", "text": "я" * 4000}), SESSION)


def test_render_message_edit_and_delete_frames() -> None:
    sent = json.loads(render_frame(OutboundMessage(channel="webchat", address=SESSION, text="Выберите",
                                                   buttons=((Button("Да", "erase:yes"),),)), "w1"))  # fmt: skip
    assert sent == {"type": "message", "id": "w1", "text": "Выберите",
                    "buttons": [[{"label": "Да", "data": "erase:yes"}]]}  # fmt: skip
    edit = json.loads(render_frame(OutboundMessage(channel="webchat", address=SESSION, action="edit", text="ok",
                                                   target_message_ids=("w1",))))  # fmt: skip
    assert edit == {"type": "edit", "id": "w1", "text": "ok"}
    gone = json.loads(render_frame(OutboundMessage(channel="webchat", address=SESSION, action="delete",
                                                   target_message_ids=("w1", "w2"))))  # fmt: skip
    assert gone == {"type": "delete", "ids": ["w1", "w2"]}


def msg(text: str, address: str = SESSION) -> OutboundMessage:
    return OutboundMessage(channel="webchat", address=address, text=text)


async def test_hub_pushes_to_every_open_tab_of_the_session() -> None:
    hub = WebChatHub()
    tab1: asyncio.Queue[str] = asyncio.Queue()
    tab2: asyncio.Queue[str] = asyncio.Queue()
    await hub.connect(SESSION, tab1.put)
    await hub.connect(SESSION, tab2.put)
    result = await hub.send(msg("hello"))
    assert json.loads(tab1.get_nowait())["text"] == "hello"
    assert json.loads(tab2.get_nowait())["id"] == result.external_message_id


async def test_hub_buffers_while_page_is_away_and_flushes_in_order_on_reconnect() -> None:
    hub = WebChatHub()
    await hub.send(msg("one"))
    await hub.send(msg("two"))
    assert hub.buffered(SESSION) == 2
    page: asyncio.Queue[str] = asyncio.Queue()
    await hub.connect(SESSION, page.put)
    assert [json.loads(page.get_nowait())["text"] for _ in range(2)] == ["one", "two"]
    assert hub.buffered(SESSION) == 0


async def test_hub_full_buffer_is_a_retryable_error() -> None:
    hub = WebChatHub(buffer_size=2)
    await hub.send(msg("1"))
    await hub.send(msg("2"))
    with pytest.raises(SendError) as err:
        await hub.send(msg("3"))
    assert err.value.retryable


async def test_hub_limits_how_many_sessions_wait() -> None:
    hub = WebChatHub(max_buffered_sessions=1)
    await hub.send(msg("1", "a"))
    with pytest.raises(SendError) as err:
        await hub.send(msg("1", "b"))
    assert err.value.retryable


async def test_hub_drops_a_dead_socket_and_buffers_instead() -> None:
    hub = WebChatHub()

    async def broken(frame: str) -> None:
        raise ConnectionResetError

    await hub.connect(SESSION, broken)
    await hub.send(msg("hi"))
    assert not hub.is_connected(SESSION) and hub.buffered(SESSION) == 1


async def test_hub_discards_stale_buffered_frames_and_forgets_erased_sessions() -> None:
    now = [0.0]
    hub = WebChatHub(buffer_ttl=60, clock=lambda: now[0])
    await hub.send(msg("old"))
    now[0] = 120.0
    page: asyncio.Queue[str] = asyncio.Queue()
    await hub.connect(SESSION, page.put)
    assert page.empty()
    hub.disconnect(SESSION, page.put)
    await hub.send(msg("x"))
    hub.forget(SESSION)
    assert hub.buffered(SESSION) == 0
