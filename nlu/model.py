"""The embedded NLU model: normalise -> language/script -> intent -> urgency, third party, safety question.

Everything is scikit-learn on TF-IDF views, trained from the Rasa YAML in seconds; `make install`
trains it once into the package (nlu/model/helpline.pkl) and the app only loads it.
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import sklearn
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from nlu.classifiers import SoftmaxSVC
from nlu.cues import CueMatcher, CueResult
from nlu.data_io import DATA_DIR, UNKNOWN, Example, fingerprint, load_cues, load_training, order_languages
from nlu.features import ViewFeaturizer
from nlu.langid import LanguageIdentifier
from nlu.normalize import Views, views
from nlu.prediction import INTENTS, SAFETY_QUESTION_INTENTS, Prediction

log = logging.getLogger("nlu.model")

MODEL_VERSION = f"nlu-5/sklearn-{sklearn.__version__}"  # bump on any change to what is pickled
MODEL_DIR = Path(__file__).resolve().parent / "model"
DEFAULT_MODEL_PATH = MODEL_DIR / "helpline.pkl"
CUE_CATEGORIES = ("confinement", "violence", "threat", "abduction", "moved_now", "child", "self_harm")
FALLBACK_CONFIDENCE = 0.40
FALLBACK_MARGIN = 0.08
TARGET_RECALL = 0.985  # out-of-fold urgent recall the urgent threshold keeps
GREY_RECALL = 0.998  # out-of-fold urgent recall the grey band's lower edge keeps
MAX_THRESHOLD = 0.5
CUE_FLOOR = 0.75  # urgent_score given to a danger cue that holds now
SELF_HARM_FLOOR = 0.95
THIRD_PARTY_THRESHOLD = 0.5
EMPTY_INTENT = "out_of_scope"

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def stderr_progress(message: str) -> None:
    """Progress lines for `make install` / `helpline nlu train`."""
    sys.stderr.write(f"nlu: {message}\n")
    sys.stderr.flush()


def cue_vector(res: CueResult) -> np.ndarray:
    """Cue evidence as features for the urgency model."""
    supp = set(res.suppressed)
    vec = [1.0 if c in res.categories else 0.0 for c in CUE_CATEGORIES]
    vec += [1.0 if c in supp else 0.0 for c in CUE_CATEGORIES]
    vec += [float(res.past), float(res.present), float(res.hypothetical), float(min(res.negated, 2))]
    return np.asarray(vec, dtype=np.float32)


N_CUE = len(CUE_CATEGORIES) * 2 + 4
CUE_WEIGHT = 0.5


class NLUModel:
    """Intent, language, urgency and third party in one picklable object."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.version = MODEL_VERSION
        self.data_fingerprint = ""
        self.features = ViewFeaturizer()
        self.intent_clf = SoftmaxSVC(seed=seed)
        self.urgent_clf = self._urgent_model()
        self.third_clf: LogisticRegression | None = None
        self.langid = LanguageIdentifier(seed)
        self.cues = CueMatcher([])
        self.urgent_threshold = 0.5
        self.grey_threshold = 0.25
        self.intents: list[str] = list(INTENTS)
        self.languages: tuple[str, ...] = ()
        self.train_seconds = 0.0

    def _urgent_model(self) -> LogisticRegression:
        return LogisticRegression(C=10.0, solver="liblinear", class_weight="balanced", random_state=self.seed)

    # ---------------------------------------------------------------- training
    @classmethod
    def train(
        cls,
        data_dir: Path | None = None,
        seed: int = 0,
        tune: bool = True,
        progress: Progress = _quiet,
        exclude: Callable[[Example], bool] | None = None,
    ) -> NLUModel:
        """Train from train/<lang>/*.yml (and flat <lang>.yml) and urgency/*.yml in data_dir (package data by default)."""
        data_dir = Path(data_dir) if data_dir else DATA_DIR
        examples = load_training(data_dir)
        if exclude is not None:
            examples = [e for e in examples if not exclude(e)]
        if not examples:
            raise ValueError(f"no training data in {data_dir}")
        model = cls(seed)
        model.data_fingerprint = fingerprint(data_dir)
        langs = order_languages({e.language for e in examples})
        model.cues = CueMatcher(load_cues(data_dir / "urgency"), langs)
        model.fit(examples, tune=tune, progress=progress)
        return model

    def fit(self, examples: Sequence[Example], tune: bool = True, progress: Progress = _quiet) -> NLUModel:
        t0 = time.perf_counter()
        self.languages = order_languages({e.language for e in examples})
        if not self.cues.trained:
            self.cues.trained = frozenset(self.languages)
        progress(f"{len(examples)} examples in {', '.join(self.languages)}: features")
        docs = [views(e.text) for e in examples]
        x = self.features.fit(docs).transform(docs)
        intents = [e.intent for e in examples]
        urgent = np.asarray([e.urgent for e in examples], dtype=int)
        third = np.asarray([e.third_party for e in examples], dtype=int)
        langs = [e.language for e in examples]
        res = [self.cues.match(d, lang) for d, lang in zip(docs, langs)]
        xu = self._urgent_x(x, res)
        progress("intent classifier")
        self.intent_clf.fit(x, intents)
        self.intents = [str(c) for c in self.intent_clf.classes_]
        progress("urgency classifier")
        self.urgent_clf.fit(xu, urgent)
        if 0 < third.sum() < len(third):
            progress("third-party classifier")
            self.third_clf = LogisticRegression(
                C=5.0, solver="liblinear", class_weight="balanced", random_state=self.seed
            ).fit(x, third)
        progress("language identification")
        self.langid.fit(docs, langs, self.languages)
        if tune:
            progress("urgent threshold by 3-fold cross-validation")
            self.urgent_threshold, self.grey_threshold = self._tune_threshold(x, xu, intents, urgent, res)
        self.train_seconds = time.perf_counter() - t0
        progress(
            f"trained in {self.train_seconds:.0f} s (urgent >= {self.urgent_threshold:.3f}, grey >= {self.grey_threshold:.3f})"
        )
        return self

    @staticmethod
    def _urgent_x(x: sparse.csr_matrix, res: Sequence[CueResult]) -> sparse.csr_matrix:
        cues = np.vstack([cue_vector(r) for r in res]) if res else np.zeros((0, N_CUE), dtype=np.float32)
        return sparse.hstack([x, sparse.csr_matrix(cues * CUE_WEIGHT)], format="csr")

    def oof_scores(self, x, xu, intents, urgent, res) -> np.ndarray:  # type: ignore[no-untyped-def]
        """Out-of-fold combined urgency scores of the training examples (3 folds)."""
        scores = np.zeros(len(intents))
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=self.seed)
        counts = {i: intents.count(i) for i in set(intents)}
        strata = [f"{i}|{u}" if counts[i] > 6 else "x" for i, u in zip(intents, urgent)]
        for tr, te in folds.split(np.zeros(len(intents)), strata):
            ic = SoftmaxSVC(seed=self.seed).fit(x[tr], [intents[i] for i in tr])
            uc = self._urgent_model().fit(xu[tr], urgent[tr])
            p_int = ic.predict_proba(x[te])
            p_urg = uc.predict_proba(xu[te])[:, 1]
            k = list(ic.classes_).index("emergency") if "emergency" in ic.classes_ else -1
            for row, i in enumerate(te):
                top = ic.classes_[int(p_int[row].argmax())]
                scores[i] = self._combine(p_urg[row], p_int[row][k] if k >= 0 else 0.0, top == "emergency", res[i])
        return scores

    def _tune_threshold(self, x, xu, intents, urgent, res) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        """Highest thresholds whose out-of-fold urgent recall still meets TARGET_RECALL / GREY_RECALL."""
        scores = self.oof_scores(x, xu, intents, urgent, res)
        pos = np.sort(scores[urgent == 1])
        if len(pos) == 0:
            return 0.5, 0.25

        def cut(recall: float) -> float:
            return float(pos[int(np.floor((1 - recall) * len(pos)))] - 1e-6)

        hi = min(MAX_THRESHOLD, max(0.05, cut(TARGET_RECALL)))
        lo = min(hi * 0.8, max(0.02, cut(GREY_RECALL)))
        return hi, lo

    @staticmethod
    def _combine(p_urgent: float, p_emergency: float, top_is_emergency: bool, res: CueResult) -> float:
        score = max(float(p_urgent), float(p_emergency))
        if top_is_emergency:
            score = max(score, 0.9)
        if res.fired:
            score = max(score, CUE_FLOOR)
        if "self_harm" in res.categories:
            score = max(score, SELF_HARM_FLOOR)
        return score

    # -------------------------------------------------------------- prediction
    def predict(self, text: str) -> Prediction:
        """Read one message; never raises on odd input."""
        return self._predict_one(text if isinstance(text, str) else "")

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
        lang, lang_conf, _ = self.langid.identify(doc)
        res = self.cues.match(doc, lang)
        idx, val = row
        w = self.urgent_clf.coef_[0]
        n = w.shape[0] - N_CUE
        z = float(w[idx] @ val) + float(w[n:] @ (cue_vector(res) * CUE_WEIGHT)) + float(self.urgent_clf.intercept_[0])
        p_urg = 1.0 / (1.0 + np.exp(-z))
        p_third = 0.0
        if self.third_clf is not None:
            zt = float(self.third_clf.coef_[0][idx] @ val) + float(self.third_clf.intercept_[0])
            p_third = 1.0 / (1.0 + np.exp(-zt))
        return self._assemble(doc, p_int, (lang, lang_conf), p_urg, res, p_third)

    def _assemble(
        self,
        doc: Views,
        p_int: np.ndarray,
        lang: tuple[str, float],
        p_urg: float,
        res: CueResult,
        p_third: float = 0.0,
    ) -> Prediction:
        order = np.argsort(-p_int)
        ranking = [(self.intents[k], float(p_int[k])) for k in order[:3]]
        intent, conf = ranking[0]
        margin = conf - (ranking[1][1] if len(ranking) > 1 else 0.0)
        p_em = float(p_int[self.intents.index("emergency")]) if "emergency" in self.intents else 0.0
        score = self._combine(p_urg, p_em, intent == "emergency", res)
        urgent = intent == "emergency" or score >= self.urgent_threshold
        band = "urgent" if urgent else "grey" if score >= self.grey_threshold else "calm"
        reasons = [c for c in res.active if c in CUE_CATEGORIES]
        if urgent and not any(r != "child" for r in reasons):
            reasons.append("model")
        third = p_third >= THIRD_PARTY_THRESHOLD
        serious = intent in SAFETY_QUESTION_INTENTS or third
        ask = not urgent and (band == "grey" or (serious and not res.says_safety))
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
            fallback=bool(conf < FALLBACK_CONFIDENCE or margin < FALLBACK_MARGIN or lang[0] == UNKNOWN),
            third_party=bool(third),
            urgency_band=band,
            ask_safety=bool(ask),
        )

    def _empty(self, doc: Views) -> Prediction:
        """No letters at all (empty, emojis, digits): ask a clarifying question, never alarm."""
        return Prediction(
            intent=EMPTY_INTENT, confidence=0.0, ranking=[(EMPTY_INTENT, 0.0)], language=UNKNOWN,
            language_confidence=0.0, script="cyrl", urgent=False, urgent_score=0.0,
            urgent_reasons=[], normalized_text=doc.text, fallback=True,
        )  # fmt: skip

    # ------------------------------------------------------------- persistence
    def save(self, path: Path) -> None:
        """Atomic pickle with the version stamp."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump({"version": MODEL_VERSION, "model": self}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> NLUModel:
        """Load a saved model; ValueError when it was made by another version."""
        with open(path, "rb") as fh:
            blob = pickle.load(fh)
        if not isinstance(blob, dict) or blob.get("version") != MODEL_VERSION or not isinstance(blob.get("model"), cls):
            found = blob.get("version") if isinstance(blob, dict) else "?"
            raise ValueError(f"model file {path} has version {found}, need {MODEL_VERSION}")
        return blob["model"]


def load_or_train(
    path: Path | None = None, data_dir: Path | None = None, progress: Progress = stderr_progress
) -> NLUModel:
    """Load the model file, or train (and save) when it is missing, stale or unreadable.

    Training is never silent: it reports progress (to stderr by default) and logs a warning first.
    The default path is the package's own model file that `make install` builds.
    """
    path = Path(path) if path else DEFAULT_MODEL_PATH
    data_dir = Path(data_dir) if data_dir else DATA_DIR
    if path.exists():
        try:
            model = NLUModel.load(path)
            model.predict("проверка")  # a file that loads but cannot predict is stale too
            if model.data_fingerprint == fingerprint(data_dir):
                return model
            log.warning("NLU model file %s was trained on other data; retraining", path)
        except Exception as exc:  # noqa: BLE001 - any unreadable file means retrain
            log.warning("NLU model file %s unusable (%s); retraining", path, type(exc).__name__)
    else:
        log.warning("NLU model file %s missing; training it now (make install builds it once)", path)
    model = NLUModel.train(data_dir, progress=progress)
    model.save(path)
    progress(f"model written to {path}")
    return model
