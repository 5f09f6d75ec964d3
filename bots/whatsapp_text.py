"""WhatsApp text rules with no provider import: numbered options and the body limit.

Without an approved quick-reply template WhatsApp shows no buttons, so a
reply's buttons become numbered lines ("1 — Русский") the person can type
back. The conversation core keeps the numbers' commands (``option_commands``)
and the adapter writes the lines (``with_options``): both number the buttons
in the same order, row by row.
"""

from __future__ import annotations

from bots.messages import Button

MAX_BODY = 1600  # Twilio's limit for one WhatsApp message body


def flat(buttons: tuple[tuple[Button, ...], ...]) -> list[Button]:
    return [button for row in buttons for button in row]


def option_commands(buttons: tuple[tuple[Button, ...], ...]) -> dict[str, str]:
    """{"1": "lang:ru", "2": "lang:kk", ...}: what typing each number means."""
    return {str(n): button.data for n, button in enumerate(flat(buttons), start=1)}


def with_options(text: str, buttons: tuple[tuple[Button, ...], ...]) -> str:
    """The body followed by one numbered line per button, cut to WhatsApp's limit."""
    lines = [f"{n} — {button.label}" for n, button in enumerate(flat(buttons), start=1)]
    body = text + ("\n\n" + "\n".join(lines) if lines else "")
    return body if len(body) <= MAX_BODY else body[: MAX_BODY - 1].rstrip() + "…"
