"""Events and web-chat frames cross instances over Redis, and never arrive twice."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from app.platform.events import Event, EventBus
from app.platform.realtime import start_bridge
from bots.messages import OutboundMessage
from bots.webchat import WebChatHub
from tests.reliability.conftest import REDIS_URL, needs_redis

pytestmark = needs_redis


async def _collect(queue: asyncio.Queue[Event], marker: str, wait: float = 0.5) -> list[Event]:
    seen: list[Event] = []
    deadline = asyncio.get_running_loop().time() + wait
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            event = await asyncio.wait_for(queue.get(), left)
        except TimeoutError:
            break
        if event.data.get("case") == marker:
            seen.append(event)
    return seen


@pytest.fixture
async def two_bridges():  # type: ignore[no-untyped-def]
    buses = (EventBus(), EventBus())
    hubs = (WebChatHub(), WebChatHub())
    bridges = [await start_bridge(REDIS_URL, bus, hub) for bus, hub in zip(buses, hubs, strict=True)]
    yield buses, bridges
    for bridge in bridges:
        await bridge.close()


async def test_an_event_published_on_one_instance_reaches_consoles_on_both_exactly_once(two_bridges) -> None:  # type: ignore[no-untyped-def]
    (bus_a, bus_b), _ = two_bridges
    marker = uuid.uuid4().hex
    async with bus_a.subscribe() as on_a, bus_b.subscribe() as on_b:
        bus_a.publish(Event("case.waiting", {"case": marker, "urgent": True}))
        seen_a, seen_b = await asyncio.gather(_collect(on_a, marker), _collect(on_b, marker))
    assert [e.name for e in seen_a] == ["case.waiting"]
    assert [(e.name, e.data["urgent"]) for e in seen_b] == [("case.waiting", True)]


async def test_a_webchat_frame_sent_on_one_instance_reaches_the_page_held_by_the_other(two_bridges) -> None:  # type: ignore[no-untyped-def]
    _, (bridge_a, bridge_b) = two_bridges
    session = uuid.uuid4().hex
    page: asyncio.Queue[str] = asyncio.Queue()
    await bridge_b.webchat.connect(session, page.put)
    result = await bridge_a.webchat.send(OutboundMessage(channel="webchat", address=session, text="привет"))
    frame = json.loads(await asyncio.wait_for(page.get(), 2))
    assert frame["text"] == "привет" and frame["id"] == result.external_message_id
    assert page.empty()


async def test_a_frame_for_a_page_that_is_away_waits_and_reaches_it_on_any_instance(two_bridges) -> None:  # type: ignore[no-untyped-def]
    _, (bridge_a, bridge_b) = two_bridges
    session = uuid.uuid4().hex
    await bridge_a.webchat.send(OutboundMessage(channel="webchat", address=session, text="one"))
    await bridge_a.webchat.send(OutboundMessage(channel="webchat", address=session, text="two"))
    page: asyncio.Queue[str] = asyncio.Queue()
    await bridge_b.webchat.connect(session, page.put)
    texts = [json.loads(page.get_nowait())["text"] for _ in range(page.qsize())]
    assert texts == ["one", "two"]


async def test_message_ids_from_two_instances_never_collide(two_bridges) -> None:  # type: ignore[no-untyped-def]
    _, (bridge_a, bridge_b) = two_bridges
    session = uuid.uuid4().hex
    page: asyncio.Queue[str] = asyncio.Queue()
    await bridge_a.webchat.connect(session, page.put)
    first = await bridge_a.webchat.send(OutboundMessage(channel="webchat", address=session, text="a"))
    second = await bridge_b.webchat.send(OutboundMessage(channel="webchat", address=session, text="b"))
    assert first.external_message_id != second.external_message_id
    bridge_a.webchat.forget(session)


async def test_a_page_that_drops_while_waiting_frames_are_flushed_keeps_them_in_order(two_bridges) -> None:  # type: ignore[no-untyped-def]
    _, (bridge_a, bridge_b) = two_bridges
    session = uuid.uuid4().hex
    for text in ("one", "two", "three"):
        await bridge_a.webchat.send(OutboundMessage(channel="webchat", address=session, text=text))

    async def broken(_: str) -> None:
        raise ConnectionResetError

    await bridge_b.webchat.connect(session, broken)
    page: asyncio.Queue[str] = asyncio.Queue()
    await bridge_a.webchat.connect(session, page.put)
    assert [json.loads(page.get_nowait())["text"] for _ in range(page.qsize())] == ["one", "two", "three"]
