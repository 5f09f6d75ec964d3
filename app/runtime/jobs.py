"""The background loop every instance runs: deliveries, outbox, timers, retention.

Each step is safe to run on several instances at once (row claims with SKIP
LOCKED on PostgreSQL); on SQLite one process runs them. A request that has
just stored something wakes the loop so nothing waits for the next tick.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from app.platform.models import utcnow

log = logging.getLogger("helpline.jobs")

Step = Callable[[], Awaitable[int]]


class JobRunner:
    def __init__(self, interval: float = 0.2, clock: Callable[[], datetime] = utcnow) -> None:
        self.interval = interval
        self.clock = clock
        self._steps: list[tuple[str, Step]] = []
        self._periodic: list[tuple[str, Step, timedelta]] = []
        self._last_run: dict[str, datetime] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.healthy = True

    def add(self, name: str, step: Step) -> None:
        self._steps.append((name, step))

    def add_periodic(self, name: str, step: Step, every: timedelta) -> None:
        self._periodic.append((name, step, every))

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """One pass over every step; returns how much work was done."""
        done = 0
        for name, step in self._steps:
            try:
                done += await step()
            except Exception as exc:  # noqa: BLE001 - a database blip must not end the loop
                self.healthy = False
                log.warning("job step failed: %s (%s)", name, type(exc).__name__)
            else:
                self.healthy = True
        now = self.clock()
        for name, step, every in self._periodic:
            if now - self._last_run.get(name, datetime.min.replace(tzinfo=now.tzinfo)) >= every:
                self._last_run[name] = now
                try:
                    await step()
                except Exception as exc:  # noqa: BLE001
                    log.warning("periodic job failed: %s (%s)", name, type(exc).__name__)
        return done

    async def drain(self, rounds: int = 20) -> None:
        """Run until there is nothing left to do (tests, the chat CLI)."""
        for _ in range(rounds):
            if not await self.run_once():
                return

    async def _loop(self) -> None:
        while not self._stopping:
            done = await self.run_once()
            if done:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            except TimeoutError:
                pass
            self._wake.clear()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="helpline-jobs")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=10)
            except TimeoutError:
                self._task.cancel()
            self._task = None
