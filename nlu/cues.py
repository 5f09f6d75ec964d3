"""Urgency cue matching with negation, past-tense and hypothetical handling.

Cues are word-prefix sequences: "держат взапер" matches "держат взаперти". A cue
word of three letters or fewer must match a whole word, so "не" never matches
"нельзя" and "sos" never matches "sosed".
Each cue is matched on every view (plain, Cyrillic-folded, Latin-folded), so an
Uzbek Latin cue also fires on Uzbek Cyrillic text and a Kazakh cue fires on
Kazakh typed without its special letters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nlu.data_io import CueFile
from nlu.normalize import Views, _to_cyr, _to_lat, clean, script_of, tokens

# The child category only aggravates: a child mentioned is not danger by itself.
MODIFIER_CATEGORIES = frozenset({"child"})
# Languages whose negation follows the verb (қамаған жоқ, urgani yo'q).
POSTPOSITIVE_NEGATION = frozenset({"kk", "uz"})
NEG_BEFORE = 2
SHORT = 3  # cue words this short match whole words only
NEG_AFTER = 2

_Phrase = tuple[str, ...]


@dataclass
class _Index:
    """Phrases keyed by the first four letters (or the whole short word) of their first word."""

    prefix: dict[str, list[tuple[_Phrase, str]]] = field(default_factory=dict)
    exact: dict[str, list[tuple[_Phrase, str]]] = field(default_factory=dict)

    def add(self, phrase: _Phrase, label: str) -> None:
        if not phrase:
            return
        first = phrase[0]
        table = self.exact if len(first) <= SHORT else self.prefix
        key = first if len(first) <= SHORT else first[: SHORT + 1]
        entries = table.setdefault(key, [])
        if (phrase, label) not in entries:
            entries.append((phrase, label))

    def find(self, toks: list[str]) -> list[tuple[int, int, str]]:
        """(start, end, label) for every phrase occurrence."""
        hits: list[tuple[int, int, str]] = []
        for i, tok in enumerate(toks):
            cands = self.exact.get(tok, [])
            if len(tok) > SHORT:
                cands = cands + self.prefix.get(tok[: SHORT + 1], [])
            for phrase, label in cands:
                end = i + len(phrase)
                if end <= len(toks) and all(
                    _word_match(p, t) for p, t in zip(phrase, toks[i:end])
                ):
                    hits.append((i, end, label))
        return hits


def _word_match(cue_word: str, tok: str) -> bool:
    return tok == cue_word if len(cue_word) <= SHORT else tok.startswith(cue_word)


def _applies(label: str, language: str) -> bool:
    """Cues of the message's language and Russian (borrowed into every chat) apply."""
    lang = label.split("|", 1)[0]
    return lang == language or lang == "ru"


def _negates(ns: int, ne: int, s: int, e: int, postpositive: bool) -> bool:
    """Negation just before the cue, overlapping it from outside, or (kk/uz) just after it."""
    if s <= ns and ne <= e:  # part of the cue itself ("не выпускают")
        return False
    if ne <= s:
        return s - ne < NEG_BEFORE
    if ns < e:
        return True
    return postpositive and ns - e < NEG_AFTER


@dataclass(frozen=True)
class CueResult:
    """What the cues say about one message."""

    active: list[str]  # "category: matched words", danger now
    suppressed: list[str]  # matched but negated / past / hypothetical
    categories: frozenset[str]
    negated: int
    past: bool
    present: bool
    hypothetical: bool

    @property
    def fired(self) -> bool:
        """A danger cue (not only a modifier) holds now."""
        return any(c not in MODIFIER_CATEGORIES for c in self.categories)


class CueMatcher:
    """All languages' cue lists compiled for each view."""

    VIEWS = ("text", "cyr", "lat")

    def __init__(self, cue_files: list[CueFile]) -> None:
        self.indexes: dict[str, _Index] = {v: _Index() for v in self.VIEWS}
        self.post_neg: dict[str, _Index] = {v: _Index() for v in self.VIEWS}
        for cf in cue_files:
            for category, phrases in cf.cues.items():
                for p in phrases:
                    self._add(p, f"cue:{category}", cf.language)
            for kind in ("negation", "past", "present", "hypothetical"):
                for p in getattr(cf, kind):
                    self._add(p, kind, cf.language)
                    if kind == "negation" and cf.language in POSTPOSITIVE_NEGATION:
                        self._add(p, kind, cf.language, self.post_neg)

    def _add(
        self,
        phrase: str,
        label: str,
        lang: str,
        target: dict[str, _Index] | None = None,
    ) -> None:
        """Index a phrase in its own script's views only: translit of a short Latin stem into
        Cyrillic (or back) would invent matches ("do'q" -> "док" -> "документ")."""
        target = target if target is not None else self.indexes
        base = clean(phrase)
        if script_of(base) == "latn":
            forms = {"text": base, "lat": _to_lat(base)}
        else:
            forms = {"text": base, "cyr": _to_cyr(base)}
        for view, form in forms.items():
            target[view].add(tuple(tokens(form)), f"{lang}|{label}")

    def match(self, v: Views, language: str) -> CueResult:
        """Cue categories that fire now, and those held back by negation, past or hypotheticals."""
        active: dict[str, str] = {}
        suppressed: dict[str, str] = {}
        flags = {"past": [], "present": [], "hypothetical": []}  # type: dict[str, list[tuple[int, int]]]
        negated = 0
        cue_hits: list[tuple[str, int, int, list[str], bool]] = []
        for view in self.VIEWS:
            toks = tokens(getattr(v, view))
            hits = [
                (s, e, lab.split("|", 1)[1])
                for s, e, lab in self.indexes[view].find(toks)
                if _applies(lab, language)
            ]
            negs = [(s, e) for s, e, lab in hits if lab == "negation"]
            post = (
                {(s, e) for s, e, lab in self.post_neg[view].find(toks)}
                if language in POSTPOSITIVE_NEGATION
                else set()
            )
            for s, e, lab in hits:
                if lab in flags:
                    flags[lab].append((s, e))
                elif lab.startswith("cue:"):
                    neg = any(
                        _negates(ns, ne, s, e, (ns, ne) in post) for ns, ne in negs
                    )
                    cue_hits.append((lab[4:], s, e, toks, neg))
        spans_past = flags["past"]
        # A present marker inside a past phrase ("сейчас уже дома") does not count as present.
        present = any(
            not any(ps <= s and e <= pe for ps, pe in spans_past)
            for s, e in flags["present"]
        )
        past = bool(spans_past) and not present
        hypo = bool(flags["hypothetical"]) and not present
        for category, s, e, toks, neg in cue_hits:
            label = f"{category}: {' '.join(toks[s:e])}"
            if neg or past or hypo:
                negated += int(neg)
                suppressed.setdefault(category, label)
            else:
                active.setdefault(category, label)
        return CueResult(
            active=sorted(active.values()),
            suppressed=sorted(suppressed.values()),
            categories=frozenset(active),
            negated=negated,
            past=past,
            present=present,
            hypothetical=hypo,
        )
