"""What an operator's own chat or SMS does: Take / Can't now buttons, SMS "TAKE K7F-3Q2", /close, /back,
and anything else written is relayed to the person of the case they own.

``app.inbound.route`` decides that a delivery is an operator's (by pseudonym,
never by the raw id) and hands it to ``OperatorActions.handle``. Each command
is one line of a table: ``BUTTONS`` need a case alias in the command, and
``CASE_COMMANDS`` act on the case the operator owns.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.inbound.route import Outcome
from app.oncall import alerts, service as ops
from app.oncall.escalations import OnCallDeps
from app.outbox.service import enqueue
from app.platform.events import Event
from app.platform.models import Case, Operator
from bots.messages import InboundMessage, OutboundMessage

ALIAS_RE = re.compile(r"\b([A-Z2-9]{3}-[A-Z2-9]{3})\b")
TAKE_RE = re.compile(r"^\s*(?:take|взять|алу|olish)\s+([A-Za-z2-9]{3}-[A-Za-z2-9]{3})\s*$", re.I)

CaseCommand = Callable[[AsyncSession, OnCallDeps, str, Operator], Awaitable[list[Event]]]


async def _close(session: AsyncSession, deps: OnCallDeps, alias: str, operator: Operator) -> list[Event]:
    return await ops.close_case(session, deps, alias, operator, "information_only")


# /close and /back act on the case the operator owns (named by its alias when they own several).
CASE_COMMANDS: dict[str, CaseCommand] = {"close": _close, "back": ops.hand_back}


class OperatorActions:
    """``app.inbound.route.OperatorHandler``: an operator's message, in the caller's transaction."""

    def __init__(self, deps: OnCallDeps) -> None:
        self.deps = deps

    async def handle(self, session: AsyncSession, operator: Operator, inbound: InboundMessage) -> Outcome:
        name, _, rest = (inbound.command or "").partition(":")
        take = TAKE_RE.match(inbound.text or "") if inbound.channel in ("sms", "whatsapp") else None
        if take:
            name, rest = "take", take.group(1).upper()
        button = BUTTONS.get(name)
        if button is not None:
            return await button(self, session, operator, inbound, rest)
        return await self._on_owned_case(session, operator, inbound, name)

    def _reply(self, session: AsyncSession, inbound: InboundMessage, outcome: Outcome, body: str) -> None:
        out = OutboundMessage(channel=inbound.channel, address=inbound.external_id, text=body)
        outcome.replies.append(out)
        enqueue(session, self.deps.vault, out, kind="system")

    async def _take(self, session: AsyncSession, operator: Operator, inbound: InboundMessage, rest: str) -> Outcome:
        """The Take button ("take:ALIAS:fence") or SMS "TAKE ALIAS": the database decides races."""
        outcome = Outcome()
        alias, _, fence_text = rest.partition(":")
        fence = int(fence_text) if fence_text.isdigit() else None
        result = await ops.take_case(session, self.deps, alias, operator, fence)
        outcome.events += result.events
        outcome.case_alias = alias
        key = "you_took" if result.ok else "already_taken"
        self._reply(session, inbound, outcome, alerts.text(key, _language(operator), case=alias))
        return outcome

    async def _decline(self, session: AsyncSession, operator: Operator, inbound: InboundMessage, rest: str) -> Outcome:
        """The "Can't now" button ("decline:ALIAS:fence"); without a fence it counts as a take, as it always has."""
        alias, _, fence_text = rest.partition(":")
        if not fence_text.isdigit():
            return await self._take(session, operator, inbound, rest)
        outcome = Outcome()
        outcome.events += await ops.decline(session, self.deps, alias, operator, int(fence_text))
        return outcome

    async def _on_owned_case(self, session: AsyncSession, operator: Operator, inbound: InboundMessage,
                             name: str) -> Outcome:  # fmt: skip
        """/close, /back, or text relayed to the person; with several cases the text starts with the alias."""
        outcome = Outcome()
        lang = _language(operator)
        owned = (await session.scalars(select(Case).where(Case.assigned_operator_id == operator.id,
                                                          Case.status == "assigned"))).all()  # fmt: skip
        text = (inbound.text or "").strip()
        match = ALIAS_RE.match(text)
        target = next((c for c in owned if match and c.alias == match.group(1)), None)
        if target is not None:
            text = text[len(target.alias):].strip()
        elif len(owned) == 1:
            target = owned[0]
        command = CASE_COMMANDS.get(name)
        if command is not None and target is not None:
            outcome.events += await command(session, self.deps, target.alias, operator)
            return outcome
        if target is None or not text:
            if owned:
                cases = ", ".join(c.alias for c in owned)
                self._reply(session, inbound, outcome, alerts.text("choose_case", lang, cases=cases, first=owned[0].alias))
            else:
                self._reply(session, inbound, outcome, alerts.text("no_case", lang))
            return outcome
        outcome.events += await ops.operator_message(session, self.deps, target.alias, operator, text)
        outcome.case_alias = target.alias
        return outcome


Button = Callable[[OperatorActions, AsyncSession, Operator, InboundMessage, str], Awaitable[Outcome]]
# Buttons on an alert carry the case alias (and the escalation's fence) in the command itself.
BUTTONS: dict[str, Button] = {"take": OperatorActions._take, "decline": OperatorActions._decline}


def _language(operator: Operator) -> str:
    """Operators read replies in their first language."""
    return (operator.languages or ["ru"])[0]
