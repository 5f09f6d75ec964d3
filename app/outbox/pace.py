"""Calls to one provider kept under its global rate: a paced slot per channel (GCRA), in this process.

Telegram answers 429 above about 30 messages a second per bot, Twilio queues (and at length refuses)
above a sender's messages-per-second; in a surge the outbox would otherwise send as fast as its
concurrency allows and learn the limit from the refusals. Each call waits for its channel's next slot:
up to ``burst`` calls at once, then one every ``1 / rate`` seconds. The limit is per process; with N
sending processes, give each the provider's rate divided by N. One recipient's rows are already sent
one at a time (the outbox's claim), which keeps the per-chat limits.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class Pace:
    def __init__(self, rates: dict[str, float], burst: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:  # fmt: skip
        self.rates = {channel: rate for channel, rate in rates.items() if rate and rate > 0}
        self.burst = max(1.0, burst)
        self.clock = clock
        self.sleep = sleep
        self._next: dict[str, float] = {}  # the theoretical time of each channel's next call

    async def wait(self, channel: str) -> float:
        """Wait for ``channel``'s next slot (at once for a channel without a rate); the seconds waited."""
        rate = self.rates.get(channel)
        if rate is None:
            return 0.0
        now = self.clock()
        due = max(self._next.get(channel, now), now)
        self._next[channel] = due + 1.0 / rate  # reserved before sleeping: concurrent calls queue in order
        delay = due - (self.burst - 1.0) / rate - now
        if delay > 0:
            await self.sleep(delay)
            return delay
        return 0.0
