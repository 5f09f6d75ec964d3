"""The one decision on the way in: is this delivery an operator's action or a person's message?

Operators talk to the same bot as people do. A delivery from a chat or
number that belongs to an operator (found by pseudonym, never by the raw id)
goes to the operator side (Take / Can't now buttons, SMS "TAKE K7F-3Q2", a
reply relayed to their case); everything else is a person's message for the
conversation core. Both sides are ``Protocol``s the container fills with the
feature implementations, so this room sits below them and imports neither.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.events import Event
from app.platform.identity import Vault
from app.platform.models import Operator
from bots.messages import InboundMessage, OutboundMessage


@dataclass
class Outcome:
    """What handling one inbound message did: for the caller to publish, answer inline, or report."""

    duplicate: bool = False
    case_id: uuid.UUID | None = None
    case_alias: str | None = None
    intent: str | None = None
    language: str | None = None
    urgent: bool = False
    replies: list[OutboundMessage] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


class Handler(Protocol):
    """A person's message, handled in the caller's transaction (``app.conversations``)."""

    async def handle(self, session: AsyncSession, inbound: InboundMessage) -> Outcome: ...


class OperatorHandler(Protocol):
    """An operator's message or button, handled in the caller's transaction (``app.oncall``)."""

    async def handle(self, session: AsyncSession, operator: Operator, inbound: InboundMessage) -> Outcome: ...


async def operator_for(session: AsyncSession, vault: Vault, inbound: InboundMessage) -> Operator | None:
    """The active operator writing from this chat or number, if it is one."""
    if inbound.channel == "telegram":
        column = Operator.telegram_pseudonym
    elif inbound.channel in ("sms", "whatsapp"):
        column = Operator.phone_pseudonym  # an operator's WhatsApp is their phone number's
    else:
        return None
    channel, external_id = inbound.channel, inbound.external_id
    if channel == "whatsapp":
        channel, external_id = "sms", external_id.removeprefix("whatsapp:")
    pseudonym = vault.pseudonym(channel, external_id)
    return await session.scalar(select(Operator).where(column == pseudonym, Operator.active.is_(True)))


class Router:
    """Where a stored delivery goes; ``DeliveryProcessor`` calls it once per delivery."""

    def __init__(self, vault: Vault, person: Handler, operator: OperatorHandler) -> None:
        self.vault = vault
        self.person = person
        self.operator = operator

    async def __call__(self, session: AsyncSession, inbound: InboundMessage, meta: dict[str, Any]) -> Outcome:
        operator = await operator_for(session, self.vault, inbound)
        if operator is None:
            return await self.person.handle(session, inbound)
        return await self.operator.handle(session, operator, inbound)
