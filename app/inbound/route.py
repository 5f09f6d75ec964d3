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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.inbound.batch import ItemFailed
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


class BatchHandler(Protocol):
    """People's messages as a set, in order, in the caller's transaction (``app.conversations.batch``):
    an ``Outcome`` each, or None for one left to the one-at-a-time path; ``ItemFailed`` when one broke."""

    async def handle_batch(self, session: AsyncSession, inbounds: Sequence[InboundMessage], *,
                           stop: Callable[[], bool] | None = None) -> list[Outcome | None]:  # fmt: skip
        """Shorter than ``inbounds`` when ``stop`` said so: the rest stay pending for the next set."""
        ...


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


def _operator_pseudonym(vault: Vault, inbound: InboundMessage) -> str | None:
    """The pseudonym ``operator_for`` would look this sender up by (None: a channel operators do not use)."""
    if inbound.channel == "telegram":
        return vault.pseudonym("telegram", inbound.external_id)
    if inbound.channel in ("sms", "whatsapp"):
        return vault.pseudonym("sms", inbound.external_id.removeprefix("whatsapp:"))
    return None


async def operator_senders(session: AsyncSession, vault: Vault, inbounds: Sequence[InboundMessage]) -> list[bool]:
    """For each message, whether an active operator sent it: one query for the whole batch."""
    keys = [_operator_pseudonym(vault, inbound) for inbound in inbounds]
    wanted = {k for k in keys if k is not None}
    if not wanted:
        return [False] * len(inbounds)
    rows = (await session.execute(
        select(Operator.telegram_pseudonym, Operator.phone_pseudonym)
        .where(Operator.active.is_(True),
               Operator.telegram_pseudonym.in_(wanted) | Operator.phone_pseudonym.in_(wanted))
    )).all()  # fmt: skip
    telegram = {r[0] for r in rows if r[0] is not None}
    phones = {r[1] for r in rows if r[1] is not None}
    return [k is not None and k in (telegram if inbound.channel == "telegram" else phones)
            for k, inbound in zip(keys, inbounds, strict=True)]  # fmt: skip


class Router:
    """Where a stored delivery goes; ``DeliveryProcessor`` calls it once per delivery."""

    def __init__(self, vault: Vault, person: Handler, operator: OperatorHandler, *,
                 batch: BatchHandler | None = None) -> None:  # fmt: skip
        self.vault = vault
        self.person = person
        self.operator = operator
        self.people = batch  # people's messages as a set (``DeliveryProcessor``'s batch path)

    async def __call__(self, session: AsyncSession, inbound: InboundMessage, meta: dict[str, Any]) -> Outcome:
        operator = await operator_for(session, self.vault, inbound)
        if operator is None:
            return await self.person.handle(session, inbound)
        return await self.operator.handle(session, operator, inbound)

    async def batch(self, session: AsyncSession, inbounds: Sequence[InboundMessage], *,
                    stop: Callable[[], bool] | None = None) -> list[Outcome | None]:  # fmt: skip
        """A set of deliveries in order: people's to the core's batch path; operators' (None) go one at a time.

        Shorter than ``inbounds`` when ``stop`` ended the set early: the rest stay pending."""
        if self.people is None:
            return [None] * len(inbounds)
        from_operator = await operator_senders(session, self.vault, inbounds)
        people = [inbound for inbound, op in zip(inbounds, from_operator, strict=True) if not op]
        where = [i for i, op in enumerate(from_operator) if not op]
        try:
            answered = await self.people.handle_batch(session, people, stop=stop) if people else []
        except ItemFailed as failed:
            raise ItemFailed(where[failed.index], failed.cause) from failed.cause
        results: list[Outcome | None] = [None] * len(inbounds)
        for index, outcome in zip(where, answered, strict=False):
            results[index] = outcome
        if len(answered) < len(people):  # ended early: nothing after the last person's answered one
            return results[: where[len(answered)]]
        return results
