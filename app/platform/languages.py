"""The language registry: the one list of languages every part of the app reads.

The entries live in ``languages.yml`` beside this module (or the file named by
``HELPLINE_LANGUAGES_FILE``), so adding a language is a line there plus data and
texts, never a code change. Everything is read on demand and cached, so a test can
point the registry at another file with ``use()``. ``HELPLINE_LANGUAGES_FILE`` is read once, at
first use: the registry is consulted thousands of times per page (every translated string), so
lookups go through a per-file index, not the environment and a scan.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeGuard

from app.platform import yamlfile

DEFAULT_FILE = Path(__file__).with_name("languages.yml")
# Texts missing in a language and its fallbacks are read in these, in this order.
LAST_RESORT = ("en", "ru")
_CODE = re.compile(r"^[a-z]{2,3}(-[a-z]{4})?$")
_override: Path | None = None
_configured: Path | None = None  # the environment's choice, read once


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    name: str
    scripts: tuple[str, ...] = ("Cyrl",)
    direction: str = "ltr"
    fallback: str | None = None
    country: str | None = None
    timezone: str | None = None
    voice_digit: str | None = None
    tts: str | None = None
    speech: str | None = None


class RegistryError(ValueError):
    """The registry file is malformed: the app refuses to start rather than guess."""


def registry_file() -> Path:
    global _configured
    if _override is not None:
        return _override
    if _configured is None:
        env = os.environ.get("HELPLINE_LANGUAGES_FILE")
        _configured = Path(env) if env else DEFAULT_FILE
    return _configured


@cache
def _load(path: Path) -> tuple[Language, ...]:
    data = yamlfile.parse(path.read_text(encoding="utf-8")) or {}
    out: list[Language] = []
    for i, row in enumerate(data.get("languages") or []):
        code = str(row.get("code", "")).strip()
        if not _CODE.match(code) or not str(row.get("name", "")).strip():
            raise RegistryError(f"{path}: entry {i + 1} needs a code (like 'ky') and its name in itself")
        if row.get("direction", "ltr") not in ("ltr", "rtl"):
            raise RegistryError(f"{path}: {code}: direction is ltr or rtl")
        digit = row.get("voice_digit")
        out.append(Language(
            code=code, name=str(row["name"]).strip(), scripts=tuple(row.get("scripts") or ("Cyrl",)),
            direction=str(row.get("direction", "ltr")), fallback=row.get("fallback") or None,
            country=row.get("country") or None, timezone=row.get("timezone") or None, voice_digit=str(digit) if digit is not None else None,
            tts=row.get("tts") or None, speech=row.get("speech") or None,
        ))  # fmt: skip
    codes = [x.code for x in out]
    if len(set(codes)) != len(codes):
        raise RegistryError(f"{path}: a language is listed twice")
    for lang in out:
        if lang.fallback is not None and lang.fallback not in codes:
            raise RegistryError(f"{path}: {lang.code}: fallback {lang.fallback} is not in the registry")
    digits = [x.voice_digit for x in out if x.voice_digit]
    if len(set(digits)) != len(digits) or any(not (d.isdigit() and len(d) == 1 and d != "0") for d in digits):
        raise RegistryError(f"{path}: voice digits are distinct single keys 1-9 (0 is the operator)")
    return tuple(out)


@cache
def _index(path: Path) -> dict[str, Language]:
    return {x.code: x for x in _load(path)}


def registry() -> tuple[Language, ...]:
    """Every language, in the order pickers and menus show them."""
    return _load(registry_file())


def codes() -> tuple[str, ...]:
    return tuple(_index(registry_file()))


def get(code: str | None) -> Language | None:
    return _index(registry_file()).get(code) if isinstance(code, str) else None


def is_supported(code: object) -> TypeGuard[str]:
    return isinstance(code, str) and code in _index(registry_file())


def names() -> dict[str, str]:
    """Each language's name in itself."""
    return {x.code: x.name for x in registry()}


def fallback_chain(code: str | None) -> tuple[str, ...]:
    """Where a missing text is looked for: the language, its fallbacks, then English and Russian."""
    return _chain(code, registry_file())


@cache
def _chain(code: str | None, path: Path) -> tuple[str, ...]:
    chain: list[str] = []
    index = _index(path)
    current = index.get(code) if isinstance(code, str) else None
    while current is not None and current.code not in chain:
        chain.append(current.code)
        current = index.get(current.fallback) if current.fallback else None
    return tuple(chain + [x for x in LAST_RESORT if x not in chain])


def home_country(code: str | None) -> str | None:
    lang = get(code)
    return lang.country if lang else None


def voice_menu() -> dict[str, str]:
    """Key → language of the phone line's first menu, in menu order."""
    return {x.voice_digit: x.code for x in registry() if x.voice_digit}


@contextmanager
def use(path: Path) -> Iterator[None]:
    """Read the registry from another file for a while (tests of a made-up language)."""
    global _override
    previous, _override = _override, Path(path)
    try:
        yield
    finally:
        _override = previous
