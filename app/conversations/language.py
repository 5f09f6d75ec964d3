"""Which language and script the bot answers in, and what it does when it cannot tell.

The bot answers in a language only when the NLU reads it and the bot has texts in it
(``pickable()``); English and the languages still without texts are never stored as a
case's language nor offered in a picker. A message in any other language (or "unknown")
gets one short line in ru + kk + uz + en with the language menu; its urgency is read all
the same. Uzbek is answered in the script the person writes (``uz-Cyrl`` texts for
Cyrillic). Short greetings shared by several languages ("salam", "рахмат") decide nothing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app.platform import languages as registry
from app.scripts.translit import UZ_CYRILLIC

if TYPE_CHECKING:
    from nlu import Prediction

# English is in the registry as the texts' last fallback only: the NLU has no English data, so it is
# neither stored as a case's language nor offered to people.
NOT_ANSWERED = frozenset({"en"})


def pickable() -> tuple[str, ...]:
    """The languages offered to people, in the registry's order (read anew: a language added as data counts)."""
    return tuple(code for code in registry.codes() if code not in NOT_ANSWERED)


ANSWERABLE: tuple[str, ...] = pickable()
# The multilingual line for a message in a language the bot cannot answer in.
MULTILINGUAL: tuple[str, ...] = ("ru", "kk", "uz", "en")
# How ``daily_counts`` records a message whose language is not known (fits the 4-letter column).
UNDETERMINED = "und"
SWITCH_CONFIDENCE = 0.85
SET_CONFIDENCE = 0.5
SWITCH_WORDS = 3
# Said alike in several of the region's languages: never a reason to pick or change one.
SHARED_WORDS = frozenset({
    "salam", "салам", "салям", "salyam", "салом", "assalamu alaykum", "ассаламу алейкум", "асалам алейкум",
    "salam aleykum", "салам алейкум", "рахмат", "ok", "ок", "okay", "хоп",
})  # fmt: skip


def answerable(language: str | None) -> bool:
    return registry.is_supported(language) and language not in NOT_ANSWERED


def shared_word(text: str) -> bool:
    folded = " ".join(re.sub(r"[.,!?;:)(]+", " ", text.lower().replace("ʻ", "'")).split())
    return folded in SHARED_WORDS


def choose(current: str | None, prediction: Prediction, text: str, hint: str | None) -> tuple[str | None, bool]:
    """The case's language after this message, and whether to offer the language menu.

    None means no language yet: the reply is the multilingual line. A chosen or established
    language changes only for a confident reading of a message of three words or more.
    """
    lang, confidence = prediction.language, float(prediction.language_confidence)
    if current is not None:
        switch = (answerable(lang) and lang != current and confidence >= SWITCH_CONFIDENCE
                  and len(text.split()) >= SWITCH_WORDS and not shared_word(text))  # fmt: skip
        return (lang if switch else current), False
    if shared_word(text) or not answerable(lang):
        return None, True
    if confidence >= SET_CONFIDENCE:
        return lang, False
    if answerable(hint):
        return hint, False
    return lang, True


def script_of(text: str) -> str | None:
    """ "cyrl" or "latn" by the letters the person typed; None when there are none."""
    cyrillic = len(re.findall(r"[\u0400-\u04ff]", text))
    latin = len(re.findall(r"[a-zA-Z]", text))
    if not cyrillic and not latin:
        return None
    return "cyrl" if cyrillic >= latin else "latn"


def reply_language(language: str | None, script: str | None) -> str | None:
    """The texts' language: Uzbek read in Cyrillic is answered from the ``uz-Cyrl`` texts."""
    return UZ_CYRILLIC if language == "uz" and script == "cyrl" else language
