"""Queries for contacts, cases and messages; no decisions here.

Inside a batch (``app.conversations.batch``) the session carries a ``BatchState``: the batch's
contacts, open cases and known message ids were loaded by list beforehand, so these answer from it
(and see what earlier messages of the same batch created, which nothing has flushed yet); the daily
counts add up there and are written once, at the end of the batch.
"""

from __future__ import annotations

import secrets
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.models import Case, Contact, DailyCount, Message, WeeklyCount
from app.statistics.service import week_start

ALIAS_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_BATCH = "helpline.batch"
CountKey = tuple[date, str, str, str, bool]


@dataclass
class BatchState:
    """What a batch loaded by list and what it created so far (see the module's docstring)."""

    known_messages: set[tuple[str, str]] = field(default_factory=set)
    contacts: dict[str, Contact | None] = field(default_factory=dict)  # pseudonym → contact (None: a new person)
    cases: dict[uuid.UUID | None, Case | None] = field(default_factory=dict)  # contact id → open case (None: none)
    counts: Counter[CountKey] = field(default_factory=Counter)


def batch_state(session: AsyncSession) -> BatchState | None:
    state = session.info.get(_BATCH)
    return state if isinstance(state, BatchState) else None


def begin_batch(session: AsyncSession, state: BatchState) -> None:
    session.info[_BATCH] = state


def end_batch(session: AsyncSession) -> None:
    session.info.pop(_BATCH, None)


def remember_contact(session: AsyncSession, contact: Contact) -> None:
    """A contact this batch created: the person's next message in the batch finds it."""
    if (state := batch_state(session)) is not None:
        state.contacts[contact.pseudonym] = contact


def remember_case(session: AsyncSession, case: Case) -> None:
    if (state := batch_state(session)) is not None:
        state.cases[case.contact_id] = case


def new_alias() -> str:
    """A short code humans can read aloud (K7F-3Q2); random, so it reveals no order or count."""
    chars = "".join(secrets.choice(ALIAS_ALPHABET) for _ in range(6))
    return f"{chars[:3]}-{chars[3:]}"


async def message_exists(session: AsyncSession, channel: str, external_id: str) -> bool:
    if (state := batch_state(session)) is not None:
        return (channel, external_id) in state.known_messages
    found = await session.scalar(
        select(Message.id).where(Message.channel == channel, Message.external_id == external_id).limit(1)
    )
    return found is not None


async def contact_by_pseudonym(session: AsyncSession, pseudonym: str) -> Contact | None:
    if (state := batch_state(session)) is not None and pseudonym in state.contacts:
        return state.contacts[pseudonym]
    return await session.scalar(select(Contact).where(Contact.pseudonym == pseudonym))


async def open_case(session: AsyncSession, contact_id: uuid.UUID) -> Case | None:
    if (state := batch_state(session)) is not None and contact_id in state.cases:
        return state.cases[contact_id]
    return await session.scalar(
        select(Case)
        .where(Case.contact_id == contact_id, Case.status != "closed")
        .order_by(Case.created_at.desc())
        .limit(1)
    )


async def count_message(session: AsyncSession, day: date, channel: str, language: str, intent: str, urgent: bool) -> None:
    """Add one to the anonymous daily and weekly statistics (once per batch in a batch)."""
    if (state := batch_state(session)) is not None:
        state.counts[(day, channel, language, intent, urgent)] += 1
        return
    await add_counts(session, Counter({(day, channel, language, intent, urgent): 1}))


async def add_counts(session: AsyncSession, counts: Counter[CountKey]) -> None:
    """Add counts to the daily and the weekly rollup: one multi-row upsert (``count = count + n``) each."""
    if not counts:
        return
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    weekly: Counter[CountKey] = Counter()
    for (day, channel, language, intent, urgent), n in counts.items():
        weekly[(week_start(day), channel, language, intent, urgent)] += n
    connection = await session.connection()
    for model, key, rows in ((DailyCount, "day", counts), (WeeklyCount, "week", weekly)):
        stmt = insert(model)
        stmt = stmt.on_conflict_do_update(
            index_elements=[key, "channel", "language", "intent", "urgent"],
            set_={"count": model.count + stmt.excluded["count"]},
        )
        await connection.execute(stmt, [{key: d, "channel": c, "language": lang, "intent": i, "urgent": u, "count": n}
                                        for (d, c, lang, i, u), n in sorted(rows.items())])  # fmt: skip