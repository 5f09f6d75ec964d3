"""Queries for contacts, cases and messages; no decisions here."""

from __future__ import annotations

import secrets
import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.models import Case, Contact, DailyCount, Message

ALIAS_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_alias() -> str:
    """A short code humans can read aloud (K7F-3Q2); random, so it reveals no order or count."""
    chars = "".join(secrets.choice(ALIAS_ALPHABET) for _ in range(6))
    return f"{chars[:3]}-{chars[3:]}"


async def message_exists(session: AsyncSession, channel: str, external_id: str) -> bool:
    found = await session.scalar(
        select(Message.id).where(Message.channel == channel, Message.external_id == external_id).limit(1)
    )
    return found is not None


async def contact_by_pseudonym(session: AsyncSession, pseudonym: str) -> Contact | None:
    return await session.scalar(select(Contact).where(Contact.pseudonym == pseudonym))


async def open_case(session: AsyncSession, contact_id: uuid.UUID) -> Case | None:
    return await session.scalar(
        select(Case)
        .where(Case.contact_id == contact_id, Case.status != "closed")
        .order_by(Case.created_at.desc())
        .limit(1)
    )


async def count_message(session: AsyncSession, day: date, channel: str, language: str, intent: str, urgent: bool) -> None:
    """Add one to the anonymous daily statistics, atomically on both engines."""
    values = {"day": day, "channel": channel, "language": language, "intent": intent, "urgent": urgent, "count": 1}
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(DailyCount).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["day", "channel", "language", "intent", "urgent"],
        set_={"count": DailyCount.count + 1},
    )
    await session.execute(stmt)
