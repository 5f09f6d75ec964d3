"""How the core reaches NLU: one async interface over the embedded model, Rasa, or keywords.

The model is built in the app's lifespan (trained on first start when no
model file exists) and handed to the core inside a ``LiveClassifier``, the one
slot a coordinator's activated candidate is swapped into; nothing is loaded at
import.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from app.platform.metrics import NLU_LATENCY
from app.understanding.workbench import training_dir_for

if TYPE_CHECKING:
    from app.platform.settings import Settings
    from nlu import Prediction

log = logging.getLogger("helpline.nlu")


class Classifier(Protocol):
    async def apredict(self, text: str) -> Prediction: ...


_KEYWORDS: dict[str, tuple[str, ...]] = {
    "emergency": ("заперли", "убь", "бьют", "помогите срочно", "qamab", "қамап", "urishyapti", "locked"),
    "documents_taken": ("паспорт", "pasport", "документ", "passport"),
    "unpaid_wages": ("зарплат", "не плат", "maosh", "айлық", "жалақы"),
    "talk_to_human": ("оператор", "человек", "operator", "адам"),
    "delete_data": ("удали", "o'chir", "өшір", "delete"),
    "greet": ("привет", "здравств", "salom", "сәлем", "салем", "hello"),
    "goodbye": ("спасибо", "rahmat", "рахмет", "thanks"),
}

# The category code (nlu.URGENT_REASONS) of each emergency keyword: reasons are never the words.
_KEYWORD_REASONS = {"заперли": "confinement", "qamab": "confinement", "қамап": "confinement", "locked": "confinement",
                    "убь": "threat", "бьют": "violence", "urishyapti": "violence"}  # fmt: skip


class LiveClassifier:
    """The classifier everyone holds: it asks whichever model is live now (``current``)."""

    def __init__(self, current: Classifier) -> None:
        self.current = current

    async def apredict(self, text: str) -> Prediction:
        with NLU_LATENCY.time():
            return await self.current.apredict(text)

    def activate(self, model: object) -> None:
        """A trained candidate becomes live; a Rasa server stays first with the candidate as its fallback."""
        if hasattr(self.current, "model") and not isinstance(self.current, EmbeddedClassifier):
            self.current.model = model  # type: ignore[attr-defined]
        else:
            self.current = EmbeddedClassifier(model)

    def live_model(self) -> object | None:
        """The embedded model behind the live classifier (the baseline a candidate is compared with)."""
        return getattr(self.current, "model", None) or getattr(self.current, "fallback_model", None)


class KeywordClassifier:
    """A tiny stand-in used in development when no trained model is wanted."""

    async def apredict(self, text: str) -> Prediction:
        from nlu import Prediction

        lowered = text.lower()
        intent = next((i for i, words in _KEYWORDS.items() if any(w in lowered for w in words)), "out_of_scope")
        if re.search(r"[әғқңөұүһі]", lowered):
            language = "kk"
        elif re.search(r"[ўҳ]|o'|g'|\b(men|meni|yordam)\b", lowered):
            language = "uz"
        else:
            language = "ru"
        script = "cyrl" if re.search(r"[а-яё]", lowered) else "latn"
        urgent = intent == "emergency"
        return Prediction(
            intent=intent, confidence=0.9, ranking=[(intent, 0.9)], language=language, language_confidence=0.9,
            script=script, urgent=urgent, urgent_score=1.0 if urgent else 0.0,
            urgent_reasons=sorted({c for w, c in _KEYWORD_REASONS.items() if w in lowered} or {"model"}) if urgent else [], normalized_text=lowered, fallback=intent == "out_of_scope",
        )  # fmt: skip


class EmbeddedClassifier:
    """Our own model, run in a worker thread so a long message never blocks the loop."""

    def __init__(self, model: object) -> None:
        self.model = model

    async def apredict(self, text: str) -> Prediction:
        if len(text) < 400:
            return self.model.predict(text)  # type: ignore[attr-defined]
        return await asyncio.to_thread(self.model.predict, text)  # type: ignore[attr-defined]


def door_triage(live: LiveClassifier) -> Callable[[str], bool]:
    """The webhook's cheap urgency check: the live model's danger cues on the normalised text.

    Well under a millisecond, no model scoring; it only orders the queue (urgent deliveries are
    claimed first). The full model still decides when the message is handled. The keyword stand-in
    answers with its own emergency words.
    """
    from nlu.data_io import UNKNOWN
    from nlu.normalize import views

    emergency = _KEYWORDS["emergency"]

    def looks_urgent(text: str) -> bool:
        cues = getattr(getattr(live.current, "model", None) or getattr(live.current, "fallback_model", None), "cues", None)
        if cues is None:
            lowered = text.lower()
            return any(word in lowered for word in emergency)
        try:
            return bool(cues.match(views(text[:2_000]), UNKNOWN).fired)
        except Exception:  # noqa: BLE001 - the door never fails a delivery over its triage
            log.warning("door triage failed")
            return False

    return looks_urgent


def build_classifier(settings: Settings) -> Classifier:
    """Load (or train once) the configured backend."""
    if settings.nlu_backend == "keywords":
        return KeywordClassifier()
    import nlu

    # Package data plus what coordinators added, so an activated model survives a restart.
    model = nlu.load_or_train(settings.model_path, training_dir_for(settings))
    embedded = EmbeddedClassifier(model)
    if settings.nlu_backend == "rasa":
        from nlu.rasa_backend import RasaBackend

        log.info("NLU backend: Rasa server with the embedded model as fallback")
        return RasaBackend(settings.rasa_url, fallback_model=model)
    return embedded
