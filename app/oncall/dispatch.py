"""Where a stored delivery goes: an operator's own chat or SMS, or the conversation core.

Operators talk to the same bot as people do. A delivery from a chat or
number that belongs to an operator (found by pseudonym, never by the raw id)
is an operator action: Take / Can't now buttons, SMS "TAKE K7F-3Q2", or a
reply relayed to the person of the case they own.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.conversations.service import Outcome, handle_inbound
from app.models import Case, Operator
from app.oncall import alerts
from app.oncall import service as ops
from app.outbox.service import enqueue
from bots.messages import InboundMessage, OutboundMessage

if TYPE_CHECKING:
    from app.services import Services

ALIAS_RE = re.compile(r"\b([A-Z2-9]{3}-[A-Z2-9]{3})\b")
TAKE_RE = re.compile(r"^\s*(?:take|взять|алу|olish)\s+([A-Za-z2-9]{3}-[A-Za-z2-9]{3})\s*$", re.I)


async def operator_for(session: AsyncSession, services: Services, inbound: InboundMessage) -> Operator | None:
    if inbound.channel == "telegram":
        column = Operator.telegram_pseudonym
    elif inbound.channel == "sms":
        column = Operator.phone_pseudonym
    else:
        return None
    pseudonym = services.vault.pseudonym(inbound.channel, inbound.external_id)
    return await session.scalar(select(Operator).where(column == pseudonym, Operator.active.is_(True)))


async def dispatch(session: AsyncSession, services: Services, inbound: InboundMessage, meta: dict[str, Any]) -> Outcome:
    operator = await operator_for(session, services, inbound)
    if operator is None:
        return await handle_inbound(session, inbound, services.core_deps())
    return await _operator_action(session, services, operator, inbound)


def _reply(session: AsyncSession, services: Services, inbound: InboundMessage, outcome: Outcome, body: str) -> None:
    out = OutboundMessage(channel=inbound.channel, address=inbound.external_id, text=body)
    outcome.replies.append(out)
    enqueue(session, services.vault, out, kind="system")


async def _operator_action(session: AsyncSession, services: Services, operator: Operator,
                           inbound: InboundMessage) -> Outcome:  # fmt: skip
    outcome = Outcome()
    lang = (operator.languages or ["ru"])[0]
    command = inbound.command or ""
    name, _, rest = command.partition(":")
    take = TAKE_RE.match(inbound.text or "") if inbound.channel == "sms" else None
    if name in ("take", "decline") or take:
        alias, _, fence_text = rest.partition(":") if not take else (take.group(1).upper(), "", "")
        fence = int(fence_text) if fence_text.isdigit() else None
        if name == "decline" and fence is not None:
            outcome.events += await ops.decline(session, services, alias, operator, fence)
            return outcome
        result = await ops.take_case(session, services, alias, operator, fence)
        outcome.events += result.events
        outcome.case_alias = alias
        key = "you_took" if result.ok else "already_taken"
        _reply(session, services, inbound, outcome, alerts.text(key, lang, case=alias))
        return outcome
    owned = (await session.scalars(select(Case).where(Case.assigned_operator_id == operator.id,
                                                      Case.status == "assigned"))).all()  # fmt: skip
    text = (inbound.text or "").strip()
    match = ALIAS_RE.match(text)
    target = next((c for c in owned if match and c.alias == match.group(1)), None)
    if target is not None:
        text = text[len(target.alias):].strip()
    elif len(owned) == 1:
        target = owned[0]
    if name in ("close", "back") and target is not None:
        if name == "close":
            outcome.events += await ops.close_case(session, services, target.alias, operator, "information_only")
        else:
            outcome.events += await ops.hand_back(session, services, target.alias, operator)
        return outcome
    if target is None or not text:
        if owned:
            cases = ", ".join(c.alias for c in owned)
            _reply(session, services, inbound, outcome, alerts.text("choose_case", lang, cases=cases, first=owned[0].alias))
        else:
            _reply(session, services, inbound, outcome, alerts.text("no_case", lang))
        return outcome
    outcome.events += await ops.operator_message(session, services, target.alias, operator, text)
    outcome.case_alias = target.alias
    return outcome
