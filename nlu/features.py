"""TF-IDF features over the text views; shared by the intent, urgency and language models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nlu.fast import FastTfidf, Row, concat
from nlu.normalize import Views

if TYPE_CHECKING:
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer


def _vec(
    analyzer: str,
    ngram: tuple[int, int],
    min_df: int = 2,
    max_features: int | None = None,
) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer=analyzer,
        ngram_range=ngram,
        min_df=min_df,
        sublinear_tf=True,
        lowercase=False,
        token_pattern=r"(?u)\b\w+\b" if analyzer == "word" else None,
        max_features=max_features,
        dtype=np.float32,
    )


def view_text(doc: Views, view: str) -> str:
    """A named view; "stem4:lat" cuts every word of the lat view to 4 letters."""
    if view.startswith("stem"):
        n, base = view[4:].split(":")
        return " ".join(w[: int(n)] for w in getattr(doc, base).split())
    return getattr(doc, view)


# (view, analyzer, ngram range, min_df): chosen by held-out macro-F1 (see nlu/README.md).
DEFAULT_SPEC: tuple[tuple[str, str, tuple[int, int], int], ...] = (
    ("cyr", "char_wb", (1, 5), 1),
    ("lat", "char_wb", (1, 5), 1),
    ("stem4:lat", "word", (1, 2), 1),
    ("stem4:cyr", "word", (1, 2), 1),
)


class ViewFeaturizer:
    """Char n-grams on the Cyrillic- and Latin-folded views plus word-stem n-grams.

    Folded views make "қамап"/"камап"/"qamap" and Uzbek in both scripts share features;
    four-letter stems tame Kazakh/Uzbek suffixes and catch the decisive verb in long stories.
    """

    def __init__(
        self, spec: Sequence[tuple[str, str, tuple[int, int], int]] = DEFAULT_SPEC
    ) -> None:
        self.parts: list[tuple[str, TfidfVectorizer]] = [
            (view, _vec(an, ng, mdf)) for view, an, ng, mdf in spec
        ]

    def fit(self, docs: Sequence[Views]) -> ViewFeaturizer:
        for view, vec in self.parts:
            vec.fit([view_text(d, view) or " " for d in docs])
        self.fast = _fast([vec for _, vec in self.parts])
        return self

    def __getstate__(self) -> dict[str, Any]:
        """Only the fast path is pickled: the vectorizers (and scikit-learn) stay behind."""
        state = dict(self.__dict__)
        state["parts"] = [(view, None) for view, _ in self.parts]
        return state

    def fit_transform(self, docs: Sequence[Views]) -> sparse.csr_matrix:
        """fit + transform in one pass over the texts (training reads them once)."""
        from scipy import sparse

        mats = [vec.fit_transform([view_text(d, view) or " " for d in docs]) for view, vec in self.parts]
        self.fast = _fast([vec for _, vec in self.parts])
        return sparse.hstack(mats, format="csr", dtype=np.float32)

    def row(self, doc: Views) -> Row:
        """One message as a sparse row (same columns as transform)."""
        return concat(
            [
                f.row(view_text(doc, view) or " ")
                for (view, _), f in zip(self.parts, self.fast)
            ]
        )

    def transform(self, docs: Sequence[Views]) -> sparse.csr_matrix:
        from scipy import sparse

        if any(vec is None for _, vec in self.parts):  # a loaded model: the fast path, row by row
            return _rows_to_csr([self.row(d) for d in docs], sum(len(f.vocab) for f in self.fast))
        mats = [
            vec.transform([view_text(d, view) or " " for d in docs])
            for view, vec in self.parts
        ]
        return sparse.hstack(mats, format="csr", dtype=np.float32)


# Language id: char 1-4-grams on the plain text (script and letters matter) and on the Latin-folded
# view, where Cyrillic and Latin spellings of a language meet: with it, Kazakh, Kyrgyz, Tajik or
# Russian typed in Latin are recognised even by a model that saw little of them (leave-one-style-out
# latin: language accuracy 0.59 -> 0.77, mixed 0.72 -> 0.74; see nlu/README.md).
LANG_SPEC: tuple[tuple[str, str, tuple[int, int], int], ...] = (
    ("text", "char_wb", (1, 4), 2),
    ("lat", "char_wb", (1, 4), 2),
)


class LangFeaturizer(ViewFeaturizer):
    """Char n-grams for language id: the plain text and its Latin-folded view."""

    def __init__(self) -> None:
        super().__init__(LANG_SPEC)


def _fast(vecs: Sequence[TfidfVectorizer]) -> list[FastTfidf]:
    out, offset = [], 0
    for vec in vecs:
        out.append(FastTfidf(vec, offset))
        offset += len(vec.vocabulary_)
    return out


def _rows_to_csr(rows: Sequence[Row], width: int) -> sparse.csr_matrix:
    from scipy import sparse

    indptr = np.cumsum([0] + [len(r[0]) for r in rows])
    idx = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, dtype=np.int64)
    val = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0)
    return sparse.csr_matrix((val, idx, indptr), shape=(len(rows), width), dtype=np.float32)
