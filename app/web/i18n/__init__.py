"""Interface strings for the workspaces, the web chat and operators' alerts, one file per language.

The languages are the registry's (app/platform/languages.yml); a missing string is read in the
language's fallbacks, then English. Coordinators and operators read these; the bot's own texts
live in scripts.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from app.platform import languages as registry, yamlfile

I18N_DIR = Path(__file__).parent


def ui_languages() -> tuple[str, ...]:
    return registry.codes()


def language_names() -> dict[str, str]:
    return registry.names()


def text_direction(lang: str) -> str:
    entry = registry.get(lang)
    return entry.direction if entry else "ltr"


@cache
def _read(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    data = yamlfile.parse(path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}


def catalog(lang: str, directory: Path | None = None) -> dict[str, str]:
    if not registry.is_supported(lang):
        return {}
    return _read((directory or I18N_DIR) / f"{lang}.yml")


@cache
def _table(lang: str, registry_file: Path) -> dict[str, str]:
    """Every string ``lang`` shows, its fallbacks' filling the gaps: one dict lookup per string on a page."""
    chain = registry.fallback_chain(lang) if registry.is_supported(lang) else ("en",)
    table: dict[str, str] = {}
    for code in reversed(chain):
        table.update({k: v for k, v in catalog(code).items() if v})
    return table


def translate(lang: str, key: str, **values: object) -> str:
    """The string in ``lang``, else its fallbacks and English, else the key itself (visible, never a crash)."""
    text = _table(lang, registry.registry_file()).get(key, key)
    if values:
        try:
            text = text.format(**values)
        except (KeyError, IndexError, ValueError):
            pass
    return text


def preload() -> None:
    """Read every catalog now (at start), not when the first page or operator alert needs it."""
    for code in (*registry.codes(), "en"):
        _table(code, registry.registry_file())


def pick_language(query: str | None, cookie: str | None, preferred: list[str] | None, accept: str | None) -> str:
    """?lang= first, then the remembered choice, the operator's first language, the browser's."""
    for candidate in (query, cookie, *(preferred or [])[:1]):
        if registry.is_supported(candidate):
            return candidate
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip().lower().split("-")[0]
        if registry.is_supported(code):
            return code
    return "en"
