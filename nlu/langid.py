"""Language (ru/kk/uz) from char n-grams trained on our data, nudged by letter cues.

Letters unique to one language are strong evidence; the classifier handles text typed
without them. Borrowed Russian nouns inside Kazakh/Uzbek grammar are outweighed by the
endings, which the word-boundary char n-grams capture.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from nlu.fast import linear, softmax
from nlu.features import LangFeaturizer
from nlu.normalize import Views
from nlu.prediction import LANGUAGES

# letter -> (language, multiplier) applied to the classifier's probabilities
_KK_ONLY = re.compile(r"[әңөұүһі]")
_UZ_ONLY = re.compile(r"[ўҳ]|\b\w*(?:o'|g')\w*")
_KK_UZ = re.compile(r"[қғ]")
_RU_ONLY = re.compile(r"[ыэщъ]")


def letter_prior(text: str) -> np.ndarray:
    """Multipliers over LANGUAGES from letters only one or two languages use."""
    prior = np.ones(len(LANGUAGES))
    ru, kk, uz = (LANGUAGES.index(x) for x in ("ru", "kk", "uz"))
    n_kk = len(_KK_ONLY.findall(text))
    n_uz = len(_UZ_ONLY.findall(text))
    if n_kk:
        prior[kk] *= 1.0 + 2.0 * min(n_kk, 4)
    if n_uz:
        prior[uz] *= 1.0 + 2.0 * min(n_uz, 4)
    if _KK_UZ.search(text):
        prior[ru] *= 0.3
    if _RU_ONLY.search(text) and not (n_kk or n_uz):
        prior[ru] *= 1.5
    return prior


def _sigmoid(z: float) -> float:
    return float(1.0 / (1.0 + np.exp(-z)))


class _Constant:
    """Stand-in classifier when the training data holds a single language."""

    def __init__(self, label: str) -> None:
        self.classes_ = np.array([label])

    def fit(self, x: object, y: object) -> _Constant:
        return self

    def predict_proba(self, x: sparse.spmatrix) -> np.ndarray:
        return np.ones((x.shape[0], 1))


class LanguageIdentifier:
    """Calibrated char n-gram logistic regression times letter priors."""

    def __init__(self, seed: int = 0) -> None:
        self.features = LangFeaturizer()
        self.clf = LogisticRegression(C=20.0, max_iter=2000, random_state=seed)

    def fit(
        self, docs: Sequence[Views], languages: Sequence[str]
    ) -> LanguageIdentifier:
        x = self.features.fit(docs).transform(docs)
        if (
            len(set(languages)) < 2
        ):  # a one-language data set: nothing to learn, letters still count
            self.clf = _Constant(languages[0])
        self.clf.fit(x, list(languages))
        self._order = [
            list(self.clf.classes_).index(lang) if lang in self.clf.classes_ else -1
            for lang in LANGUAGES
        ]
        return self

    def proba(self, docs: Sequence[Views]) -> np.ndarray:
        """Rows of probabilities over LANGUAGES."""
        raw = self.clf.predict_proba(self.features.transform(docs))
        out = np.zeros((len(docs), len(LANGUAGES)))
        for j, k in enumerate(self._order):
            if k >= 0:
                out[:, j] = raw[:, k]
        for i, d in enumerate(docs):
            row = out[i] * letter_prior(d.text)
            out[i] = (
                row / row.sum()
                if row.sum() > 0
                else np.full(len(LANGUAGES), 1 / len(LANGUAGES))
            )
        return out

    def proba_row(self, doc: Views) -> np.ndarray:
        """proba() for one message, on the fast path."""
        if isinstance(self.clf, _Constant):
            raw = np.ones(1)
        else:
            z = linear(self.clf.coef_, self.clf.intercept_, self.features.row(doc))
            raw = (
                softmax(z)
                if len(z) > 1
                else np.array([1 - _sigmoid(z[0]), _sigmoid(z[0])])
            )
        out = np.zeros(len(LANGUAGES))
        for j, k in enumerate(self._order):
            if k >= 0:
                out[j] = raw[k]
        row = out * letter_prior(doc.text)
        return (
            row / row.sum()
            if row.sum() > 0
            else np.full(len(LANGUAGES), 1 / len(LANGUAGES))
        )

    def predict(self, doc: Views) -> tuple[str, float]:
        """(language, confidence); Russian with low confidence when there are no letters."""
        if not doc.has_letters:
            return "ru", 1.0 / len(LANGUAGES)
        row = self.proba([doc])[0]
        k = int(row.argmax())
        return LANGUAGES[k], float(row[k])
