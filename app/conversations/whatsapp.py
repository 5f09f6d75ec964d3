"""What the conversation core does differently on WhatsApp, kept out of the core's own module.

* Buttons are numbered lines there (``bots.whatsapp_text``): the numbers the
  bot just offered are kept in the contact's state, and a reply that is one
  of them becomes the button's command, valid for the next message only.
* A message from the person reopens the 24-hour window: operator words held
  while it was closed are released (``app.outbox.whatsapp``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.outbox.whatsapp import release_held
from app.platform.models import Case, Contact
from bots.messages import Button, InboundMessage
from bots.whatsapp_text import option_commands

OPTIONS = "options"


async def on_inbound(session: AsyncSession, inbound: InboundMessage, contact: Contact, now: datetime) -> InboundMessage:
    """The message as the core should read it (a typed number → its command); releases held words."""
    if inbound.channel != "whatsapp":
        return inbound
    state = dict(contact.state or {})
    options = state.pop(OPTIONS, None) or {}
    contact.state = state
    case_ids = list((await session.scalars(select(Case.id).where(Case.contact_id == contact.id))).all())
    await release_held(session, case_ids, now)
    picked = options.get(inbound.text.strip().strip(".)")) if not inbound.command else None
    if picked:
        return replace(inbound, command=picked, text="")
    return inbound


def remember_options(contact: Contact, buttons: tuple[tuple[Button, ...], ...]) -> None:
    """The numbers a WhatsApp reply offers, so that typing one of them presses that button."""
    if buttons:
        contact.state = {**(contact.state or {}), OPTIONS: option_commands(buttons)}
