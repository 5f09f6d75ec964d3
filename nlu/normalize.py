"""Text clean-up and the several views every detector reads.

Chat text arrives in three languages, two scripts, with typos, emojis and
apostrophes typed five ways; each view removes one source of variation so the
same word looks the same to the classifiers and the cue matcher.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from nlu.translit import kk_fold, ru_lat_to_cyr, uz_cyr_to_lat

MAX_CHARS = 5000

# Every way people type the Uzbek o' / g' apostrophe (and the tutuq belgisi).
_APOSTROPHES = "'`ʻ‘ʼ’´ʹʽ′"
_APOS_RE = re.compile(f"[{re.escape(_APOSTROPHES)}]")
_REPEAT_RE = re.compile(r"(\w)\1{2,}")
_SPACE_RE = re.compile(r"\s+")
_CYR_RE = re.compile(r"[а-яёәғқңөұүһіўҳӣӯҷ]")
# Sentence ends as typed: a danger word's past/hypothetical/negated frame stays inside its sentence.
_SENTENCE_RE = re.compile(r"[.!?;…\n\r]+|\s[-–—]\s")
_LAT_RE = re.compile(r"[a-zäöüğşçıñŋūəňýžéá]")
_TOKEN_RE = re.compile(r"[\w']+")
_UZ_MARK_RE = re.compile(r"([og])'")

# A few emojis carry meaning in a helpline chat; the rest is noise.
_EMOJI_WORDS: dict[str, str] = {
    "🆘": " sos ", "🚨": " sos ", "🙏": " ", "👋": " hello ", "😭": " ", "😢": " ", "💔": " ",
}  # fmt: skip


@dataclass(frozen=True)
class Views:
    """The normalised text plus the folded views the features and cues read."""

    text: str  # cleaned, lower case, apostrophes unified to '
    cyr: str  # everything in plain Cyrillic: Latin read as Russian translit, Kazakh letters folded
    lat: str  # everything in plain Latin: Cyrillic read as Uzbek/Kazakh, apostrophes dropped
    script: str  # cyrl / latn, by majority of letters
    has_letters: bool
    # Token index where each sentence starts, per view (tokens() of that view); (0,) for one sentence.
    starts: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]] = ((0,), (0,), (0,))

    def sentence_starts(self, view: str) -> tuple[int, ...]:
        """Sentence starts of the named view (text / cyr / lat)."""
        return self.starts[("text", "cyr", "lat").index(view)]


def _strip_symbols(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch in _EMOJI_WORDS:
            out.append(_EMOJI_WORDS[ch])
            continue
        cat = unicodedata.category(ch)
        if cat[0] in "LN" or ch == "'":
            out.append(ch)
        elif cat[0] in "M":
            continue
        else:
            out.append(" ")
    return "".join(out)


def clean(text: str) -> str:
    """Bounded, NFKC, lower-cased, apostrophes unified, emojis mapped, repeats squeezed."""
    text = _APOS_RE.sub(
        "'", (text or "")[:MAX_CHARS]
    )  # before NFKC, which splits ´ into a space + accent
    text = unicodedata.normalize("NFKC", text).lower()
    text = _strip_symbols(text)
    text = _REPEAT_RE.sub(r"\1", text)
    text = re.sub(r"(?<!\w)'|'(?!\w)", " ", text)  # stray quotes, keep o'z / g'alaba
    return _SPACE_RE.sub(" ", text).strip()


def has_cyrillic(text: str) -> bool:
    """Any Cyrillic letter (of any supported language) in a normalised (lower-case) text."""
    return _CYR_RE.search(text) is not None


def script_of(text: str) -> str:
    """cyrl or latn by letter counts (cyrl on a tie or no letters)."""
    cyr = len(_CYR_RE.findall(text))
    lat = len(_LAT_RE.findall(text))
    return "latn" if lat > cyr else "cyrl"


def _to_cyr(text: str) -> str:
    # Latin words are read as Russian translit; Cyrillic ones just get folded.
    words = [
        ru_lat_to_cyr(_UZ_MARK_RE.sub(r"\1", w)) if _LAT_RE.search(w) else w
        for w in text.split(" ")
    ]
    return kk_fold(" ".join(words))


# Latin letters with marks (Kazakh Latin ä ö ü ğ ş ı ñ ū; Turkish/Turkmen/Azerbaijani ç ə ň ý ž) folded to
# the plain Latin chat spelling, so "öltiredi" and "oltiredi" share features.
_LAT_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ğ": "g", "ş": "sh", "ç": "ch", "ı": "i", "ñ": "ng",
                           "ŋ": "ng", "ū": "u", "ə": "a", "ň": "n", "ý": "y", "ž": "j", "é": "e", "á": "a"})  # fmt: skip


def _to_lat(text: str) -> str:
    return uz_cyr_to_lat(text).replace("'", "").translate(_LAT_FOLD)


def _starts(parts: list[str]) -> tuple[int, ...]:
    out, n = [], 0
    for part in parts:
        out.append(n)
        n += len(tokens(part))
    return tuple(out) or (0,)


def views(text: str) -> Views:
    """All views of one message (each sentence cleaned apart, so sentence starts are known per view)."""
    raw = (text or "")[:MAX_CHARS]
    parts = [c for c in (clean(p) for p in _SENTENCE_RE.split(raw)) if c]
    if len(parts) <= 1:
        cleaned = parts[0] if parts else clean(raw)
        return Views(
            text=cleaned, cyr=_to_cyr(cleaned), lat=_to_lat(cleaned), script=script_of(cleaned),
            has_letters=any(ch.isalpha() for ch in cleaned),
        )  # fmt: skip
    cyr = [_to_cyr(p) for p in parts]
    lat = [_to_lat(p) for p in parts]
    cleaned = " ".join(parts)
    return Views(
        text=cleaned, cyr=" ".join(cyr), lat=" ".join(lat), script=script_of(cleaned),
        has_letters=any(ch.isalpha() for ch in cleaned), starts=(_starts(parts), _starts(cyr), _starts(lat)),
    )  # fmt: skip


def normalize(text: str) -> str:
    """The canonical normalised text (what Prediction.normalized_text shows)."""
    return clean(text)


def tokens(text: str) -> list[str]:
    """Word tokens (apostrophes kept inside words)."""
    return _TOKEN_RE.findall(text)
