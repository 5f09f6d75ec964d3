"""Editing the bot's texts: drafts, preview through the real core, publish, versions, rollback.

A draft is a new ``ScriptText`` row (version = newest + 1, status ``draft``);
publishing flips it to ``published`` and retires the version it replaces, so the
catalogue (newest published version wins) changes in one commit. Rollback
publishes a copy of an old version as the newest one, so history only grows.
"""

from __future__ import annotations

import difflib
import textwrap
import uuid
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.inbound.route import Outcome
from app.platform import languages as registry
from app.platform.audit import audit
from app.platform.errors import HelplineError, NotFound
from app.platform.models import ScriptText
from app.scripts.service import VARIANTS, ScriptCatalog
from bots.messages import Channel, InboundMessage
from bots.sms_text import sms_segments

MAX_TEXT = 4000
Triple = tuple[str, str, str]


class Core(Protocol):
    """What the preview needs of the conversation core: handle a message with a given catalogue.

    ``app.conversations.service.Conversation`` is the one the container hands in.
    """

    async def handle(self, session: AsyncSession, inbound: InboundMessage, *,
                     scripts: ScriptCatalog | None = None) -> Outcome: ...  # fmt: skip


def check_triple(key: str, language: str, variant: str) -> None:
    if not registry.is_supported(language) or variant not in VARIANTS or not key or len(key) > 64:
        raise HelplineError("unknown language, variant or key")


async def rows_for(session: AsyncSession, key: str) -> list[ScriptText]:
    query = select(ScriptText).where(ScriptText.key == key).order_by(ScriptText.language, ScriptText.variant,
                                                                      ScriptText.version.desc())  # fmt: skip
    return list((await session.scalars(query)).all())


async def all_keys(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(ScriptText.key).distinct().order_by(ScriptText.key))).all())


async def _newest_version(session: AsyncSession, key: str, language: str, variant: str) -> int:
    found = await session.scalar(select(func.max(ScriptText.version)).where(
        ScriptText.key == key, ScriptText.language == language, ScriptText.variant == variant))  # fmt: skip
    return int(found or 0)


async def current_draft(session: AsyncSession, key: str, language: str, variant: str) -> ScriptText | None:
    return await session.scalar(select(ScriptText).where(
        ScriptText.key == key, ScriptText.language == language, ScriptText.variant == variant,
        ScriptText.status == "draft").order_by(ScriptText.version.desc()).limit(1))  # fmt: skip


async def save_draft(session: AsyncSession, key: str, language: str, variant: str, text: str, author: str) -> ScriptText:
    """A new draft row; an older unpublished draft of the same text is retired so only one is pending."""
    check_triple(key, language, variant)
    text = text.replace("\r\n", "\n").strip()
    if not text or len(text) > MAX_TEXT:
        raise HelplineError(f"the text must have 1 to {MAX_TEXT} characters")
    old = await current_draft(session, key, language, variant)
    if old is not None:
        old.status = "retired"
    version = await _newest_version(session, key, language, variant) + 1
    row = ScriptText(key=key, language=language, variant=variant, version=version, status="draft", text=text,
                     needs_review=False, author=author[:64])  # fmt: skip
    session.add(row)
    await session.flush()
    audit(session, author, "script.draft", f"{key}/{language}/{variant}", version=version)
    return row


async def discard_draft(session: AsyncSession, key: str, language: str, variant: str, author: str) -> None:
    draft = await current_draft(session, key, language, variant)
    if draft is not None:
        draft.status = "retired"
        audit(session, author, "script.discard", f"{key}/{language}/{variant}", version=draft.version)


async def publish(session: AsyncSession, key: str, language: str, variant: str, author: str) -> ScriptText:
    """The draft becomes the newest published version; the caller commits, then reloads the catalogue."""
    check_triple(key, language, variant)
    draft = await current_draft(session, key, language, variant)
    if draft is None:
        raise NotFound("there is no draft to publish")
    previous = await session.scalars(select(ScriptText).where(
        ScriptText.key == key, ScriptText.language == language, ScriptText.variant == variant,
        ScriptText.status == "published"))  # fmt: skip
    for row in previous.all():
        row.status = "retired"
    draft.status = "published"
    draft.needs_review = False
    await session.flush()
    audit(session, author, "script.publish", f"{key}/{language}/{variant}", version=draft.version)
    return draft


async def rollback(session: AsyncSession, row_id: int, author: str) -> ScriptText:
    """Publish a copy of an old version as the newest version."""
    old = await session.get(ScriptText, row_id)
    if old is None:
        raise NotFound("no such version")
    await save_draft(session, old.key, old.language, old.variant, old.text, author)
    row = await publish(session, old.key, old.language, old.variant, author)
    audit(session, author, "script.rollback", f"{old.key}/{old.language}/{old.variant}", to_version=old.version,
          new_version=row.version)  # fmt: skip
    return row


async def drafts(session: AsyncSession) -> dict[Triple, str]:
    rows = await session.scalars(select(ScriptText).where(ScriptText.status == "draft").order_by(ScriptText.version))
    return {(r.key, r.language, r.variant): r.text for r in rows.all()}


@dataclass
class PreviewTurn:
    text: str
    replies: list[str] = field(default_factory=list)
    intent: str | None = None
    urgent: bool = False


PREVIEW_CHANNELS: dict[str, Channel] = {"chat": "cli", "voice": "voice", "sms": "sms"}


async def preview(sessionmaker: async_sessionmaker[AsyncSession], scripts: ScriptCatalog, core: Core, language: str,
                  variant: str, messages: list[str]) -> list[PreviewTurn]:  # fmt: skip
    """Run the messages through the real core with every draft applied, in a transaction rolled back after.

    The catalogue is a copy with the drafts laid over the published texts, so the
    answers are exactly what the bot would send once the drafts are published.
    Nothing is kept: no contact, case, message, count or outbox row survives.
    """
    if not registry.is_supported(language) or variant not in VARIANTS:
        raise HelplineError("unknown language or variant")
    channel = PREVIEW_CHANNELS[variant]
    # A throwaway address: a fresh person every preview, never a real number or chat.
    address = f"+7700{uuid.uuid4().int % 10**7:07d}" if channel != "cli" else f"preview-{uuid.uuid4().hex}"
    turns: list[PreviewTurn] = []
    async with sessionmaker() as session:
        try:
            overlay = ScriptCatalog(texts={**scripts.texts, **await drafts(session)})
            await core.handle(session, InboundMessage(channel=channel, external_id=address,
                                                      external_message_id=f"preview-{uuid.uuid4().hex}",
                                                      command=f"language:{language}"), scripts=overlay)  # fmt: skip
            for text in messages:
                outcome = await core.handle(session, InboundMessage(
                    channel=channel, external_id=address, external_message_id=f"preview-{uuid.uuid4().hex}",
                    text=text, language_hint=language), scripts=overlay)  # fmt: skip
                turns.append(PreviewTurn(text, [r.text for r in outcome.replies if r.text], outcome.intent,
                                         outcome.urgent))  # fmt: skip
        finally:
            await session.rollback()
    return turns


def segments(text: str) -> int:
    return sms_segments(text) if text else 0


def diff_html(old: str, new: str, old_label: str, new_label: str) -> str:
    """A side-by-side diff table; difflib escapes the texts, so the HTML is safe to embed."""
    return difflib.HtmlDiff(wrapcolumn=40).make_table(_lines(old), _lines(new), old_label, new_label)


def _lines(text: str) -> list[str]:
    """Short lines, so a one-paragraph text still shows which words changed."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        out += textwrap.wrap(paragraph, 50) or [""]
    return out
