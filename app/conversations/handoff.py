"""The seam between a conversation and the humans behind it.

The conversation core says *that* a case needs a person (urgent, asked for,
or the person wrote while an operator owns the case); an implementation of
:class:`Handoff` decides who is alerted and how. Effects are queued in the
caller's transaction and described by the events it returns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.events import Event
from app.platform.models import Case, Message
from routing import Reach


class Handoff(Protocol):
    async def reachable(self, session: AsyncSession, case: Case, now: datetime) -> Reach:
        """Whether a human can be alerted about ``case`` now (on call, or available in the console)."""
        ...

    async def on_urgent(self, session: AsyncSession, case: Case, reasons: list[str], now: datetime) -> list[Event]: ...

    async def on_human_requested(self, session: AsyncSession, case: Case, now: datetime) -> list[Event]: ...

    async def on_person_message(
        self, session: AsyncSession, case: Case, message: Message, text: str, now: datetime
    ) -> tuple[bool, list[Event]]:
        """Relay to the owning operator; True when a human has the case and the bot stays quiet."""
        ...
