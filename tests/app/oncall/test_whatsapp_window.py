"""The console tells the operator when WhatsApp's 24-hour window is closed, and what goes instead."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.outbox.service import open_item
from app.platform.db import session_scope
from app.platform.models import Contact, OutboxItem, utcnow
from tests.pages import person_writes, services_of, signed_in

PERSON = "whatsapp:+77011234567"


async def test_a_closed_window_is_shown_and_the_reply_is_held_behind_the_neutral_template(client) -> None:  # type: ignore[no-untyped-def]
    outcome = await person_writes(client, "Помогите срочно, меня заперли на складе", channel="whatsapp",
                                  external_id=PERSON)  # fmt: skip
    alias, services = outcome.case_alias, services_of(client)
    token = await signed_in(client, "timur")
    await client.post(f"/console/case/{alias}/take", data={"csrf": token})
    neutral = services.scripts.get("whatsapp_new_message", outcome.language)
    assert neutral not in (await client.get(f"/console/case/{alias}")).text, "the window is open"

    async with session_scope(services.sessionmaker) as session:
        await session.execute(update(Contact).values(last_seen=utcnow() - timedelta(hours=25)))
    page = await client.get(f"/console/case/{alias}")
    assert "window-closed" in page.text and neutral in page.text and "+77011234567" not in page.text

    reply = await client.post(f"/console/case/{alias}/reply", data={"csrf": token, "text": "Мы с вами. Где вы?"})
    assert reply.status_code == 303 and "error" not in reply.headers["location"]
    async with session_scope(services.sessionmaker) as session:
        relays = (await session.scalars(select(OutboxItem).where(OutboxItem.kind == "relay")
                                        .order_by(OutboxItem.next_attempt_at))).all()  # fmt: skip
        sent = [open_item(services.vault, item) for item in relays]
    assert [(m.text, m.extra.get("template")) for m in sent] == [("", "new_message"), ("Мы с вами. Где вы?", None)]
    assert relays[1].next_attempt_at > utcnow() + timedelta(days=7), "the words wait for the person to write"
