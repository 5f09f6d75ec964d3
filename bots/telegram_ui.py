"""Telegram-specific rendering of the channel-neutral parts of an OutboundMessage."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bots.messages import Button

# Telegram refuses callback_data longer than 64 bytes and messages over 4096 characters.
MAX_CALLBACK_DATA_BYTES = 64
MAX_TEXT_CHARS = 4096


def inline_keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """Build an inline keyboard, or None so Telegram keeps/clears no markup by accident."""
    if not rows:
        return None
    for row in rows:
        for button in row:
            if len(button.data.encode()) > MAX_CALLBACK_DATA_BYTES:
                raise ValueError("button data longer than Telegram's 64-byte limit")
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=b.label, callback_data=b.data) for b in row] for row in rows if row]
    )


def fit_text(text: str) -> str:
    """Cut text to Telegram's limit; scripts are short, this only guards against a 400."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return text[: MAX_TEXT_CHARS - 1].rstrip() + "…"


def chat_id_value(address: str) -> int | str:
    """Telegram chat ids are integers; keep anything else (e.g. @channel) as given."""
    try:
        return int(address)
    except ValueError:
        return address
