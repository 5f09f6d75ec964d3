"""Uzbek Latin → Uzbek Cyrillic for the bot's own texts.

A person who writes Uzbek in Cyrillic is answered in Cyrillic. The Cyrillic texts are
generated from the reviewed Latin ones (so a coordinator edits one text, not two) and
seeded as their own script variant, which a coordinator may then edit like any text.
Placeholders (``{numbers}``), commands (``/erase``), links and phone numbers are left as
they are: they are read by machines or dialled, not read as Uzbek words.
"""

from __future__ import annotations

import re

UZ_CYRILLIC = "uz-Cyrl"
# Every way an Uzbek apostrophe reaches a text: ASCII, okina, modifier and curly quotes, backtick.
APOSTROPHES = "'ʻʼ’‘`´"
_APOSTROPHE_RE = re.compile(f"[{APOSTROPHES}]")
_KEEP = re.compile(r"\{[^{}]*\}|/[a-z_]+|https?://\S+|\+?\d[\d\s-]{2,}\d|[A-Z]{2,}(?=\b)")
_VOWELS = set("aeiouAEIOU")

_SINGLE: dict[str, str] = {
    "a": "а", "b": "б", "c": "с", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "ҳ", "i": "и", "j": "ж",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р", "s": "с", "t": "т",
    "u": "у", "v": "в", "w": "в", "x": "х", "y": "й", "z": "з",
}  # fmt: skip
# Checked before single letters, longest first; the apostrophe is already ASCII here.
_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("yo'", "йў"), ("o'", "ў"), ("g'", "ғ"), ("s'h", "сҳ"), ("sh", "ш"), ("ch", "ч"),
    ("yo", "ё"), ("yu", "ю"), ("ya", "я"),
)  # fmt: skip


def uz_latin_to_cyrillic(text: str) -> str:
    """The Cyrillic spelling of an Uzbek Latin text; what must stay verbatim stays verbatim."""
    out: list[str] = []
    last = 0
    for match in _KEEP.finditer(text):
        out.append(_convert(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_convert(text[last:]))
    return "".join(out)


def _convert(text: str) -> str:
    text = _APOSTROPHE_RE.sub("'", text)
    out: list[str] = []
    i = 0
    while i < len(text):
        piece, used = _letter(text, i)
        out.append(piece)
        i += used
    return "".join(out)


def _letter(text: str, i: int) -> tuple[str, int]:
    """The Cyrillic for the Latin letter (or digraph) at ``i`` and how many characters it took."""
    lower = text[i:].lower()
    start = i == 0 or not (text[i - 1].isalpha() or text[i - 1] == "'")
    after_vowel = i > 0 and text[i - 1] in _VOWELS
    upper = text[i].isupper()
    whole_upper = upper and i + 1 < len(text) and text[i + 1].isupper()
    if lower.startswith("ye") and (start or after_vowel):
        return _case("е", upper), 2
    if lower.startswith("ts") and (start or re.match(r"tsi[aeiouy]", lower)):
        return _case("ц", upper), 2
    for latin, cyrillic in _DIGRAPHS:
        if lower.startswith(latin):
            return _case(cyrillic, upper, whole_upper), len(latin)
    char = lower[0]
    if char == "'":
        prev = text[i - 1] if i else ""
        return ("ъ" if prev.isalpha() else text[i]), 1
    if char == "e" and start:
        return _case("э", upper), 1
    if char in _SINGLE:
        return _case(_SINGLE[char], upper, whole_upper), 1
    return text[i], 1


def _case(cyrillic: str, upper: bool, whole_upper: bool = False) -> str:
    if not upper:
        return cyrillic
    return cyrillic.upper() if whole_upper or len(cyrillic) == 1 else cyrillic[0].upper() + cyrillic[1:]
