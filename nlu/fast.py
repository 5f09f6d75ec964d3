"""Per-message inference without scikit-learn's per-call validation overhead.

sklearn's transform/predict on one row spends ~90% of its time checking inputs; a chat
message needs one sparse row, so we build it from the fitted vocabularies and apply the
fitted linear weights directly. Same numbers (up to float rounding) as the sklearn path.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

Row = tuple[np.ndarray, np.ndarray]  # (column indices, values)
_EMPTY: Row = (np.zeros(0, dtype=np.int64), np.zeros(0))


_WHITE = re.compile(r"\s\s+")


def char_wb_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    """scikit-learn's char_wb analyzer (lowercase=False, no accents stripping), without scikit-learn."""
    text = _WHITE.sub(" ", text)
    out: list[str] = []
    for w in text.split():
        w = f" {w} "
        w_len = len(w)
        for n in range(min_n, max_n + 1):
            if n >= w_len:  # a word no longer than n counts once, and ends the word's n-grams
                out.append(w)
                break
            out.extend([w[i : i + n] for i in range(w_len - n + 1)])
    return out


def word_ngrams(text: str, min_n: int, max_n: int, pattern: re.Pattern[str]) -> list[str]:
    """scikit-learn's word analyzer (lowercase=False, no stop words), without scikit-learn."""
    tokens = pattern.findall(text)
    if max_n == 1:
        return tokens if min_n == 1 else []
    original = tokens
    out = list(original) if min_n == 1 else []
    n_original = len(original)
    for n in range(max(min_n, 2), min(max_n + 1, n_original + 1)):
        out.extend(" ".join(original[i : i + n]) for i in range(n_original - n + 1))
    return out


class FastTfidf:
    """One fitted TfidfVectorizer reduced to vocabulary, idf and analyzer: no scikit-learn at run time,
    so loading the model does not import it (3 s on a busy 2-core box)."""

    def __init__(self, vec: TfidfVectorizer, offset: int) -> None:
        self.vocab: dict[str, int] = vec.vocabulary_
        self.idf = np.asarray(vec.idf_, dtype=np.float64)
        self.sublinear = bool(vec.sublinear_tf)
        self.offset = offset
        self.kind = str(vec.analyzer)
        self.ngram = (int(vec.ngram_range[0]), int(vec.ngram_range[1]))
        self.pattern = str(vec.token_pattern or r"(?u)\b\w\w+\b")
        self._analyze: Callable[[str], list[str]] | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_analyze"] = None  # rebuilt after unpickling
        return state

    def analyzer(self) -> Callable[[str], list[str]]:
        lo, hi = self.ngram
        if self.kind == "char_wb":
            return lambda text: char_wb_ngrams(text, lo, hi)
        if self.kind == "word":
            pattern = re.compile(self.pattern)
            return lambda text: word_ngrams(text, lo, hi, pattern)
        raise ValueError(f"analyzer {self.kind!r} has no fast path")

    def row(self, text: str) -> Row:
        if self._analyze is None:
            self._analyze = self.analyzer()
        vocab = self.vocab
        # Count the grams first (in C), then look each distinct one up once: a vocabulary maps
        # distinct grams to distinct columns, so no two counts meet.
        counts: dict[int, int] = {}
        for gram, n in Counter(self._analyze(text)).items():
            j = vocab.get(gram)
            if j is not None:
                counts[j] = n
        if not counts:
            return _EMPTY
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear:
            tf = 1.0 + np.log(tf)
        val = tf * self.idf[idx]
        norm = float(np.sqrt(val @ val))
        return idx + self.offset, (val / norm if norm > 0 else val)


def concat(rows: list[Row]) -> Row:
    rows = [r for r in rows if len(r[0])]
    if not rows:
        return _EMPTY
    return np.concatenate([r[0] for r in rows]), np.concatenate([r[1] for r in rows])


def linear(weights: np.ndarray, bias: np.ndarray, row: Row) -> np.ndarray:
    """weights (k, F) times the sparse row, plus bias: the decision values."""
    idx, val = row
    return weights[:, idx] @ val + bias if len(idx) else bias.copy()


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max()
    e = np.exp(z)
    return e / e.sum()


class Linear:
    """A fitted linear model reduced to its weights (float32) and classes: what inference needs."""

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, classes: np.ndarray | None = None) -> None:
        self.coef_ = np.asarray(coef, dtype=np.float32)
        self.intercept_ = np.atleast_1d(np.asarray(intercept, dtype=np.float64))
        self.classes_ = np.asarray(classes) if classes is not None else np.array([0, 1])

    @classmethod
    def of(cls, fitted: Any) -> Linear:
        """From any fitted scikit-learn linear model (or a Linear already)."""
        if isinstance(fitted, Linear):
            return fitted
        return cls(fitted.coef_, fitted.intercept_, getattr(fitted, "classes_", None))

    def decision_function(self, x: Any) -> np.ndarray:
        d = np.asarray(x @ self.coef_.T.astype(np.float64)) + self.intercept_
        return d[:, 0] if d.shape[1] == 1 else d
