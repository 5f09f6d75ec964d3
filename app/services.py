"""Everything the app needs at run time, built once in the lifespan and handed down."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.conversations.handoff import Handoff
from app.oncall.escalations import audit_overdue, run_due
from app.oncall.handoff import RoutingHandoff
from app.conversations.service import CoreDeps, Outcome
from app.db import create_engine, create_sessionmaker, session_scope
from app.deliveries import DeliveryProcessor
from app.events import EventBus
from app.identity import Vault
from app.jobs import JobRunner
from app.models import utcnow
from app.nlu_gateway import Classifier, build_classifier
from app.outbox.worker import OutboxWorker
from app.privacy import purge
from app.scripts.service import ScriptCatalog
from app.settings import Settings
from bots.messages import InboundMessage, Sender

log = logging.getLogger("helpline.services")


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    vault: Vault
    classifier: Classifier
    scripts: ScriptCatalog
    events: EventBus
    handoff: Handoff | None  # set right after construction: routing needs the services
    senders: dict[str, Sender]
    jobs: JobRunner
    clock: Callable[[], datetime] = utcnow
    extras: dict[str, Any] = field(default_factory=dict)

    def core_deps(self) -> CoreDeps:
        assert self.handoff is not None
        return CoreDeps(vault=self.vault, classifier=self.classifier, scripts=self.scripts, handoff=self.handoff,
                        clock=self.clock, discreet=self.settings.discreet_mode)  # fmt: skip

    async def dispatch(self, session: AsyncSession, inbound: InboundMessage, meta: dict[str, Any]) -> Outcome:
        """Where a stored delivery goes: an operator's action, or a person's message to the core."""
        from app.oncall.dispatch import dispatch

        return await dispatch(session, self, inbound, meta)

    async def close(self) -> None:
        await self.jobs.stop()
        if (bridge := self.extras.get("realtime")) is not None:
            await bridge.close()
        for sender in self.senders.values():
            try:
                await sender.close()
            except Exception:  # noqa: BLE001
                log.warning("sender close failed")
        await self.engine.dispose()


async def build_services(
    settings: Settings,
    *,
    classifier: Classifier | None = None,
    senders: dict[str, Sender] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Services:
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    vault = Vault(settings.pepper.get_secret_value() if settings.pepper else "", settings.key_list)
    from app.channels.senders import build_senders
    from bots.webchat import WebChatHub

    hub = WebChatHub()
    events = EventBus()
    bridge = None
    if settings.redis_url:  # several instances: events and web-chat frames travel over Redis
        from app.realtime import start_bridge

        bridge = await start_bridge(settings.redis_url, events, hub)
    if senders is None:
        senders = build_senders(settings, bridge.webchat if bridge else hub)  # type: ignore[arg-type]
    scripts = ScriptCatalog()
    async with session_scope(sessionmaker) as session:
        await scripts.reload(session)
    services = Services(
        settings=settings, engine=engine, sessionmaker=sessionmaker, vault=vault,
        classifier=classifier or build_classifier(settings), scripts=scripts, events=events,
        handoff=None, senders=dict(senders or {}), jobs=JobRunner(settings.worker_interval, clock), clock=clock,
    )  # fmt: skip
    skip_locked = not settings.is_sqlite
    # Deliveries and the outbox run on wall-clock time; `clock` drives conversations and escalations.
    deliveries = DeliveryProcessor(sessionmaker, vault, lambda s, i, m: services.dispatch(s, i, m),
                                   events=services.events, skip_locked=skip_locked,
                                   after_commit=lambda _o: services.jobs.wake())  # fmt: skip
    outbox = OutboxWorker(sessionmaker, vault, services.senders, max_attempts=settings.outbox_max_attempts,
                          skip_locked=skip_locked, events=services.events)  # fmt: skip
    services.extras.update(deliveries=deliveries, outbox=outbox, webchat=senders.get("webchat", hub), realtime=bridge)
    services.jobs.add("deliveries", deliveries.run_once)
    services.jobs.add("outbox", outbox.run_once)
    services.handoff = RoutingHandoff(services)
    services.jobs.add("escalations", lambda: run_due(services))
    services.jobs.add_periodic("escalation-audit", lambda: audit_overdue(services), timedelta(seconds=30))

    async def _purge() -> int:
        async with session_scope(sessionmaker) as session:
            counts = await purge(session, clock(), settings.retention_days)
        log.info("retention purge ran", extra={"count": sum(counts.values())})
        return 0

    services.jobs.add_periodic("purge", _purge, timedelta(days=1))
    return services
