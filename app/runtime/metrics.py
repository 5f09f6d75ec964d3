"""Metrics worth scraping: per-route request latency, and the helpline's state read from the database.

Counters and histograms live in each worker; with several workers (``helpline serve --workers N``)
``PROMETHEUS_MULTIPROC_DIR`` is set before they start and ``/metrics`` merges every worker's files, so
a scrape sees the whole instance, not whichever worker answered. What is *waiting* (deliveries,
outbox, urgent cases) is one truth for all instances: it is counted in the database at scrape time
rather than kept in any process. No label ever identifies a person: routes are templates
(``/admin/scripts/{key}``), never paths.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.models import Case, InboundDelivery, OutboxItem

REQUESTS = Histogram("helpline_http_request_seconds", "HTTP request handling time by route and status",
                     ["route", "method", "status"])  # fmt: skip


class RequestMetrics:
    """Plain ASGI (like ``SecurityHeaders``): times every HTTP request under its route template."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def watch(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            REQUESTS.labels(route, scope.get("method", ""), str(status[0])).observe(time.perf_counter() - started)


def _registry_text() -> bytes:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return generate_latest()
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=folder)
    return generate_latest(registry)


def _age(now: datetime, oldest: datetime | None) -> float:
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:
        from datetime import UTC

        oldest = oldest.replace(tzinfo=UTC)
    return max(0.0, (now - oldest).total_seconds())


async def state_text(session: AsyncSession, now: datetime) -> str:
    """Gauges of what waits, from the database (the same for every instance that is scraped)."""
    lines: list[str] = []

    def gauge(name: str, help_text: str, values: list[tuple[str, float]]) -> None:
        lines.extend([f"# HELP {name} {help_text}", f"# TYPE {name} gauge"])
        lines.extend(f"{name}{labels} {value:g}" for labels, value in values)

    deliveries = (await session.execute(select(func.count(), func.min(InboundDelivery.created_at))
                                        .where(InboundDelivery.status == "pending"))).one()  # fmt: skip
    gauge("helpline_deliveries_pending", "Webhook deliveries received but not yet processed", [("", deliveries[0])])
    gauge("helpline_deliveries_pending_age_seconds", "Age of the oldest unprocessed delivery", [("", _age(now, deliveries[1]))])
    outbox = (await session.execute(select(OutboxItem.status, func.count(), func.min(OutboxItem.created_at))
                                    .where(OutboxItem.status.in_(("pending", "dead"))).group_by(OutboxItem.status))).all()  # fmt: skip
    by_status = {status: (count, oldest) for status, count, oldest in outbox}
    pending = by_status.get("pending", (0, None))
    gauge("helpline_outbox_pending", "Messages and alerts waiting to be sent", [("", pending[0])])
    gauge("helpline_outbox_pending_age_seconds", "Age of the oldest unsent outbox item", [("", _age(now, pending[1]))])
    gauge("helpline_outbox_dead", "Outbox items that ran out of attempts (dead letters)", [("", by_status.get("dead", (0, None))[0])])
    waiting = (await session.execute(select(Case.urgent, func.count(), func.min(Case.waiting_since))
                                     .where(Case.status == "waiting").group_by(Case.urgent))).all()  # fmt: skip
    counts = {bool(urgent): (count, oldest) for urgent, count, oldest in waiting}
    gauge("helpline_cases_waiting", "Cases waiting for a human", [(f'{{urgent="{str(u).lower()}"}}', counts.get(u, (0, None))[0])
                                                                  for u in (True, False)])  # fmt: skip
    gauge("helpline_cases_waiting_age_seconds", "Longest wait for a human", [(f'{{urgent="{str(u).lower()}"}}', _age(now, counts.get(u, (0, None))[1]))
                                                                            for u in (True, False)])  # fmt: skip
    return "\n".join(lines) + "\n"


async def exposition(session: AsyncSession | None, now: datetime) -> tuple[bytes, str]:
    """The body of ``/metrics`` and its content type; the state part is left out while the database is away."""
    body = _registry_text()
    if session is not None:
        try:
            body += (await state_text(session, now)).encode()
        except Exception:  # noqa: BLE001 - a scrape must not fail because the database is restarting
            body += b"# helpline state unavailable: database unreachable\n"
    return body, CONTENT_TYPE_LATEST
