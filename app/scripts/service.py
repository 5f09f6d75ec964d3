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
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform import languages as registry, yamlfile
from app.platform.db import create_engine, create_sessionmaker, serialized, session_scope
from app.platform.models import ScriptText, utcnow
from app.scripts.translit import UZ_CYRILLIC, uz_latin_to_cyrillic

log = logging.getLogger("helpline.scripts")

SEED_DIR = Path(__file__).parent / "seed"
VARIANTS = ("chat", "sms", "voice")
# A script variant: texts of its own where a coordinator wrote one, else generated from the base language's.
SCRIPT_VARIANTS = {UZ_CYRILLIC: ("uz", uz_latin_to_cyrillic)}
# Every language with texts: those of the registry (app/platform/languages.yml) and the script variants.
LANGUAGES = (*registry.codes(), *SCRIPT_VARIANTS)
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
    author: str = "seed"


def load_seed(seed_dir: Path = SEED_DIR) -> list[SeedEntry]:
    """Every seed entry (see ``_load_seed``), read again only after a seed file changes."""
    stats = [(p.name, p.stat()) for p in sorted(seed_dir.glob("*.yml"))]
    return list(_load_seed(seed_dir, tuple((name, st.st_mtime_ns, st.st_size) for name, st in stats)))


@lru_cache(maxsize=8)
def _load_seed(seed_dir: Path, _signature: tuple[tuple[str, int, int], ...]) -> tuple[SeedEntry, ...]:
    """Read every seed file into flat entries; emergency numbers and labels become keys too.

    A script variant without a seed file of its own is generated from its base language,
    so coordinators review (and may edit) the Cyrillic Uzbek texts like any others.
    """
    entries = _seed_files(seed_dir)
    own = {e.language for e in entries}
    for variant_lang, (base, convert) in SCRIPT_VARIANTS.items():
        if variant_lang not in own:
            entries += [SeedEntry(e.key, variant_lang, e.variant, convert(e.text), e.needs_review, "translit")
                        for e in entries if e.language == base]  # fmt: skip
    return tuple(entries)


def _seed_files(seed_dir: Path) -> list[SeedEntry]:
    entries: list[SeedEntry] = []
    for path in sorted(seed_dir.glob("*.yml")):
        data: dict[str, Any] = yamlfile.parse(path.read_text(encoding="utf-8")) or {}
        lang = data.get("language", path.stem)
        # Legal and safety statements a native speaker has yet to read are flagged for review in the admin.
        review = set(data.get("needs_review") or ())
        for key, variants in (data.get("texts") or {}).items():
            for variant, text in (variants or {}).items():
                if variant in VARIANTS and text:
                    entries.append(SeedEntry(key, lang, variant, str(text).strip(), key in review))
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
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for entry in load_seed(seed_dir):
        if (entry.key, entry.language, entry.variant) in existing:
            continue
        rows.append({
            "key": entry.key, "language": entry.language, "variant": entry.variant, "version": 1,
            "status": "published", "text": entry.text, "needs_review": entry.needs_review, "author": entry.author,
            "created_at": now,
        })  # fmt: skip
        existing.add((entry.key, entry.language, entry.variant))
    # One multi-row insert: a fresh database takes ~1,600 texts; one ORM object each took most of a second.
    if rows:
        await session.execute(insert(ScriptText), rows)
    return len(rows)


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
        text = self._template(key, language, variant)
        if text is None:
            log.warning("script text missing: %s", key)
            return ""
        if "{numbers}" in text and "numbers" not in values:
            values["numbers"] = self.numbers(country, language)
        if values:
            text = text.format_map(_Defaults(values))
        return text

    def _template(self, key: str, language: str | None, variant: str) -> str | None:
        if language in SCRIPT_VARIANTS:
            for v in dict.fromkeys((variant, "chat")):
                text = self._exact(key, language, v)
                if text is not None:
                    return text
            language = SCRIPT_VARIANTS[language][0]
        chain = registry.fallback_chain(language if registry.is_supported(language) else "ru")
        for candidate in ((key, lang, v) for lang in chain for v in dict.fromkeys((variant, "chat"))):
            if candidate in self.texts:
                return self.texts[candidate]
        return None

    def _exact(self, key: str, language: str, variant: str) -> str | None:
        """This very slot; for a script variant without a text of its own, its base language's, converted."""
        if (key, language, variant) in self.texts:
            return self.texts[(key, language, variant)]
        if language in SCRIPT_VARIANTS:
            base, convert = SCRIPT_VARIANTS[language]
            if (key, base, variant) in self.texts:
                return convert(self.texts[(key, base, variant)])
        return None

    def has(self, key: str) -> bool:
        """Some published text exists for ``key`` (in any language)."""
        return any(k == key for k, _, _ in self.texts)

    def label(self, name: str, language: str | None) -> str:
        return self.get(f"label.{name}", language) or name

    def numbers(self, country: str | None, language: str | None) -> str:
        """The country's numbers in the person's language; its short universal line while the full one waits."""
        base = SCRIPT_VARIANTS[language][0] if language in SCRIPT_VARIANTS else language
        lang = base if registry.is_supported(base) else "ru"
        country = country or registry.home_country(lang) or "default"
        # A script variant reads its own (or converted) line first, then its base language's chain.
        chain = ((language,) if language in SCRIPT_VARIANTS else ()) + registry.fallback_chain(lang)
        for place in dict.fromkeys((country, "default")):
            for text_lang in chain:
                for key in (f"numbers.{place}", f"{UNIVERSAL_NUMBERS}.{place}"):
                    text = self._exact(key, text_lang, "chat")
                    if text is not None:
                        return text
        return "112"


class _Defaults(dict):
    """str.format_map that leaves unknown placeholders visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
