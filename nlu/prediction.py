"""The contract types: intents, languages and the Prediction every backend returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

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
LANGUAGES: tuple[str, ...] = ("ru", "kk", "uz")
SCRIPTS: tuple[str, ...] = ("cyrl", "latn")


@dataclass(frozen=True)
class Prediction:
    """One message's reading; frozen so the core can pass it around and log it safely."""

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

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (ranking as [intent, score] pairs)."""
        data = asdict(self)
        data["ranking"] = [
            [name, round(float(score), 4)] for name, score in self.ranking
        ]
        for key in ("confidence", "language_confidence", "urgent_score"):
            data[key] = round(float(data[key]), 4)
        return data
