"""Per-message inference without scikit-learn's per-call validation overhead.

sklearn's transform/predict on one row spends ~90% of its time checking inputs; a chat
message needs one sparse row, so we build it from the fitted vocabularies and apply the
fitted linear weights directly. Same numbers (up to float rounding) as the sklearn path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

Row = tuple[np.ndarray, np.ndarray]  # (column indices, values)
_EMPTY: Row = (np.zeros(0, dtype=np.int64), np.zeros(0))


class FastTfidf:
    """One fitted TfidfVectorizer reduced to vocabulary, idf and analyzer."""

    def __init__(self, vec: TfidfVectorizer, offset: int) -> None:
        self.vocab: dict[str, int] = vec.vocabulary_
        self.idf = np.asarray(vec.idf_, dtype=np.float64)
        self.sublinear = bool(vec.sublinear_tf)
        self.offset = offset
        self._vec = vec
        self._analyze: Callable[[str], list[str]] | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_analyze"] = None  # rebuilt after unpickling
        return state

    def row(self, text: str) -> Row:
        if self._analyze is None:
            self._analyze = self._vec.build_analyzer()
        counts: dict[int, int] = {}
        vocab = self.vocab
        for gram in self._analyze(text):
            j = vocab.get(gram)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
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
