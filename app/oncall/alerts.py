"""Alert texts for operators: case alias, language, intent, reasons, waiting time — never the person.

Operators read alerts in their own first language; the texts are alert_texts/<language>.yml.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from app.platform import languages as registry, yamlfile
from app.web.i18n import translate
from routing import AlertInfo

ALERT_TEXTS = Path(__file__).with_name("alert_texts")


@cache
def _texts(lang: str) -> dict[str, str]:
    path = ALERT_TEXTS / f"{lang}.yml"
    if not registry.is_supported(lang) or not path.exists():
        return {}
    return {str(k): str(v) for k, v in (yamlfile.parse(path.read_text(encoding="utf-8")) or {}).items()}


def preload() -> None:
    """Read every language's alert texts now (at start): the first urgent alert must not wait on files."""
    for code in registry.codes():
        _texts(code)


def text(key: str, reader: str | None, **values: object) -> str:
    """``reader`` is the operator's language; ``lang`` in values is the case's."""
    chain = registry.fallback_chain(reader) if registry.is_supported(reader) else ("en",)
    template = next((_texts(x)[key] for x in chain if key in _texts(x)), None)
    if template is None:
        raise KeyError(key)
    return template.format(**values)


def waiting(seconds: int) -> str:
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def reason_names(codes: tuple[str, ...] | list[str], reader: str | None) -> str:
    """Urgency reasons (category codes) as the operator reads them, in their language."""
    lang = reader if registry.is_supported(reader) else "en"
    return ", ".join(translate(lang, f"reason.{code}") for code in codes) or "—"


def alert_text(alert: AlertInfo, language: str | None, key: str = "alert") -> str:
    return text(key, language, case=alert.case, lang=alert.language or "?", intent=alert.intent or "?",
                reasons=reason_names(alert.urgent_reasons, language), wait=waiting(alert.waiting_seconds))  # fmt: skip
