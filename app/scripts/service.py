"""The bot's texts: seeded from YAML files, kept in the database, versioned.

Coordinators edit drafts and publish new versions; the bot reads the newest
published text of (key, language, variant), falling back to the chat variant,
then English, then Russian, so a missing translation never leaves a person
without an answer. A text that waits for review or still holds a coordinator's
``[...]`` note is never sent: the newest finished version is, and for emergency
numbers the short universal line (``numbers112.<country>``) seeded beside them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.db import create_engine, create_sessionmaker, serialized, session_scope
from app.platform.models import ScriptText

log = logging.getLogger("helpline.scripts")

SEED_DIR = Path(__file__).parent / "seed"
LANGUAGES = ("ru", "kk", "uz", "en")
VARIANTS = ("chat", "sms", "voice")
LANGUAGE_COUNTRY = {"kk": "KZ", "uz": "UZ"}
UNIVERSAL_NUMBERS = "numbers112"
# A coordinator's note left in a text: "[координатор: ...]", "[coordinator: verify]".
PLACEHOLDER = re.compile(r"\[[^\]]*\]|\[")


@dataclass(frozen=True, slots=True)
class SeedEntry:
    key: str
    language: str
    variant: str
    text: str
    needs_review: bool = False


def load_seed(seed_dir: Path = SEED_DIR) -> list[SeedEntry]:
    """Read every seed file into flat entries; emergency numbers and labels become keys too."""
    entries: list[SeedEntry] = []
    for path in sorted(seed_dir.glob("*.yml")):
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        lang = data.get("language", path.stem)
        for key, variants in (data.get("texts") or {}).items():
            for variant, text in (variants or {}).items():
                if variant in VARIANTS and text:
                    entries.append(SeedEntry(key, lang, variant, str(text).strip()))
        for key, text in (data.get("labels") or {}).items():
            entries.append(SeedEntry(f"label.{key}", lang, "chat", str(text).strip()))
        for country, spec in (data.get("emergency_numbers") or {}).items():
            spec = spec if isinstance(spec, dict) else {"text": spec}
            entries.append(
                SeedEntry(f"numbers.{country}", lang, "chat", str(spec["text"]).strip(), bool(spec.get("needs_review")))
            )
            if spec.get("short"):
                entries.append(SeedEntry(f"{UNIVERSAL_NUMBERS}.{country}", lang, "chat", str(spec["short"]).strip()))
    return entries


def unfinished(text: str, needs_review: bool) -> bool:
    """True for a text that must not reach a person yet: marked for review, or holding a ``[...]`` note."""
    return needs_review or bool(PLACEHOLDER.search(text))


async def unfinished_texts(session: AsyncSession) -> list[tuple[str, str, str]]:
    """(key, language, variant) whose newest published version is unfinished; people get an older one meanwhile."""
    rows = await session.execute(
        select(ScriptText.key, ScriptText.language, ScriptText.variant, ScriptText.text, ScriptText.needs_review)
        .where(ScriptText.status == "published")
        .order_by(ScriptText.version.desc())
    )
    seen: set[tuple[str, str, str]] = set()
    found: list[tuple[str, str, str]] = []
    for key, lang, variant, text, review in rows.all():
        if (key, lang, variant) in seen:
            continue
        seen.add((key, lang, variant))
        if not key.startswith("audio.") and unfinished(text, review):
            found.append((key, lang, variant))
    return sorted(found)


async def seed_scripts(session: AsyncSession, seed_dir: Path = SEED_DIR) -> int:
    """Insert seed texts whose (key, language, variant) has no version yet; never overwrite edits."""
    existing: set[tuple[str, str, str]] = {
        (k, lang, v) for k, lang, v in (await session.execute(select(ScriptText.key, ScriptText.language, ScriptText.variant))).all()
    }
    added = 0
    for entry in load_seed(seed_dir):
        if (entry.key, entry.language, entry.variant) in existing:
            continue
        session.add(
            ScriptText(
                key=entry.key, language=entry.language, variant=entry.variant, version=1,
                status="published", text=entry.text, needs_review=entry.needs_review, author="seed",
            )
        )  # fmt: skip
        existing.add((entry.key, entry.language, entry.variant))
        added += 1
    await session.flush()
    return added


async def seed_database(database_url: str) -> int:
    """Seed the bot's texts into a migrated database, in a transaction of its own (migrate, serve, chat, tests)."""
    engine = create_engine(database_url)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            await serialized(session, "helpline.seed")  # two instances starting at once seed once
            return await seed_scripts(session)
    finally:
        await engine.dispose()


@dataclass
class ScriptCatalog:
    """An in-memory copy of the published texts; reloaded after every publish."""

    texts: dict[tuple[str, str, str], str] = field(default_factory=dict)
    generation: int = 0

    async def reload(self, session: AsyncSession) -> None:
        """The newest finished published version of every text (an unfinished newer one waits for review)."""
        rows = await session.execute(
            select(ScriptText.key, ScriptText.language, ScriptText.variant, ScriptText.text, ScriptText.needs_review)
            .where(ScriptText.status == "published")
            .order_by(ScriptText.version.desc())
        )
        texts: dict[tuple[str, str, str], str] = {}
        for k, lang, v, text, review in rows.all():
            if (k, lang, v) not in texts and not unfinished(text, review):
                texts[(k, lang, v)] = text
        self.texts = texts
        self.generation += 1

    def get(self, key: str, language: str | None, variant: str = "chat", *, country: str | None = None,
            **values: str) -> str:  # fmt: skip
        """The text to send, with placeholders filled; never raises for a missing text.

        ``{numbers}`` is filled with the emergency numbers for ``country`` (or the language's) unless given.
        """
        lang = language if language in LANGUAGES else "ru"
        for candidate in ((key, lang, variant), (key, lang, "chat"), (key, "en", variant), (key, "en", "chat"), (key, "ru", "chat")):
            if candidate in self.texts:
                text = self.texts[candidate]
                break
        else:
            log.warning("script text missing: %s", key)
            return ""
        if "{numbers}" in text and "numbers" not in values:
            values["numbers"] = self.numbers(country, language)
        if values:
            text = text.format_map(_Defaults(values))
        return text

    def label(self, name: str, language: str | None) -> str:
        return self.get(f"label.{name}", language) or name

    def numbers(self, country: str | None, language: str | None) -> str:
        """The country's numbers in the person's language; its short universal line while the full one waits."""
        lang = language if language in LANGUAGES else "ru"
        country = country or LANGUAGE_COUNTRY.get(lang or "", "default")
        for place in dict.fromkeys((country, "default")):
            for text_lang in dict.fromkeys((lang, "en", "ru")):
                for key in (f"numbers.{place}", f"{UNIVERSAL_NUMBERS}.{place}"):
                    if (key, text_lang, "chat") in self.texts:
                        return self.texts[(key, text_lang, "chat")]
        return "112"


class _Defaults(dict):
    """str.format_map that leaves unknown placeholders visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
