"""The operator console: queue, take, talk, notes, close, live events, and no identifiers anywhere."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from app.oncall.routes import sse_frame
from app.platform.db import session_scope
from app.platform.events import Event
from app.platform.models import Case, OutboxItem
from tests.pages import person_writes, services_of, signed_in

PHONE = "+77011234567"
URGENT_TEXT = "Помогите срочно, меня заперли на складе"


async def _urgent_case(client) -> str:  # type: ignore[no-untyped-def]
    outcome = await person_writes(client, URGENT_TEXT, external_id=PHONE)
    assert outcome.urgent, "the keyword classifier should flag this as urgent"
    return outcome.case_alias


async def test_urgent_case_is_in_the_queue_with_a_take_button(client) -> None:  # type: ignore[no-untyped-def]
    alias = await _urgent_case(client)
    await signed_in(client, "asel")
    page = await client.get("/console")
    assert alias in page.text and 'class="item urgent' in page.text
    assert f"/console/case/{alias}/take" in page.text
    fragment = await client.get("/console/queue")
    assert alias in fragment.text and "<html" not in fragment.text


async def test_operator_takes_replies_notes_and_closes(client, recording_senders) -> None:  # type: ignore[no-untyped-def]
    alias = await _urgent_case(client)
    token = await signed_in(client, "timur")
    taken = await client.post(f"/console/case/{alias}/take", data={"csrf": token})
    assert taken.status_code == 303 and taken.headers["location"] == f"/console/case/{alias}"
    page = await client.get(f"/console/case/{alias}")
    assert URGENT_TEXT in page.text and "/reply" in page.text
    reply = await client.post(f"/console/case/{alias}/reply", data={"csrf": token, "text": "Мы с вами. Где вы?"})
    assert reply.status_code == 303 and "error" not in reply.headers["location"]
    await client.post(f"/console/case/{alias}/note", data={"csrf": token, "text": "called shelter"})
    page = await client.get(f"/console/case/{alias}")
    assert "Мы с вами. Где вы?" in page.text and "called shelter" in page.text
    async with session_scope(services_of(client).sessionmaker) as session:
        relays = (await session.scalars(select(OutboxItem).where(OutboxItem.kind == "relay"))).all()
        assert len(relays) == 1
    closed = await client.post(f"/console/case/{alias}/close", data={"csrf": token, "outcome": "shelter", "notes": ""})
    assert closed.status_code == 303
    async with session_scope(services_of(client).sessionmaker) as session:
        case = await session.scalar(select(Case).where(Case.alias == alias))
        assert case.status == "closed" and case.outcome == "shelter"


async def test_second_operator_is_told_a_colleague_has_the_case(client) -> None:  # type: ignore[no-untyped-def]
    alias = await _urgent_case(client)
    token = await signed_in(client, "first")
    await client.post(f"/console/case/{alias}/take", data={"csrf": token})
    client.cookies.clear()
    token = await signed_in(client, "second")
    response = await client.post(f"/console/case/{alias}/take", data={"csrf": token})
    assert response.headers["location"] == "/console?error=already_taken"
    page = await client.get(f"/console/case/{alias}")
    assert page.status_code == 403


async def test_availability_switch_flips(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "zarina")
    await client.post("/console/availability", data={"csrf": token, "available": "1"})
    assert 'aria-checked="true"' in (await client.get("/console")).text
    await client.post("/console/availability", data={"csrf": token, "available": "0"})
    assert 'aria-checked="false"' in (await client.get("/console")).text


async def test_console_html_never_shows_a_persons_identifiers(client) -> None:  # type: ignore[no-untyped-def]
    alias = await _urgent_case(client)
    tg = await person_writes(client, "hello, I need help", channel="telegram", external_id="987654321")
    token = await signed_in(client, "kairat", role="admin")
    await client.post(f"/console/case/{alias}/take", data={"csrf": token})
    await client.post(f"/console/case/{alias}/reply", data={"csrf": token, "text": "ok"})
    pages = ["/console", "/console/queue", f"/console/case/{alias}", f"/console/case/{alias}/messages",
             f"/console/case/{tg.case_alias}", "/admin/stats", "/admin/stats.csv"]  # fmt: skip
    async with session_scope(services_of(client).sessionmaker) as session:
        pseudonyms = [c.pseudonym for c in (await session.scalars(select(__import__("app.platform.models").platform.models.Contact))).all()]
    for path in pages:
        body = (await client.get(path)).text
        for secret in (PHONE, PHONE.lstrip("+"), "1234567", "987654321", *pseudonyms):
            assert secret not in body, f"{secret} leaked on {path}"


async def test_event_stream_frames_carry_only_alias_and_flags() -> None:
    frame = sse_frame(Event("case.waiting", {"case": "AB12CD", "urgent": True, "language": "ru",
                                             "address": "+77011234567", "login": "x"}))  # fmt: skip
    assert frame.startswith("event: case.waiting\n")
    assert "+7701" not in frame and "login" not in frame and '"urgent": true' in frame


async def test_event_stream_requires_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    assert (await client.get("/console/events")).status_code == 401


async def test_event_stream_delivers_a_new_urgent_case(client) -> None:  # type: ignore[no-untyped-def]
    from app.oncall import routes as console

    services = services_of(client)
    received: list[str] = []

    async def listen() -> None:
        async with services.events.subscribe() as queue:
            ready.set()
            received.append(sse_frame(await asyncio.wait_for(queue.get(), 5)))

    ready = asyncio.Event()
    task = asyncio.create_task(listen())
    await ready.wait()
    alias = await _urgent_case(client)
    await task
    assert alias in received[0] and console.EVENT_FIELDS[0] == "case"


async def test_operators_read_the_urgency_reason_as_a_translated_category_not_the_words(client) -> None:  # type: ignore[no-untyped-def]
    alias = await _urgent_case(client)
    await signed_in(client, "asel")
    queue = (await client.get("/console/queue")).text
    case_page = (await client.get(f"/console/case/{alias}")).text
    for page in (queue, case_page):
        assert "заперт(а), не выпускают" in page and "confinement" not in page
    assert "заперли" not in queue  # the person's words are shown only as their message, inside the case
