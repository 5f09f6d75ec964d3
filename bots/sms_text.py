"""SMS text arithmetic: how many billed parts a text takes, and cutting it to fit.

Pure functions with no provider import, so the conversation core can fit its
SMS replies without depending on a channel adapter (``bots.twilio_sms``
re-exports them for the adapter's own callers).
"""

from __future__ import annotations

import math
import unicodedata

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")  # each costs two septets


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def _units(text: str) -> tuple[int, int, int]:
    """(length in encoding units, single-segment limit, per-segment limit when concatenated)."""
    if is_gsm7(text):
        return sum(2 if ch in GSM7_EXTENDED else 1 for ch in text), 160, 153
    return len(text.encode("utf-16-le")) // 2, 70, 67


def sms_segments(text: str) -> int:
    """How many SMS parts Twilio bills for ``text`` (GSM-7 160/153, else UCS-2 70/67)."""
    units, single, multi = _units(text)
    return 1 if units <= single else math.ceil(units / multi)


def fit_sms(text: str, max_segments: int = 2) -> str:
    """Cut ``text`` on a word boundary so it fits ``max_segments`` parts, marking the cut.

    GSM-7 texts are marked with "..." because "…" is not GSM-7 and would switch the
    whole message to UCS-2, more than halving what fits.
    """
    if sms_segments(text) <= max_segments:
        return text
    ellipsis = "..." if is_gsm7(text) else "…"
    low, high = 0, len(text)  # longest prefix that fits with the ellipsis
    while low < high:
        mid = (low + high + 1) // 2
        if sms_segments(text[:mid].rstrip() + ellipsis) <= max_segments:
            low = mid
        else:
            high = mid - 1
    cut = text[:low]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > low // 2 and not text[low : low + 1].isspace():
        cut = cut[:space]
    cut = cut.rstrip()
    while cut and unicodedata.category(cut[-1]).startswith("P") and cut[-1] not in ")»\"'":
        cut = cut[:-1]
    return cut.rstrip() + ellipsis
