"""Finding referral entries for a person's message, formatting them, seeding placeholders.

The place table (city and country spellings in ru/kk/uz/en) lives in
``seed.yml`` next to the placeholder entries, so coordinators' wording and
the matcher stay in one file.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform import languages as registry, yamlfile
from app.platform.models import ReferralEntry

SEED = Path(__file__).with_name("seed.yml")
KINDS = ("shelter", "legal", "medical", "consulate", "iom", "ngo", "hotline")
COUNTRIES = ("KZ", "UZ", "KG", "TJ", "RU", "TR", "AE", "KR")
TEXT_FIELDS = ("name", "description", "hours", "how_to_reach")
STALE_DAYS = 180


def text_languages() -> tuple[str, ...]:
    """The languages an entry's texts are written in: the registry's languages people write to the bot in."""
    import nlu

    return tuple(code for code in registry.codes() if code in nlu.LANGUAGES)

MAX_RESULTS = 3
_WORD = re.compile(r"[\w'ʻʼ‘’-]+", re.UNICODE)


@cache
def _seed() -> dict[str, Any]:
    return yamlfile.parse(SEED.read_text(encoding="utf-8")) or {}


def places() -> dict[str, dict[str, Any]]:
    """city key → {country, names}; for the admin form's city list and the matcher."""
    return dict(_seed().get("places") or {})


def preload() -> None:
    """Read the place table now (at start), not inside the first conversation that names a city."""
    _place_index()


def _matches(stem: str, words: list[str]) -> bool:
    stem = stem.lower()
    # Short names ("Ош", "ОАЭ") must be the whole word, or "ошибка" would be Osh.
    if len(stem) <= 3:
        return stem in words
    return any(word.startswith(stem) for word in words)


@cache
def _place_index() -> tuple[dict[str, int], dict[str, list[tuple[str, int]]], list[tuple[str | None, str]]]:
    """The place table as lookups: whole words for short names, 4-letter prefixes for stems.

    Each name points at its place's rank (cities in table order, then countries), so a city still wins
    over a country and the first place in the table over a later one, as reading the table in order would;
    a message is then read in one pass over its words instead of one pass per name.
    """
    ranked: list[tuple[str | None, str]] = []
    whole: dict[str, int] = {}
    stems: dict[str, list[tuple[str, int]]] = {}
    names: list[tuple[str, int]] = []
    for city, info in places().items():
        names += [(name, len(ranked)) for name in info.get("names") or ()]
        ranked.append((city, str(info["country"])))
    for country, spellings in (_seed().get("countries") or {}).items():
        names += [(name, len(ranked)) for name in spellings or ()]
        ranked.append((None, str(country)))
    for name, rank in names:
        stem = name.lower()
        if len(stem) <= 3:  # short names ("Ош", "ОАЭ") must be the whole word, or "ошибка" would be Osh
            whole[stem] = min(rank, whole.get(stem, rank))
        else:
            stems.setdefault(stem[:4], []).append((stem, rank))
    return whole, stems, ranked


def find_place(text: str) -> tuple[str | None, str | None]:
    """(city key, country) named in the text; a city wins over a country; (None, None) when neither."""
    whole, stems, ranked = _place_index()
    best = len(ranked)
    for word in _WORD.findall(text.lower()):
        word = word.replace("ʻ", "'").replace("’", "'").replace("‘", "'").replace("ʼ", "'")
        best = min(best, whole.get(word, best))
        for stem, rank in stems.get(word[:4], ()):
            if rank < best and word.startswith(stem):
                best = rank
    if best == len(ranked):
        return None, None
    return ranked[best]


def localized(texts: dict[str, str] | None, language: str | None) -> str:
    """The text in the language, else Russian (read by most), else any there is."""
    texts = texts or {}
    for lang in (*registry.fallback_chain(language), *text_languages()):
        if lang and (texts.get(lang) or "").strip():
            return texts[lang].strip()
    return ""


def needs_translation(entry: ReferralEntry) -> list[str]:
    """The languages an entry still lacks: a field written in one language but empty in these.

    People writing in such a language read the entry in its fallback (``localized``) until someone translates it.
    """
    fields = [getattr(entry, f) or {} for f in TEXT_FIELDS]
    used = [texts for texts in fields if any((v or "").strip() for v in texts.values())]
    return [lang for lang in text_languages() if any(not (texts.get(lang) or "").strip() for texts in used)]


def format_entry(entry: ReferralEntry, language: str | None) -> str:
    """One entry as a short paragraph a person can act on."""
    parts = [localized(entry.name, language)]
    for field in ("description", "hours", "how_to_reach"):
        text = localized(getattr(entry, field), language)
        if text:
            parts.append(text)
    return "\n".join(p for p in parts if p)


async def referrals_for(session: AsyncSession, text: str, language: str | None, *,
                        country: str | None = None) -> list[str]:  # fmt: skip
    """Up to 3 active entries for the city (else the country) named in the message, formatted in the language.

    ``country`` is where the person said they are earlier in the case, used when this message names no place.
    """
    city, named = find_place(text)
    country = named or country
    if country is None:
        return []
    # Never-verified entries (the "[verify]" placeholders) are for coordinators, not for a person at risk.
    query = select(ReferralEntry).where(ReferralEntry.active.is_(True), ReferralEntry.country == country,
                                        ReferralEntry.last_verified.is_not(None))  # fmt: skip
    rows = list((await session.scalars(query.order_by(ReferralEntry.id))).all())
    if city is not None:
        # The city's own entries first, then country-wide ones (hotlines); never another city's.
        rows = [r for r in rows if r.city == city] + [r for r in rows if not r.city]
    return [format_entry(r, language) for r in rows[:MAX_RESULTS]]


async def referral_message(session: AsyncSession, text: str, language: str | None, heading: str, *,
                           country: str | None = None) -> str:  # fmt: skip
    """The extra bot message for the core: the heading (a bot text) and the entries, or "" when nothing matched."""
    found = await referrals_for(session, text, language, country=country)
    if not found:
        return ""
    return "\n\n".join([heading, *found])


def stale_before(today: date) -> date:
    return today - timedelta(days=STALE_DAYS)


def is_stale(entry: ReferralEntry, today: date) -> bool:
    return entry.last_verified is None or entry.last_verified < stale_before(today)


async def seed_referrals(session: AsyncSession) -> int:
    """Load the placeholder entries into an empty directory; returns how many were added (0 when not empty)."""
    if await session.scalar(select(func.count()).select_from(ReferralEntry)):
        return 0
    entries = _seed().get("entries") or []
    for item in entries:
        session.add(ReferralEntry(
            kind=item["kind"], country=item["country"], city=item.get("city") or "",
            name=dict(item.get("name") or {}), description=dict(item.get("description") or {}),
            hours=dict(item.get("hours") or {}),
            how_to_reach=dict(item.get("how_to_reach") or {lang: "[coordinator: add]" for lang in text_languages()}),
            last_verified=None, active=True,
        ))  # fmt: skip
    await session.flush()
    return len(entries)


async def active_entries(session: AsyncSession) -> list[ReferralEntry]:
    """Every active entry, in the directory's order (country, city, kind)."""
    query = select(ReferralEntry).where(ReferralEntry.active.is_(True))
    return list((await session.scalars(query.order_by(ReferralEntry.country, ReferralEntry.city, ReferralEntry.kind,
                                                      ReferralEntry.id))).all())  # fmt: skip


async def referral_choices(session: AsyncSession, language: str | None) -> list[tuple[str, str]]:
    """(label, text) of every active entry, for the "insert referral" picker on the case page."""
    lang = language if language in text_languages() else "ru"
    return [(f"{e.country}{' · ' + e.city if e.city else ''} · {localized(e.name, lang)}", format_entry(e, lang))
            for e in await active_entries(session)]  # fmt: skip
