"""Structured logs that carry case aliases and never a person's identifiers or words.

Code logs aliases, intents and counts only; the redaction filter is a second
line of defence that masks anything shaped like a phone number or chat id, and
third-party loggers that print numbers (twilio's http client) are turned down.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

_DIGITS = re.compile(r"\+?\d[\d\s\-()]{6,}\d")
_NOISY = ("twilio.http_client", "aiogram.event", "aiogram.dispatcher", "httpx", "httpcore", "aiosqlite", "asyncio")
_EXTRA_FIELDS = ("case", "channel", "intent", "status", "attempts", "outbox", "event", "operator", "count")


def redact(text: str) -> str:
    return _DIGITS.sub("[redacted]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not kill logging
            message = str(record.msg)
        record.msg = redact(message)
        record.args = ()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in _EXTRA_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", json_output: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_output else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in _NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers = []
        lg.propagate = True
    # Access logs carry webhook query strings and client addresses: keep them out.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
