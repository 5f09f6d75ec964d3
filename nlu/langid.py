"""Language from char n-grams trained on our data, nudged by letters, with "unknown" for the rest.

Everything here is learnt from the training folders, so a new language is data only:
- a char 1–4-gram logistic regression over the supported languages;
- letter evidence: how often each language's messages use each letter (ә, ң, ӣ, ў, ...). A letter a
  language never uses makes that language unlikely (Kyrgyz has ң ө ү but no ә ғ қ һ і, so "қ" says
  "not ky"); a letter no supported language uses (ə, ň, ş, ...) says "unknown";
- coverage: the share of the message's char trigrams and words seen in the best language's data,
  measured leave-one-out on the training data to pick the cut-off. English, Turkmen, or Tajik
  before Tajik data exists, fall below it and are answered "unknown" with low confidence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nlu.data_io import UNKNOWN
from nlu.fast import Linear, linear, softmax
from nlu.features import LangFeaturizer
from nlu.normalize import Views, has_cyrillic, script_of, views

if TYPE_CHECKING:
    from scipy import sparse

_WORD_RE = re.compile(r"[^\W\d_]+")
TEMPERATURE = 0.3  # softmax temperature over the SVM margins
LETTER_FLOOR = 0.02
RARE = 0.1  # a language writing a letter 10x less often than the one that writes it most "never" writes it  # a language that never writes a letter keeps this share of its probability
UNSEEN_SHARE = 0.04  # letters no supported language writes: this share of the message's letters -> unknown
COVERAGE_QUANTILE = 0.01  # in-language messages below the cut-off (leave-one-out on training data)
CUTOFF_SAMPLE = 6000
COVERAGE_MARGIN = 0.08  # messages written by others cover less than leave-one-out says: stay below it
UNSEEN_MARGIN = 0.25  # unseen letters say "unknown" unless the words are well known (a rare kk "ŋ")
UNKNOWN_CONFIDENCE = 0.2  # language_confidence reported with "unknown"
MIN_LANG_CONFIDENCE = 0.45  # below this and below the coverage margin -> unknown
MIXED_SCRIPT_SHARE = 0.25  # both scripts at least this share of the letters: read each part apart
MIXED_PART_CONFIDENCE = 0.6  # a part read as another language this surely gives the message its language
BORROWED = "ru"  # the language whose words are borrowed into every chat (the taxonomy's "mixed messages")
# Letter evidence from a language's messages in one script weighs n / (n + LETTER_SHRINK): "never
# writes this letter" is a finding after thousands of messages, a guess after thirty (few Latin-typed
# Kyrgyz or Tajik messages must not make Latin letters count against Kyrgyz or Tajik).
LETTER_SHRINK = 100.0
LATIN_VIA_CYR = True


def _sigmoid(z: float) -> float:
    return float(1.0 / (1.0 + np.exp(-z)))


def _letters(text: str) -> list[str]:
    return [ch for ch in text if ch.isalpha()]


def _trigrams(text: str) -> list[str]:
    out: list[str] = []
    for w in _WORD_RE.findall(text):
        w = f" {w} "
        out.extend(w[i : i + 3] for i in range(len(w) - 2))
    return out


def _words(text: str) -> list[str]:
    return [w for w in _WORD_RE.findall(text) if len(w) >= 3]


class _Constant:
    """Stand-in classifier when the training data holds a single language."""

    def __init__(self, label: str) -> None:
        self.classes_ = np.array([label])

    def fit(self, x: object, y: object) -> _Constant:
        return self

    def predict_proba(self, x: sparse.spmatrix) -> np.ndarray:
        return np.ones((x.shape[0], 1))


class _Coverage:
    """Per language and view: how many training messages hold each char trigram and word (or 5-letter stem).

    Only the plain view: the folded views make Turkish, Azerbaijani or Turkmen look like Uzbek or Kazakh
    Latin (measured on the held-out sets: 0.82 of unknown-language messages caught vs 0.75 with the best
    of three views, at 0.1% of supported-language messages wrongly called unknown).
    """

    VIEWS = ("text",)
    # A Latin-typed message is also read against the Cyrillic data through its `cyr` view (Latin read as
    # Russian translit, Turkic letters folded): Kazakh, Kyrgyz, Tajik or Russian typed in Latin by
    # someone whose spelling the Latin training data lacks is still known (leave-one-style-out latin).
    LATIN_VIEWS = ("text", "cyr")

    def __init__(self) -> None:
        self.tri: dict[str, Counter[str]] = {}
        self.word: dict[str, Counter[str]] = {}

    @staticmethod
    def _keys(text: str) -> tuple[set[str], set[str]]:
        words = _words(text)
        return set(_trigrams(text)), set(words) | {w[:5] for w in words if len(w) > 5}

    def fit(self, docs: Sequence[Views], langs: Sequence[str]) -> _Coverage:
        for doc, lang in zip(docs, langs):
            for view in self.VIEWS + (("cyr",) if doc.script == "cyrl" and LATIN_VIA_CYR else ()):
                tri, words = self._keys(getattr(doc, view))
                self.tri.setdefault(f"{lang}|{view}", Counter()).update(tri)
                self.word.setdefault(f"{lang}|{view}", Counter()).update(words)
        return self

    def _score(self, text: str, key: str, need: int) -> float:
        tri_c, word_c = self.tri.get(key), self.word.get(key)
        grams = _trigrams(text)
        if tri_c is None or word_c is None or not grams:
            return 0.0 if grams else 1.0
        t = sum(tri_c.get(g, 0) >= need for g in grams) / len(grams)
        words = _words(text)
        if not words:
            return t
        known = sum(word_c.get(w, 0) >= need or word_c.get(w[:5], 0) >= need for w in words)
        return 0.5 * t + 0.5 * known / len(words)

    def score(self, doc: Views, lang: str, leave_out: bool = False, plain: bool = False) -> float:
        """Share of trigrams and words known in `lang` (seen in another message when leave_out), best view."""
        need = 2 if leave_out else 1
        views = self.LATIN_VIEWS if doc.script == "latn" and LATIN_VIA_CYR and not plain else self.VIEWS
        return max(self._score(getattr(doc, view), f"{lang}|{view}", need) for view in views)


def _bucket(text: str) -> int:
    n = len(_words(text))
    return 0 if n <= 2 else 1 if n <= 6 else 2


class LanguageIdentifier:
    """Calibrated char n-gram logistic regression, times letter evidence, with an unknown gate."""

    def __init__(self, seed: int = 0) -> None:
        from sklearn.svm import LinearSVC

        self.features = LangFeaturizer()
        # A linear SVM (softmax over its margins) trains 10-20x faster than multinomial logistic
        # regression here, with the same accuracy; the temperature only shapes the confidence.
        self.clf: Any = LinearSVC(C=0.5, random_state=seed, max_iter=5000)
        self.languages: tuple[str, ...] = ()
        self.letter_rate: dict[str, np.ndarray] = {}
        self.alphabet: frozenset[str] = frozenset()
        self.coverage = _Coverage()
        self.cutoffs: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if not isinstance(self.clf, _Constant):
            state["clf"] = Linear.of(self.clf)
        return state

    # ---------------------------------------------------------------- training
    def fit(self, docs: Sequence[Views], languages: Sequence[str], order: Sequence[str] = ()) -> LanguageIdentifier:
        self.languages = tuple(order) or tuple(dict.fromkeys(languages))
        x = self.features.fit_transform(docs)
        if len(set(languages)) < 2:  # one language: nothing to learn, letters still count
            self.clf = _Constant(languages[0])
        self.clf.fit(x, list(languages))
        self._order = [
            list(self.clf.classes_).index(lang) if lang in self.clf.classes_ else -1 for lang in self.languages
        ]
        self._fit_letters(docs, languages)
        self.coverage.fit(docs, languages)
        self._fit_cutoffs(docs, languages)
        return self

    def _fit_letters(self, docs: Sequence[Views], languages: Sequence[str]) -> None:
        """Share of each language's messages in each script that use each letter.

        Per script: Russian typed in Latin is a small share of the Russian data, so over all of it
        Latin letters would look "rare in Russian" and count against it.
        """
        per: dict[tuple[str, str], Counter[str]] = {}
        n: Counter[tuple[str, str]] = Counter()
        for d, lang in zip(docs, languages):
            per.setdefault((lang, d.script), Counter()).update(set(_letters(d.text)))
            n[(lang, d.script)] += 1
        letters = sorted({ch for c in per.values() for ch, k in c.items() if k >= 3})
        self.alphabet = frozenset(letters)
        self._letter_index = {ch: i for i, ch in enumerate(letters)}
        self.letter_rate = {
            f"{lang}|{script}": np.array([per.get((lang, script), Counter())[ch] / max(n[(lang, script)], 1)
                                         for ch in letters])
            for lang in self.languages for script in ("cyrl", "latn")
        }  # fmt: skip
        self.letter_weight = np.array([
            [n[(lang, script)] / max(n[(lang, script)] + LETTER_SHRINK, 1.0) for lang in self.languages]
            for script in ("cyrl", "latn")
        ])  # fmt: skip

    def _fit_cutoffs(self, docs: Sequence[Views], langs: Sequence[str]) -> None:
        """Per length bucket, the coverage below which only a few in-language messages fall (leave-one-out,
        plain view only: a Latin message's second reading is a bonus, not a higher bar)."""
        scores: dict[int, list[float]] = {0: [], 1: [], 2: []}
        step = max(1, len(docs) // CUTOFF_SAMPLE)  # a systematic sample is enough for a quantile
        for doc, lang in list(zip(docs, langs))[::step]:
            if _trigrams(doc.text):
                scores[_bucket(doc.text)].append(self.coverage.score(doc, lang, leave_out=True, plain=True))
        self.cutoffs = tuple(  # type: ignore[assignment]
            max(0.0, float(np.quantile(scores[b], COVERAGE_QUANTILE)) - COVERAGE_MARGIN) if len(scores[b]) >= 50 else 0.0
            for b in (0, 1, 2)
        )

    # -------------------------------------------------------------- prediction
    def letter_prior(self, text: str, script: str = "") -> tuple[np.ndarray, float]:
        """Multipliers over the languages from the letters used, and the share of letters no language uses."""
        letters = _letters(text)
        script = script or script_of(text)
        prior = np.ones(len(self.languages))
        if not letters:
            return prior, 0.0
        seen = [self._letter_index[ch] for ch in set(letters) if ch in self._letter_index]
        unseen = sum(ch not in self.alphabet for ch in letters) / len(letters)
        if seen:
            rates = np.vstack([self.letter_rate[f"{lang}|{script}"][seen] for lang in self.languages])  # (L, letters)
            best = rates.max(axis=0)
            # a letter is evidence only against a language that (almost) never writes it
            rel = np.where(rates < RARE * best, np.clip(rates / np.maximum(best, 1e-9), LETTER_FLOOR, 1.0), 1.0)
            weight = getattr(self, "letter_weight", None)
            prior = np.prod(rel, axis=1)
            if weight is not None:
                prior = prior ** weight[0 if script == "cyrl" else 1]
        return prior, float(unseen)

    def _raw_row(self, doc: Views) -> np.ndarray:
        if isinstance(self.clf, _Constant):
            raw = np.ones(1)
        else:
            z = linear(self.clf.coef_, np.atleast_1d(self.clf.intercept_), self.features.row(doc)) / TEMPERATURE
            raw = softmax(z) if len(z) > 1 else np.array([1 - _sigmoid(z[0]), _sigmoid(z[0])])
        out = np.zeros(len(self.languages))
        for j, k in enumerate(self._order):
            if k >= 0:
                out[j] = raw[k]
        return out

    def proba_row(self, doc: Views) -> np.ndarray:
        """Probabilities over the supported languages (letters included), on the fast path."""
        prior, _ = self.letter_prior(doc.text, doc.script)
        row = self._raw_row(doc) * prior
        return row / row.sum() if row.sum() > 0 else np.full(len(self.languages), 1 / len(self.languages))

    def identify(self, doc: Views) -> tuple[str, float, np.ndarray]:
        """(language or "unknown", confidence, probabilities over the supported languages)."""
        if not doc.has_letters:
            return self.languages[0], 1.0 / len(self.languages), np.full(len(self.languages), 1 / len(self.languages))
        prior, unseen = self.letter_prior(doc.text, doc.script)
        raw = self._raw_row(doc) * prior
        row = raw / raw.sum() if raw.sum() > 0 else np.full(len(self.languages), 1 / len(self.languages))
        k = int(row.argmax())
        lang, conf = self.languages[k], float(row[k])
        cov = self.coverage.score(doc, lang)
        cut = self.cutoffs[_bucket(doc.text)]
        if unseen >= UNSEEN_SHARE and cov < cut + UNSEEN_MARGIN:
            return UNKNOWN, min(UNKNOWN_CONFIDENCE, conf), row
        if cov < cut or (conf < MIN_LANG_CONFIDENCE and cov < cut + 0.1):
            lang, conf = UNKNOWN, min(UNKNOWN_CONFIDENCE, conf)
        if lang in (BORROWED, UNKNOWN):
            grammar = self._grammar_of_mixed_script(doc.text)
            if grammar is not None:
                return grammar[0], grammar[1], row
        return lang, conf, row

    def _grammar_of_mixed_script(self, text: str) -> tuple[str, float] | None:
        """Uzbek typed in Latin with Russian words left in Cyrillic ("Оператор-ga ulang, пожалуйста"):
        the Russian n-grams outweigh the grammar, so each script's words are read apart, and a part
        surely in a language other than Russian names the message's language (the grammar's, as the
        taxonomy says). English words in a Russian message read as unknown and change nothing."""
        words = _WORD_RE.findall(text)
        cyr = [w for w in words if has_cyrillic(w)]
        lat = [w for w in words if not has_cyrillic(w)]
        letters = sum(map(len, words))
        if len(cyr) < 2 or len(lat) < 2 or not letters:
            return None
        if min(sum(map(len, cyr)), sum(map(len, lat))) < MIXED_SCRIPT_SHARE * letters:
            return None
        best: tuple[str, float] | None = None
        for part in (" ".join(cyr), " ".join(lat)):
            lang, conf, _ = self.identify(views(part))
            if lang not in (BORROWED, UNKNOWN) and conf >= MIXED_PART_CONFIDENCE and (best is None or conf > best[1]):
                best = (lang, conf)
        return best

    def predict(self, doc: Views) -> tuple[str, float]:
        """(language, confidence)."""
        lang, conf, _ = self.identify(doc)
        return lang, conf

    def proba(self, docs: Sequence[Views]) -> np.ndarray:
        """Rows of probabilities over the supported languages."""
        return np.vstack([self.proba_row(d) for d in docs]) if docs else np.zeros((0, len(self.languages)))
