"""Optional Rasa server backend: Rasa reads the intent, our detectors keep language and urgency.

If the server is slow or down the embedded model answers, so a Rasa outage never
drops a message. Logs never contain message text.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import httpx

from nlu.model import FALLBACK_CONFIDENCE, FALLBACK_MARGIN, NLUModel
from nlu.prediction import Prediction

log = logging.getLogger("nlu.rasa")

RASA_FALLBACK_INTENT = "nlu_fallback"


def _ranking(body: dict[str, Any]) -> list[tuple[str, float]]:
    rows = body.get("intent_ranking") or []
    if not rows and isinstance(body.get("intent"), dict):
        rows = [body["intent"]]
    out = [
        (str(r.get("name")), float(r.get("confidence") or 0.0))
        for r in rows
        if isinstance(r, dict) and r.get("name")
    ]
    return sorted(out, key=lambda r: -r[1])


class RasaBackend:
    """POST {url}/model/parse; maps intent and intent_ranking onto our Prediction."""

    def __init__(
        self, url: str, fallback_model: NLUModel, timeout: float = 2.0
    ) -> None:
        self.url = url.rstrip("/")
        self.model = fallback_model
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout)
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP connection pool (call from the app's shutdown)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def predict(self, text: str) -> Prediction:
        """Rasa's intent with our language and urgency; the embedded model if Rasa fails."""
        local = self.model.predict(text)
        if not local.normalized_text:
            return local  # nothing for Rasa to read
        try:
            resp = await self._http().post(
                f"{self.url}/model/parse", json={"text": local.normalized_text}
            )
            resp.raise_for_status()
            body = resp.json()
            ranking = _ranking(body)
            if not ranking:
                raise ValueError("no intent in Rasa response")
        except (httpx.HTTPError, ValueError, TypeError) as exc:
            log.warning(
                "Rasa unavailable (%s); using the embedded model", type(exc).__name__
            )
            return local
        return self._merge(local, ranking)

    async def apredict(self, text: str) -> Prediction:
        """The NLUBackend interface."""
        return await self.predict(text)

    @staticmethod
    def _merge(local: Prediction, ranking: list[tuple[str, float]]) -> Prediction:
        said_fallback = ranking[0][0] == RASA_FALLBACK_INTENT
        real = [r for r in ranking if r[0] != RASA_FALLBACK_INTENT] or [
            (local.intent, local.confidence)
        ]
        intent, conf = real[0]
        margin = conf - (real[1][1] if len(real) > 1 else 0.0)
        urgent = local.urgent or intent == "emergency"
        reasons = (
            list(local.urgent_reasons)
            if local.urgent
            else ["model"]
            if urgent
            else []
        )
        return replace(
            local,
            intent=intent,
            confidence=conf,
            ranking=real[:3],
            urgent=urgent,
            urgent_score=max(local.urgent_score, 0.9)
            if intent == "emergency"
            else local.urgent_score,
            urgent_reasons=reasons,
            urgency_band="urgent" if urgent else local.urgency_band,
            ask_safety=local.ask_safety and not urgent,
            fallback=said_fallback
            or conf < FALLBACK_CONFIDENCE
            or margin < FALLBACK_MARGIN,
        )
