"""Real-time events for consoles (new case, new message, case taken), published after commit.

In-process fan-out by default; with ``REDIS_URL`` set, ``app.platform.realtime`` sets
``remote`` so every instance's consoles see every instance's events (the
bridge skips its own echo, so local consoles never get one twice).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

log = logging.getLogger("helpline.events")


@dataclass
class Event:
    """Something consoles should learn after the commit (new case, message, taken)."""

    name: str
    data: dict[str, object] = field(default_factory=dict)


class EventBus:
    def __init__(self, queue_size: int = 256) -> None:
        self._subscribers: set[asyncio.Queue[Event]] = set()
        self._queue_size = queue_size
        # Set by the Redis bridge: forwards a locally published event to the other instances.
        self.remote: Callable[[Event], None] | None = None

    def publish(self, event: Event) -> None:
        self.deliver_local(event)
        if self.remote is not None:
            self.remote(event)

    def deliver_local(self, event: Event) -> None:
        """Hand an event to this process's consoles only (what arrives from Redis goes here)."""
        for queue in list(self._subscribers):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                log.warning("slow console dropped an event", extra={"event": event.name})

    def publish_all(self, events: list[Event]) -> None:
        for event in events:
            self.publish(event)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[Event]]:
        queue: asyncio.Queue[Event] = asyncio.Queue(self._queue_size)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)
