"""TF-IDF features over the text views; shared by the intent, urgency and language models."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from nlu.fast import FastTfidf, Row, concat
from nlu.normalize import Views


def _vec(
    analyzer: str,
    ngram: tuple[int, int],
    min_df: int = 2,
    max_features: int | None = None,
) -> TfidfVectorizer:
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

    def fit_transform(self, docs: Sequence[Views]) -> sparse.csr_matrix:
        """fit + transform in one pass over the texts (training reads them once)."""
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
        mats = [
            vec.transform([view_text(d, view) or " " for d in docs])
            for view, vec in self.parts
        ]
        return sparse.hstack(mats, format="csr", dtype=np.float32)


class LangFeaturizer:
    """Char n-grams on the plain normalised text: script and letters matter for language."""

    def __init__(self) -> None:
        self.vec = _vec("char_wb", (1, 4))

    def fit(self, docs: Sequence[Views]) -> LangFeaturizer:
        self.vec.fit([d.text or " " for d in docs])
        self.fast = _fast([self.vec])
        return self

    def fit_transform(self, docs: Sequence[Views]) -> sparse.csr_matrix:
        x = self.vec.fit_transform([d.text or " " for d in docs])
        self.fast = _fast([self.vec])
        return x

    def row(self, doc: Views) -> Row:
        return self.fast[0].row(doc.text or " ")

    def transform(self, docs: Sequence[Views]) -> sparse.csr_matrix:
        return self.vec.transform([d.text or " " for d in docs])


def _fast(vecs: Sequence[TfidfVectorizer]) -> list[FastTfidf]:
    out, offset = [], 0
    for vec in vecs:
        out.append(FastTfidf(vec, offset))
        offset += len(vec.vocabulary_)
    return out
