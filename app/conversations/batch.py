"""The conversation core over a set of messages (#17): one prediction call, lookups by list, one flush.

``handle_batch`` runs the same ``handle_inbound`` for each message, in order, so every reply, flag,
place and language rule is the per-message core's own. What changes is where the answers to its
queries come from: the batch's contacts, open cases and known message ids are loaded with IN-list
queries first and kept in a ``repository.BatchState`` (so two messages from one new person in the
batch make one contact and one case), the model reads each distinct text of the set once, and
nothing is flushed until the end, when the unit of work writes the batch's contacts, cases, messages
and outbox rows as multi-row inserts and the daily counts as one upsert.

What a batch does not do in memory is left to the one-at-a-time path (``None`` in the result, for that
message and its sender's later ones in the batch): commands and buttons, media, WhatsApp (its window
releases held rows), voice and the terminal chat (their replies are inline), a message the model reads
as urgent or as asking for a human, a case a human owns or waits for, an answer to the safety or the
erase question, a contact with a safe word. Any routing step reached anyway raises ``HandleAlone``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.conversations import repository as repo, safety
from app.conversations.service import CoreDeps, handle_inbound
from app.inbound.batch import HandleAlone, ItemFailed
from app.inbound.route import Outcome
from app.platform.events import Event
from app.platform.models import Case, Contact, Message, OutboxItem
from app.understanding.gateway import Classifier
from bots.messages import InboundMessage

if TYPE_CHECKING:
    from nlu import Prediction
    from routing import Reach

# Channels whose turn is only rows in this transaction (no inline reply, no held rows to release).
BATCH_CHANNELS = frozenset({"telegram", "webchat", "sms"})
# The tables a batch creates rows in, each after the ones it points at.
_PARENTS_FIRST: list[type] = [Contact, Case, Message, OutboxItem]


class _Predicted:
    """The batch's predictions: each distinct text read once, when its turn comes (so an urgent delivery that
    arrives meanwhile cuts the set short after one turn, not after the whole set's reading)."""

    def __init__(self, live: Classifier) -> None:
        self.known: dict[str, Prediction] = {}
        self.live = live

    async def apredict(self, text: str) -> Prediction:
        found = self.known.get(text)
        if found is None:
            found = self.known[text] = await self.live.apredict(text)
        return found


class _NoHandoff:
    """Routing writes alerts and timers and reads the roster: never in memory beside other people's turns."""

    async def reachable(self, session: AsyncSession, case: Case, now: datetime) -> Reach:
        raise HandleAlone

    async def on_urgent(self, session: AsyncSession, case: Case, reasons: list[str], now: datetime) -> list[Event]:
        raise HandleAlone

    async def on_human_requested(self, session: AsyncSession, case: Case, now: datetime) -> list[Event]:
        raise HandleAlone

    async def on_person_message(self, session: AsyncSession, case: Case, message: Message, text: str,
                                now: datetime) -> tuple[bool, list[Event]]:  # fmt: skip
        raise HandleAlone

    async def on_erased(self, session: AsyncSession, case: Case, now: datetime) -> list[Event]:
        raise HandleAlone


async def load_state(session: AsyncSession, inbounds: Sequence[InboundMessage], pseudonyms: Sequence[str]) -> repo.BatchState:
    """The batch's contacts, their open cases and the message ids already stored: three IN-list queries."""
    state = repo.BatchState(contacts=dict.fromkeys(pseudonyms))
    contacts = (await session.scalars(select(Contact).where(Contact.pseudonym.in_(set(pseudonyms))))).all()
    for contact in contacts:
        state.contacts[contact.pseudonym] = contact
    ids = [c.id for c in contacts]
    if ids:
        state.cases = dict.fromkeys(ids)
        cases = (await session.scalars(select(Case).where(Case.contact_id.in_(ids), Case.status != "closed")
                                       .order_by(Case.created_at.desc()))).all()  # fmt: skip
        for case in cases:
            if state.cases.get(case.contact_id) is None:
                state.cases[case.contact_id] = case  # the newest open one, as ``repository.open_case``
    external = {i.external_message_id for i in inbounds if i.external_message_id}
    if external:
        rows = (await session.execute(select(Message.channel, Message.external_id)
                                      .where(Message.external_id.in_(external)))).all()  # fmt: skip
        state.known_messages = {(channel, ext) for channel, ext in rows if ext is not None}
    return state


def _in_memory(inbound: InboundMessage, prediction: Prediction | None, contact: Contact | None,
               case: Case | None) -> bool:  # fmt: skip
    """Whether this message's turn is rows only, with the state its sender has now (see the module's docstring)."""
    if inbound.channel not in BATCH_CHANNELS or inbound.command or inbound.attachments or prediction is None:
        return False
    if prediction.urgent or prediction.intent == "talk_to_human":
        return False
    if contact is None:
        return True
    state = contact.state or {}
    if contact.safe_word_fp or state.get("awaiting"):
        return False
    return case is None or (case.status == "bot" and not safety.is_awaited(state, case.id))


def _column_values(obj: object) -> dict[str, Any]:
    """A new row as the INSERT's values: what the core set, else each column's default (else NULL)."""
    values = obj.__dict__
    row: dict[str, Any] = {}
    for attr in inspect(obj).mapper.column_attrs:
        column = attr.columns[0]
        if attr.key in values:
            row[column.key] = values[attr.key]
            continue
        default = column.default
        if default is None:
            row[column.key] = None
        elif default.is_scalar:
            row[column.key] = default.arg
        elif default.is_callable:
            row[column.key] = default.arg(None)  # type: ignore[operator]
    return row


async def _insert_new(session: AsyncSession) -> None:
    """Write the batch's new rows with one multi-row Core INSERT per table, parents first.

    The unit of work would track, sort and refresh every object; these are written once and never read
    back in this transaction, so they leave the session and only the loaded rows the batch changed
    (contacts' last_seen, cases' state) are flushed as updates.
    """
    new = list(session.new)
    by_class: dict[type, list[object]] = {}
    for obj in new:
        by_class.setdefault(type(obj), []).append(obj)
    connection = await session.connection()
    for cls in sorted(by_class, key=_PARENTS_FIRST.index):
        await connection.execute(insert(inspect(cls).local_table), [_column_values(obj) for obj in by_class[cls]])
    for obj in new:
        session.expunge(obj)


async def handle_batch(session: AsyncSession, inbounds: Sequence[InboundMessage], deps: CoreDeps, *,
                       stop: Callable[[], bool] | None = None) -> list[Outcome | None]:  # fmt: skip
    """Each message's ``Outcome`` in order, or None where it is left to the one-at-a-time path.

    When ``stop`` turns true (an urgent delivery arrived) the list ends there: the rest stay pending.

    Raises ``ItemFailed`` when one message broke (or reached a step the batch does not take): the
    caller rolls the batch back and runs it again without that message.
    """
    pseudonyms = [deps.vault.pseudonym(i.channel, i.external_id) for i in inbounds]
    state = await load_state(session, inbounds, pseudonyms)
    predicted = _Predicted(deps.classifier)
    in_batch = replace(deps, classifier=predicted, handoff=_NoHandoff())
    results: list[Outcome | None] = []
    alone: set[str] = set()  # senders whose remaining messages in this batch go one at a time, in order
    repo.begin_batch(session, state)
    try:
        with session.no_autoflush:
            for index, (inbound, pseudonym) in enumerate(zip(inbounds, pseudonyms, strict=True)):
                await asyncio.sleep(0)  # a turn is CPU only here: let the door store (and flag) what arrives
                if stop is not None and results and stop():
                    break
                contact = state.contacts.get(pseudonym)
                case = state.cases.get(contact.id) if contact is not None else None
                text = inbound.text.strip()
                readable = inbound.channel in BATCH_CHANNELS and not inbound.command and text
                prediction = await predicted.apredict(text) if readable and pseudonym not in alone else None
                if pseudonym in alone or not _in_memory(inbound, prediction, contact, case):
                    alone.add(pseudonym)
                    results.append(None)
                    continue
                try:
                    results.append(await handle_inbound(session, inbound, in_batch))
                except Exception as exc:  # noqa: BLE001 - the caller drops the batch's writes and runs it without this one
                    raise ItemFailed(index, exc) from exc
        await _insert_new(session)
        await session.flush()
        await repo.add_counts(session, state.counts)
    finally:
        repo.end_batch(session)
    return results


class BatchConversation:
    """``app.inbound.route.BatchHandler`` for people: ``handle_batch`` with the core's dependencies bound."""

    def __init__(self, deps: CoreDeps) -> None:
        self.deps = deps

    async def handle_batch(self, session: AsyncSession, inbounds: Sequence[InboundMessage], *,
                           stop: Callable[[], bool] | None = None) -> list[Outcome | None]:  # fmt: skip
        return await handle_batch(session, inbounds, self.deps, stop=stop)
