"""Real-time events for consoles (new case, new message, case taken), published after commit.

In-process fan-out by default; issue 7 adds a Redis bridge so every instance's
consoles see every instance's events.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.conversations.handoff import Event

log = logging.getLogger("helpline.events")


class EventBus:
    def __init__(self, queue_size: int = 256) -> None:
        self._subscribers: set[asyncio.Queue[Event]] = set()
        self._queue_size = queue_size

    def publish(self, event: Event) -> None:
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
