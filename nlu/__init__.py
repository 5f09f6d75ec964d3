"""Helpline NLU: normalise -> language/script -> intent -> urgency, from Rasa-format data.

A pure library (no web, DB or channel imports; an import-linter contract enforces it).
Heavy pieces (scikit-learn) load on first use so `import nlu` stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlu import normalize
from nlu.backend import NLUBackend
from nlu.prediction import INTENTS, LANGUAGES, UNKNOWN, URGENT_REASONS, Prediction

if TYPE_CHECKING:
    from nlu.model import NLUModel

# `nlu.normalize` is the module (normalize.normalize(text), normalize.views(text)).
__all__ = [
    "INTENTS",
    "LANGUAGES",
    "NLUBackend",
    "NLUModel",
    "Prediction",
    "UNKNOWN",
    "URGENT_REASONS",
    "load_or_train",
    "normalize",
]


def load_or_train(path: Path | None = None, data_dir: Path | None = None) -> NLUModel:
    """Load the model file (default: the package's, built by `make install`) or train it with
    visible progress when it is missing or stale (version or data change)."""
    from nlu.model import load_or_train as _load_or_train

    return _load_or_train(path, data_dir)


def __getattr__(name: str) -> Any:
    if name == "NLUModel":
        from nlu.model import NLUModel

        return NLUModel
    raise AttributeError(name)
