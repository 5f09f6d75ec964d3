"""Urgency cue matching with negation, past-tense and hypothetical handling.

Cues are word-prefix sequences: "держат взапер" matches "держат взаперти". A cue
word of three letters or fewer must match a whole word, so "не" never matches
"нельзя" and "sos" never matches "sosed".
Each cue is matched on every view (plain, Cyrillic-folded, Latin-folded), so an
Uzbek Latin cue also fires on Uzbek Cyrillic text and a Kazakh cue fires on
Kazakh typed without its special letters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nlu.data_io import UNKNOWN, CueFile
from nlu.normalize import Views, _to_cyr, _to_lat, clean, script_of, tokens

# The child category only aggravates: a child mentioned is not danger by itself.
MODIFIER_CATEGORIES = frozenset({"child"})
# Self-harm, however it is said (past, hypothetical, in passing), is always urgent.
ALWAYS_URGENT = frozenset({"self_harm"})
# A threat with a condition ("если уйдёшь, убьём", "убьют, если уйду") is a threat now.
CONDITIONAL_IS_NOW = frozenset({"threat"})
# Languages whose negation follows the verb (қамаған жоқ, urgani yo'q, камаган жок).
POSTPOSITIVE_NEGATION = frozenset({"kk", "uz", "ky"})
NEG_BEFORE = 2
SHORT = 3  # cue words this short match whole words only
UNTRAINED_MIN_WORDS = 3  # everyday words of a language without training data: at least this many,
UNTRAINED_SHARE = 0.5  # and this share of the message's words, and the message is in that language
NEG_AFTER = 1  # kk/uz/ky: the negation right after the verb ("қамаған жоқ"), not "…отыр, паспорт жоқ"

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


def _negates(ns: int, ne: int, s: int, e: int, postpositive: bool, after_only: bool = False) -> bool:
    """Negation just before the cue, overlapping it from outside, or (kk/uz/ky) just after it."""
    if s <= ns and ne <= e:  # part of the cue itself ("не выпускают")
        return False
    if after_only:
        return ns >= e and ns - e < NEG_AFTER
    if ne <= s:
        return s - ne < NEG_BEFORE
    if ns < e:
        return True
    return postpositive and ns - e < NEG_AFTER


@dataclass(frozen=True)
class CueResult:
    """What the cues say about one message: category codes only, never the matched words."""

    active: list[str]  # categories of danger that holds now
    suppressed: list[str]  # categories matched but negated / past / hypothetical
    categories: frozenset[str]
    negated: int
    past: bool  # a past or safe-now frame held back some sentence
    present: bool  # a present marker somewhere
    hypothetical: bool  # a hypothetical frame held back some sentence
    markers: bool = False  # a past, hypothetical or safe-now marker (a frame around the situation)
    safe_now: bool = False  # the writer says they are safe now ("сейчас я дома")

    @property
    def fired(self) -> bool:
        """A danger cue (not only a modifier) holds now."""
        return any(c not in MODIFIER_CATEGORIES for c in self.categories)

    @property
    def says_safety(self) -> bool:
        """The message says something about present safety: past, hypothetical/general or safe-now
        markers, or a danger word it denies ("nobody locked me in")."""
        return self.markers or bool(self.suppressed)


class CueMatcher:
    """All languages' cue lists compiled for each view.

    Scope: negation holds back a cue within two words; past, safe-now and hypothetical markers hold
    back the cues of their own sentence only (sentences end at . ! ? ; a new line, or a break word
    such as "но", "lekin"), and a present marker in that sentence outweighs them. Self-harm is never
    held back: however it is said, it is urgent.
    """

    VIEWS = ("text", "cyr", "lat")
    KINDS = ("negation", "past", "present", "hypothetical", "breaks", "safe_now", "negation_after")

    def __init__(self, cue_files: list[CueFile], languages: Sequence[str] = ()) -> None:
        self.indexes: dict[str, _Index] = {v: _Index() for v in self.VIEWS}
        self.post_neg: dict[str, _Index] = {v: _Index() for v in self.VIEWS}
        self.cue_languages = tuple(cf.language for cf in cue_files)
        # Cue files of languages without training data (e.g. en) apply only to unknown-language text.
        self.trained = frozenset(languages) if languages else frozenset(self.cue_languages)
        self.postpositive = set(POSTPOSITIVE_NEGATION)
        self.common_words = {cf.language: frozenset(clean(w) for w in cf.common_words) for cf in cue_files if cf.common_words}
        for cf in cue_files:
            for category, phrases in cf.cues.items():
                for p in phrases:
                    self._add(p, f"cue:{category}", cf.language)
            for kind in self.KINDS:
                for p in getattr(cf, kind):
                    self._add(p, kind, cf.language)
                    if kind == "negation" and cf.language in self.postpositive:
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

    def untrained_language(self, v: Views) -> str | None:
        """A language without training data whose everyday words make most of the message ("is this job
        offer real or is it a scam?"), however much of it a supported language's data happens to cover."""
        toks = tokens(v.text)
        for lang, words in self.common_words.items():
            if lang in self.trained:
                continue
            hits = sum(t in words for t in toks)
            if hits >= UNTRAINED_MIN_WORDS and hits >= UNTRAINED_SHARE * len(toks):
                return lang
        return None

    def applies(self, cue_language: str, language: str) -> bool:
        """Cues of the message's language and Russian (borrowed into every chat) apply; all of them
        when the language is unknown (and only then those of languages without training data)."""
        if language == UNKNOWN or language not in self.trained:
            return True
        return cue_language == language or cue_language == "ru"

    def match(self, v: Views, language: str) -> CueResult:
        """Cue categories that fire now, and those held back by negation, past or hypotheticals."""
        active: set[str] = set()
        suppressed: set[str] = set()
        negated = 0
        any_past = any_hypo = any_present = markers = safe = False
        # The views tokenise alike (one token per word), so hits from all views share positions: a
        # marker found in one view ("егер") frames a cue found in another ("qamap").
        toks = tokens(v.text)
        if not toks:
            return CueResult([], [], frozenset(), 0, False, False, False)
        found: set[tuple[int, int, str]] = set()
        post: set[tuple[int, int]] = set()
        for view in self.VIEWS:
            vt = tokens(getattr(v, view))
            found.update(
                (s, e, lab.split("|", 1)[1])
                for s, e, lab in self.indexes[view].find(vt)
                if self.applies(lab.split("|", 1)[0], language)
            )
            if language in self.postpositive or language == UNKNOWN:
                post.update((s, e) for s, e, _ in self.post_neg[view].find(vt))
        hits = sorted(found)
        if hits:
            negs = [(s, e) for s, e, lab in hits if lab == "negation"]
            after_only = {(s, e) for s, e, lab in hits if lab == "negation_after"}
            # sentence id of every token: typed sentence ends, then break words
            bounds = set(v.sentence_starts("text")) | {s for s, _, lab in hits if lab == "breaks"}
            sent, k = [0] * len(toks), -1
            for i in range(len(toks)):
                k += i in bounds
                sent[i] = max(k, 0)
            frames: dict[str, dict[int, list[tuple[int, int]]]] = {
                "past": {}, "present": {}, "hypothetical": {}, "safe_now": {},
            }  # fmt: skip
            for s, e, lab in hits:
                if lab in frames:
                    frames[lab].setdefault(sent[s], []).append((s, e))
                    markers |= lab != "present"  # "now" says nothing about being safe
                    safe |= lab == "safe_now"
            held_back: dict[int, str] = {}  # the sentence-level frame, for cues no marker precedes
            marks: dict[int, list[tuple[int, int, str]]] = {}  # per sentence: (start, end, frame) in order
            for k in set(sent):
                pasts = frames["past"].get(k, []) + frames["safe_now"].get(k, [])
                presents = [
                    (s, e) for s, e in frames["present"].get(k, [])
                    if not any(ps <= s and e <= pe for ps, pe in pasts)  # "сейчас уже дома" is past
                ]  # fmt: skip
                any_present |= bool(presents)
                marks[k] = sorted(
                    [(s, e, "past") for s, e in pasts] + [(s, e, "") for s, e in presents]
                    + [(s, e, "hypothetical") for s, e in frames["hypothetical"].get(k, [])],
                    key=lambda m: (m[0], -(m[1] - m[0])),
                )  # fmt: skip
                if presents:
                    continue
                if pasts:
                    held_back[k] = "past"
                elif frames["hypothetical"].get(k):
                    held_back[k] = "hypothetical"

            def frame_of(s: int) -> str | None:
                """The nearest marker before the cue in its sentence decides; else the sentence's frame."""
                before = [m for m in marks.get(sent[s], []) if m[0] < s]
                if before:
                    start = max(m[0] for m in before)
                    return next(m[2] for m in before if m[0] == start) or None
                return held_back.get(sent[s])

            for s, e, lab in hits:
                if not lab.startswith("cue:"):
                    continue
                category = lab[4:]
                if category in ALWAYS_URGENT:
                    active.add(category)
                    continue
                neg = any(_negates(ns, ne, s, e, (ns, ne) in post, (ns, ne) in after_only) for ns, ne in negs)
                frame = frame_of(s)
                if frame == "hypothetical" and category in CONDITIONAL_IS_NOW:
                    frame = None  # "if you leave we will kill you": a conditional threat is a threat now
                if neg or frame:
                    negated += int(neg)
                    any_past |= frame == "past"
                    any_hypo |= frame == "hypothetical"
                    suppressed.add(category)
                else:
                    active.add(category)
        return CueResult(
            active=sorted(active),
            suppressed=sorted(suppressed - active),
            categories=frozenset(active),
            negated=negated,
            past=any_past,
            present=any_present,
            hypothetical=any_hypo,
            markers=markers,
            safe_now=safe,
        )
