"""A moment said as people say it, in their own time zone: "tomorrow at 9:00", never a UTC timestamp."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from app.platform import languages as registry

SEED_DIR = Path(__file__).parent / "seed"
FIELDS = ("today", "tomorrow", "day", "date", "days", "months")


@cache
def _words_of(lang: str) -> dict[str, object]:
    """The ``when:`` block of a language's seed file: today / tomorrow / a weekday / a date, each with the time."""
    path = SEED_DIR / f"{lang}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    words = (data or {}).get("when") or {}
    return dict(words) if all(k in words for k in FIELDS) else {}


def _words(language: str | None) -> dict[str, object]:
    chain = registry.fallback_chain(language if registry.is_supported(language) else "ru")
    return next((w for w in map(_words_of, chain) if w), {})


def say_when(moment: datetime, now: datetime, timezone: str, language: str | None) -> str:
    """``moment`` in words for someone living in ``timezone``, relative to ``now`` (both tz-aware)."""
    words = _words(language)
    zone = ZoneInfo(timezone)
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    clock = f"{local.hour}:{local.minute:02d}"
    days_ahead = (local.date() - today).days
    if days_ahead <= 0:
        return str(words["today"]).format(t=clock)
    if days_ahead == 1:
        return str(words["tomorrow"]).format(t=clock)
    if days_ahead < 7:
        return str(words["day"]).format(d=words["days"][local.weekday()], t=clock)  # type: ignore[index]
    return str(words["date"]).format(n=local.day, m=words["months"][local.month - 1], t=clock)  # type: ignore[index]
