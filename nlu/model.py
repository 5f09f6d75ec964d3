"""The embedded NLU model: normalise -> language/script -> intent -> urgency.

Everything is scikit-learn on TF-IDF views, trained from the Rasa YAML in seconds,
so a fresh install trains on first start and the same data moves to Rasa unchanged.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import sklearn
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from nlu.classifiers import SoftmaxSVC
from nlu.cues import CueMatcher, CueResult
from nlu.data_io import DATA_DIR, Example, fingerprint, load_cues, load_dir
from nlu.features import ViewFeaturizer
from nlu.langid import LanguageIdentifier
from nlu.normalize import Views, views
from nlu.prediction import INTENTS, Prediction

log = logging.getLogger("nlu.model")

MODEL_VERSION = (
    f"nlu-4/sklearn-{sklearn.__version__}"  # bump on any change to what is pickled
)
CUE_CATEGORIES = (
    "confinement",
    "violence",
    "threat",
    "abduction",
    "moved_now",
    "child",
    "self_harm",
)
FALLBACK_CONFIDENCE = 0.40
FALLBACK_MARGIN = 0.08
TARGET_RECALL = 0.975
CUE_FLOOR = 0.75  # urgent_score given to a danger cue that holds now
EMPTY_INTENT = "out_of_scope"


def cue_vector(res: CueResult) -> np.ndarray:
    """Cue evidence as features for the urgency model."""
    supp = {s.split(":", 1)[0] for s in res.suppressed}
    vec = [1.0 if c in res.categories else 0.0 for c in CUE_CATEGORIES]
    vec += [1.0 if c in supp else 0.0 for c in CUE_CATEGORIES]
    vec += [
        float(res.past),
        float(res.present),
        float(res.hypothetical),
        float(min(res.negated, 2)),
    ]
    return np.asarray(vec, dtype=np.float32)


class NLUModel:
    """Intent, language and urgency in one picklable object."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.version = MODEL_VERSION
        self.data_fingerprint = ""
        self.features = ViewFeaturizer()
        self.intent_clf = SoftmaxSVC(seed=seed)
        self.urgent_clf = self._urgent_model()
        self.langid = LanguageIdentifier(seed)
        self.cues = CueMatcher([])
        self.urgent_threshold = 0.5
        self.intents: list[str] = list(INTENTS)

    def _urgent_model(self) -> LogisticRegression:
        return LogisticRegression(
            C=10.0, solver="liblinear", class_weight="balanced", random_state=self.seed
        )

    # ---------------------------------------------------------------- training
    @classmethod
    def train(
        cls, data_dir: Path | None = None, seed: int = 0, tune: bool = True
    ) -> NLUModel:
        """Train from {ru,kk,uz}.yml and urgency/*.yml in data_dir (the package data by default)."""
        data_dir = Path(data_dir) if data_dir else DATA_DIR
        examples = load_dir(data_dir)
        if not examples:
            raise ValueError(f"no training data in {data_dir}")
        model = cls(seed)
        model.data_fingerprint = fingerprint(data_dir)
        model.cues = CueMatcher(load_cues(data_dir / "urgency"))
        model.fit(examples, tune=tune)
        return model

    def fit(self, examples: Sequence[Example], tune: bool = True) -> NLUModel:
        docs = [views(e.text) for e in examples]
        x = self.features.fit(docs).transform(docs)
        intents = [e.intent for e in examples]
        urgent = np.asarray([e.urgent for e in examples], dtype=int)
        langs = [e.language for e in examples]
        xu = self._urgent_x(x, docs, langs)
        self.intent_clf.fit(x, intents)
        self.intents = [str(c) for c in self.intent_clf.classes_]
        self.urgent_clf.fit(xu, urgent)
        self.langid.fit(docs, langs)
        if tune:
            self.urgent_threshold = self._tune_threshold(
                x, xu, intents, urgent, docs, langs
            )
        return self

    def _urgent_x(
        self, x: sparse.csr_matrix, docs: Sequence[Views], langs: Sequence[str]
    ) -> sparse.csr_matrix:
        cues = np.vstack(
            [cue_vector(self.cues.match(d, lang)) for d, lang in zip(docs, langs)]
        )
        return sparse.hstack([x, sparse.csr_matrix(cues * 0.5)], format="csr")

    def _tune_threshold(self, x, xu, intents, urgent, docs, langs) -> float:  # type: ignore[no-untyped-def]
        """Highest threshold whose out-of-fold urgent recall still meets TARGET_RECALL."""
        scores = np.zeros(len(intents))
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=self.seed)
        strata = [
            f"{i}|{u}" if intents.count(i) > 6 else "x" for i, u in zip(intents, urgent)
        ]
        for tr, te in folds.split(np.zeros(len(intents)), strata):
            ic = SoftmaxSVC(seed=self.seed).fit(x[tr], [intents[i] for i in tr])
            uc = self._urgent_model().fit(xu[tr], urgent[tr])
            p_int = ic.predict_proba(x[te])
            p_urg = uc.predict_proba(xu[te])[:, 1]
            k = (
                list(ic.classes_).index("emergency")
                if "emergency" in ic.classes_
                else -1
            )
            for row, i in enumerate(te):
                res = self.cues.match(docs[i], langs[i])
                top = ic.classes_[int(p_int[row].argmax())]
                scores[i] = self._combine(
                    p_urg[row],
                    p_int[row][k] if k >= 0 else 0.0,
                    top == "emergency",
                    res,
                )
        pos = np.sort(scores[urgent == 1])
        if len(pos) == 0:
            return 0.5
        cut = pos[int(np.floor((1 - TARGET_RECALL) * len(pos)))]
        return float(min(0.5, max(0.05, cut - 1e-6)))

    @staticmethod
    def _combine(
        p_urgent: float, p_emergency: float, top_is_emergency: bool, res: CueResult
    ) -> float:
        score = max(float(p_urgent), float(p_emergency))
        if top_is_emergency:
            score = max(score, 0.9)
        if res.fired:
            score = max(score, CUE_FLOOR)
        return score

    # -------------------------------------------------------------- prediction
    def predict(self, text: str) -> Prediction:
        """Read one message; never raises on odd input."""
        return self.predict_many([text])[0]

    async def apredict(self, text: str) -> Prediction:
        """The NLUBackend interface; the model is fast enough to run inline."""
        return self.predict(text)

    def predict_many(self, texts: Iterable[str]) -> list[Prediction]:
        """Several messages; one by one on the fast path (a chat rarely batches)."""
        return [self._predict_one(t if isinstance(t, str) else "") for t in texts]

    def _predict_one(self, text: str) -> Prediction:
        doc = views(text)
        if not doc.has_letters:
            return self._empty(doc)
        row = self.features.row(doc)
        p_int = self.intent_clf.proba_row(row)
        lang = self.langid_label(self.langid.proba_row(doc))
        res = self.cues.match(doc, lang[0])
        w = self.urgent_clf.coef_[0]
        n = w.shape[0] - len(CUE_CATEGORIES) * 2 - 4
        idx, val = row
        z = (
            float(w[idx] @ val)
            + float(w[n:] @ (cue_vector(res) * 0.5))
            + float(self.urgent_clf.intercept_[0])
        )
        p_urg = 1.0 / (1.0 + np.exp(-z))
        return self._assemble(doc, p_int, lang, p_urg, res)

    @staticmethod
    def langid_label(row: np.ndarray) -> tuple[str, float]:
        from nlu.prediction import LANGUAGES

        k = int(row.argmax())
        return LANGUAGES[k], float(row[k])

    def _assemble(
        self,
        doc: Views,
        p_int: np.ndarray,
        lang: tuple[str, float],
        p_urg: float,
        res: CueResult,
    ) -> Prediction:
        order = np.argsort(-p_int)
        ranking = [(self.intents[k], float(p_int[k])) for k in order[:3]]
        intent, conf = ranking[0]
        margin = conf - (ranking[1][1] if len(ranking) > 1 else 0.0)
        p_em = (
            float(p_int[self.intents.index("emergency")])
            if "emergency" in self.intents
            else 0.0
        )
        score = self._combine(p_urg, p_em, intent == "emergency", res)
        urgent = intent == "emergency" or score >= self.urgent_threshold
        reasons = list(res.active)
        if urgent and not reasons:
            reasons = [
                "model: emergency intent"
                if intent == "emergency"
                else f"model: {score:.2f}"
            ]
        return Prediction(
            intent=intent,
            confidence=conf,
            ranking=ranking,
            language=lang[0],
            language_confidence=lang[1],
            script=doc.script,
            urgent=bool(urgent),
            urgent_score=float(score),
            urgent_reasons=reasons,
            normalized_text=doc.text,
            fallback=bool(conf < FALLBACK_CONFIDENCE or margin < FALLBACK_MARGIN),
        )

    @staticmethod
    def _empty(doc: Views) -> Prediction:
        """No letters at all (empty, emojis, digits): ask a clarifying question, never alarm."""
        return Prediction(
            intent=EMPTY_INTENT, confidence=0.0, ranking=[(EMPTY_INTENT, 0.0)], language="ru",
            language_confidence=1 / 3, script="cyrl", urgent=False, urgent_score=0.0,
            urgent_reasons=[], normalized_text=doc.text, fallback=True,
        )  # fmt: skip

    # ------------------------------------------------------------- persistence
    def save(self, path: Path) -> None:
        """Atomic pickle with the version stamp."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(
                {"version": MODEL_VERSION, "model": self},
                fh,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> NLUModel:
        """Load a saved model; ValueError when it was made by another version."""
        with open(path, "rb") as fh:
            blob = pickle.load(fh)
        if (
            not isinstance(blob, dict)
            or blob.get("version") != MODEL_VERSION
            or not isinstance(blob.get("model"), cls)
        ):
            raise ValueError(
                f"model file {path} has version {blob.get('version') if isinstance(blob, dict) else '?'}, need {MODEL_VERSION}"
            )
        return blob["model"]


def load_or_train(path: Path, data_dir: Path | None = None) -> NLUModel:
    """Load the model file, or train (and save) when it is missing, stale or unreadable."""
    path = Path(path)
    data_dir = Path(data_dir) if data_dir else DATA_DIR
    if path.exists():
        try:
            model = NLUModel.load(path)
            model.predict(
                "проверка"
            )  # a file that loads but cannot predict is stale too
            if model.data_fingerprint == fingerprint(data_dir):
                return model
            log.warning("NLU model file was trained on other data; retraining")
        except Exception as exc:  # noqa: BLE001 - any unreadable file means retrain
            log.warning("NLU model file unusable (%s); retraining", type(exc).__name__)
    model = NLUModel.train(data_dir)
    model.save(path)
    return model
