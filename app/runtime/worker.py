"""``helpline worker``: the job loop alone, as its own process or container.

In a surge the web processes only take messages at the door while N worker
processes handle them (deliveries, outbox, timers, purge) on one PostgreSQL
database; every step is safe to run on several instances at once. The
embedded default (``make run``) still runs both in the web process. A worker
has no request to wake it, so it polls every ``worker_interval``.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from app.platform.settings import Settings
from app.runtime.container import build_container

log = logging.getLogger("helpline.worker")


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run the job loop until ``stop`` is set (SIGTERM or SIGINT when run from the command line)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread (tests): the caller stops it
            pass
    container = await build_container(settings)
    container.jobs.start()
    log.info("worker started")
    try:
        await stop.wait()
    finally:
        await container.close()
        log.info("worker stopped")
