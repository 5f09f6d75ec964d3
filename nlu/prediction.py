"""The contract types: intents, languages and the Prediction every backend returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from nlu.data_io import UNKNOWN, training_languages

INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "service_info",
    "talk_to_human",
    "job_offer_check",
    "migration_rules",
    "documents_taken",
    "unpaid_wages",
    "forced_labor",
    "sexual_exploitation",
    "forced_marriage",
    "missing_person",
    "return_home",
    "shelter_request",
    "legal_aid",
    "medical_help",
    "emergency",
    "delete_data",
    "out_of_scope",
)
# The languages the package data supports (a folder under nlu/data/train each); a model
# trained on other data has its own list (NLUModel.languages). UNKNOWN is never in it.
LANGUAGES: tuple[str, ...] = training_languages()
SCRIPTS: tuple[str, ...] = ("cyrl", "latn")
# What urgent_reasons may contain: category codes only, never words from the message.
URGENT_REASONS: tuple[str, ...] = (
    "confinement",
    "violence",
    "threat",
    "abduction",
    "moved_now",
    "sexual_coercion",
    "self_harm",
    "child",
    "model",
)
BANDS: tuple[str, ...] = ("urgent", "grey", "calm")
# Intents serious enough that a message saying nothing about present safety gets one safety question.
SAFETY_QUESTION_INTENTS: frozenset[str] = frozenset(
    {"documents_taken", "forced_labor", "sexual_exploitation", "forced_marriage", "medical_help"}
)

__all__ = [
    "BANDS",
    "INTENTS",
    "LANGUAGES",
    "SAFETY_QUESTION_INTENTS",
    "SCRIPTS",
    "UNKNOWN",
    "URGENT_REASONS",
    "Prediction",
]


@dataclass(frozen=True)
class Prediction:
    """One message's reading; frozen so the core can pass it around and log it safely.

    `language` is "unknown" (with low `language_confidence`) for a language the model does not
    support; urgency still runs then. `urgent_reasons` holds category codes (URGENT_REASONS) only.
    `urgency_band` is urgent / grey (below the urgent threshold, above a high-recall one) / calm;
    `ask_safety` tells the conversation to ask once "are you in danger right now?".
    """

    intent: str
    confidence: float
    ranking: list[tuple[str, float]]
    language: str
    language_confidence: float
    script: str
    urgent: bool
    urgent_score: float
    urgent_reasons: list[str] = field(default_factory=list)
    normalized_text: str = ""
    fallback: bool = False
    third_party: bool = False
    urgency_band: str = "calm"
    ask_safety: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (ranking as [intent, score] pairs)."""
        data = asdict(self)
        data["ranking"] = [[name, round(float(score), 4)] for name, score in self.ranking]
        for key in ("confidence", "language_confidence", "urgent_score"):
            data[key] = round(float(data[key]), 4)
        return data
