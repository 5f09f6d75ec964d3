"""Interface strings for the workspaces in ru, kk, uz (Latin) and en, English as the fallback.

Coordinators and operators read these; the bot's own texts live in scripts.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

UI_LANGUAGES = ("ru", "kk", "uz", "en")
LANGUAGE_NAMES = {"ru": "Русский", "kk": "Қазақша", "uz": "O‘zbekcha", "en": "English"}
_DIR = Path(__file__).parent


@cache
def catalog(lang: str) -> dict[str, str]:
    path = _DIR / f"{lang}.yml"
    if lang not in UI_LANGUAGES or not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}


def translate(lang: str, key: str, **values: object) -> str:
    """The string in ``lang``, else English, else the key itself (visible, never a crash)."""
    text = catalog(lang).get(key) or catalog("en").get(key) or key
    if values:
        try:
            text = text.format(**values)
        except (KeyError, IndexError, ValueError):
            pass
    return text


def pick_language(query: str | None, cookie: str | None, preferred: list[str] | None, accept: str | None) -> str:
    """?lang= first, then the remembered choice, the operator's first language, the browser's."""
    for candidate in (query, cookie, *(preferred or [])[:1]):
        if candidate in UI_LANGUAGES:
            return candidate
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in UI_LANGUAGES:
            return code
    return "en"
