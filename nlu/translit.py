"""Small transliteration tables: Uzbek Cyrillic<->Latin, Russian typed in Latin -> Cyrillic.

Written here rather than pulled from a package (alifbo exists on PyPI) so the NLU
library keeps to scikit-learn/numpy/pyyaml and the tables stay tuned for chat text.
"""

from __future__ import annotations

import re

# Uzbek Cyrillic -> Latin (1995 alphabet, apostrophes as ASCII ').
_UZ_CYR2LAT: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "'", "ы": "i", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ў": "o'", "қ": "q", "ғ": "g'", "ҳ": "h",
    # Kazakh letters, so Kazakh text also gets a Latin view.
    "ә": "a", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    # Tajik letters (Kyrgyz uses only ң ө ү, already above).
    "ӣ": "i", "ӯ": "u", "ҷ": "j",
}  # fmt: skip
_VOWELS_CYR = set("аеёиоуыэюяўәөұүіӣӯ")

_UZ_LAT2CYR: list[tuple[str, str]] = [
    ("o'", "ў"), ("g'", "ғ"), ("sh", "ш"), ("ch", "ч"), ("yo", "ё"), ("yu", "ю"), ("ya", "я"),
    ("ye", "е"), ("ng", "нг"), ("a", "а"), ("b", "б"), ("d", "д"), ("e", "е"), ("f", "ф"),
    ("g", "г"), ("h", "ҳ"), ("i", "и"), ("j", "ж"), ("k", "к"), ("l", "л"), ("m", "м"),
    ("n", "н"), ("o", "о"), ("p", "п"), ("q", "қ"), ("r", "р"), ("s", "с"), ("t", "т"),
    ("u", "у"), ("v", "в"), ("x", "х"), ("y", "й"), ("z", "з"), ("'", "ъ"), ("c", "с"), ("w", "в"),
]  # fmt: skip

# Russian typed in Latin letters ("volapuk"): longest match first.
_RU_LAT2CYR: list[tuple[str, str]] = [
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"), ("ts", "ц"),
    ("yu", "ю"), ("ju", "ю"), ("ya", "я"), ("ja", "я"), ("yo", "ё"), ("jo", "ё"), ("ye", "е"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"),
    ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"),
    ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("x", "х"), ("c", "ц"), ("q", "к"), ("w", "в"),
    ("j", "ж"), ("'", "ь"),
]  # fmt: skip
_LAT_VOWELS = set("aeiou")

KK_FOLD = str.maketrans({"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и",
                         "ў": "у", "ҳ": "х", "ё": "е", "ӣ": "и", "ӯ": "у", "ҷ": "ч"})  # fmt: skip


def _table_translit(text: str, table: list[tuple[str, str]]) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        for src, dst in table:
            if text.startswith(src, i):
                out.append(dst)
                i += len(src)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def uz_cyr_to_lat(text: str) -> str:
    """Uzbek (and Kazakh) Cyrillic to Uzbek Latin; 'е' is 'ye' at a word start or after a vowel."""
    out: list[str] = []
    prev = " "
    for ch in text:
        low = ch.lower()
        if low == "е" and (not prev.isalpha() or prev in _VOWELS_CYR):
            out.append("ye")
        elif low in _UZ_CYR2LAT:
            out.append(_UZ_CYR2LAT[low])
        else:
            out.append(ch)
        prev = low
    return "".join(out)


def uz_lat_to_cyr(text: str) -> str:
    """Uzbek Latin to Cyrillic (expects lower case and ASCII apostrophes)."""
    return _table_translit(text, _UZ_LAT2CYR)


_Y_RE = re.compile(r"(?<=(.))y(?![aeiou])|^y(?![aeiou])")


def _y(match: re.Match[str]) -> str:
    return "й" if match.group(1) and match.group(1) in _LAT_VOWELS else "ы"


def ru_lat_to_cyr(text: str) -> str:
    """Russian typed in Latin back to Cyrillic; a lone 'y' after a vowel is 'й', else 'ы'."""
    return _table_translit(_Y_RE.sub(_y, text), _RU_LAT2CYR)


def kk_fold(text: str) -> str:
    """Kazakh/Uzbek special letters folded to plain Russian look-alikes (ә->а, қ->к, ...)."""
    return text.translate(KK_FOLD)
