"""The one interface the core needs from any NLU backend."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from nlu.prediction import Prediction


@runtime_checkable
class NLUBackend(Protocol):
    """Embedded model and Rasa server alike: one awaitable reading per message."""

    async def apredict(self, text: str) -> Prediction: ...
