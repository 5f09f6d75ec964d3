"""Keep third-party libraries from writing phone numbers, chat ids and texts into our logs."""

from __future__ import annotations

import logging

# twilio.http_client logs every request URL and form at INFO (To/From numbers);
# aiogram's event/dispatcher loggers describe updates they handle.
NOISY_LOGGERS: tuple[str, ...] = (
    "twilio.http_client",
    "twilio.async_http_client",
    "aiogram.event",
    "aiogram.dispatcher",
    "aiogram.middlewares",
    "aiogram.webhook",
    "aiogram.scene",
)


def silence_third_party_loggers(level: int = logging.WARNING) -> None:
    """Raise the threshold of loggers known to dump identifiers; call once at start-up."""
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(level)
