"""The one backoff rule for everything retried later: outbox sends and stored deliveries."""

from __future__ import annotations

import random

MAX_BACKOFF = 600.0


def backoff(attempts: int) -> float:
    """Exponential with jitter: 1, 2, 4 … seconds, capped at ten minutes."""
    return min(MAX_BACKOFF, 2.0 ** max(0, attempts - 1)) * random.uniform(0.8, 1.2)
