"""Everything the app needs at run time, built once, in one phase, and handed down.

``build_container`` is construction only: each part is made from the parts
before it and receives exactly what it uses as constructor arguments, so the
file reads top to bottom as the app's wiring diagram. The job loop's steps are
registered from one table (``Container.steps``). Routes reach a part through
the dependencies in ``app.platform.deps`` (``app.state.container.<name>``).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.channels.routes import CallbackAnswers
from app.channels.senders import build_senders
from app.channels.voice import PhoneLine
from app.conversations.batch import BatchConversation
from app.conversations.service import Conversation, CoreDeps
from app.inbound.accept import Intake
from app.inbound.deliveries import DeliveryProcessor
from app.inbound.ratelimit import Limiter, build_limiter
from app.inbound.route import Router
from app.oncall import alerts
from app.oncall.actions import OperatorActions
from app.oncall.checkins import CheckIns
from app.oncall.escalations import OnCallDeps, Timers
from app.oncall.handoff import RoutingHandoff
from app.outbox.worker import OutboxSettings, OutboxWorker
from app.platform.db import create_sessionmaker, engine_for, session_scope
from app.platform.events import EventBus
from app.platform.filemodes import tighten
from app.platform.identity import Vault
from app.platform.models import utcnow
from app.platform.realtime import RedisBridge, start_bridge
from app.platform.settings import Settings
from app.privacy.service import purge_in_batches
from app.referrals import service as referrals
from app.runtime.jobs import JobRunner, Step
from app.scripts.service import ScriptCatalog
from app.understanding.gateway import Classifier, LiveClassifier, build_classifier, door_triage
from app.understanding.sharing import ModelSync
from app.understanding.workbench import Workbench, workbench_for
from app.web import i18n
from app.web.tokens import Signer
from bots.messages import Sender
from bots.webchat import WebChatHub

log = logging.getLogger("helpline.services")


@dataclass
class Container:
    """The running app's parts; ``app.main`` keeps it in ``app.state.container``."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime]
    vault: Vault
    events: EventBus
    realtime: RedisBridge | None
    webchat: Any  # the local WebChatHub, or its cluster wrapper when Redis carries frames between instances
    senders: dict[str, Sender]
    scripts: ScriptCatalog
    nlu: LiveClassifier
    model_sync: ModelSync
    workbench: Workbench
    jobs: JobRunner
    oncall: OnCallDeps
    core: CoreDeps
    conversation: Conversation
    router: Router
    limiter: Limiter
    intake: Intake
    deliveries: DeliveryProcessor
    outbox: OutboxWorker
    timers: Timers
    checkins: CheckIns
    phone_line: PhoneLine
    callbacks: CallbackAnswers
    signer: Signer

    @property
    def classifier(self) -> Classifier:
        """The model answering now (a coordinator's activated candidate replaces it)."""
        return self.nlu.current

    def steps(self) -> tuple[tuple[str, Step], ...]:
        """Every pass of the job loop, in order: the way in, the way out, the timers."""
        return (
            ("deliveries", self.deliveries.run_once),
            ("outbox", self.outbox.run_once),
            ("escalations", self.timers.run_due),
            ("checkins", self.checkins.run_due),
        )

    def periodic(self) -> tuple[tuple[str, Step, timedelta], ...]:
        """Jobs that run every so often rather than on every pass."""
        return (
            ("escalation-audit", self.timers.audit_overdue, timedelta(seconds=30)),
            ("purge", self.purge, timedelta(days=1)),
        )

    async def purge(self) -> int:
        """Retention: closed cases' bodies and spent rows past ``retention_days``."""
        report = await purge_in_batches(self.sessionmaker, self.clock(), self.settings.retention_days, self.vault)
        log.info("retention purge ran" if not report.skipped else "retention purge left to another instance",
                 extra={"count": sum(report.counts.values())})
        return 0

    async def close(self) -> None:
        await self.jobs.stop()
        await self.model_sync.close()
        await self.intake.writer.close()
        if self.realtime is not None:
            await self.realtime.close()
        for sender in self.senders.values():
            try:
                await sender.close()
            except Exception:  # noqa: BLE001
                log.warning("sender close failed")
        await self.engine.dispose()
        # What this container froze can be collected again, and is now: the model and the app sit in
        # reference cycles that only a full collection frees, and one was rare enough after an unfreeze
        # that a test run building many apps kept every model (~120 MB each) until it ran out of memory.
        gc.unfreeze()
        gc.collect()


async def build_container(
    settings: Settings,
    *,
    classifier: Classifier | None = None,
    senders: dict[str, Sender] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Container:
    """The app's parts; ``classifier``, ``senders`` and ``clock`` are replaced by tests and benches."""
    tighten(settings.data_dir, settings.database_url)  # 0600/0700 before the database or an upload is opened
    engine = engine_for(settings)
    sessionmaker = create_sessionmaker(engine)
    vault = Vault(settings.pepper.get_secret_value() if settings.pepper else "", settings.key_list)
    skip_locked = not settings.is_sqlite

    events = EventBus()
    hub = WebChatHub()
    # Several instances: console events and web-chat frames travel over Redis.
    realtime = await start_bridge(settings.redis_url, events, hub) if settings.redis_url else None
    pages = realtime.webchat if realtime is not None else hub
    senders = dict(senders) if senders is not None else build_senders(settings, pages)
    webchat = senders.get("webchat", hub)  # the sockets' side of the web-chat sender

    scripts = ScriptCatalog()
    async with session_scope(sessionmaker) as session:
        await scripts.reload(session)
    # The interface, alert and place tables are read now: read on first use, they made the first
    # urgent alert of a fresh worker wait about half a second on YAML.
    i18n.preload()
    alerts.preload()
    referrals.preload()
    nlu = LiveClassifier(classifier or build_classifier(settings))
    # A model activated on any instance is loaded here too (Redis notice, database poll as fallback).
    model_sync = ModelSync(sessionmaker, nlu, settings.model_path, realtime.redis if realtime is not None else None,
                           settings.nlu_model_poll_seconds)  # fmt: skip
    await model_sync.start()
    workbench = workbench_for(settings.data_dir)
    jobs = JobRunner(settings.worker_interval, clock)

    # The conversation core and on-call: conversations and escalations run on `clock`.
    oncall = OnCallDeps(vault=vault, scripts=scripts, clock=clock, public_url=settings.public_url,
                        whatsapp_window=timedelta(hours=settings.whatsapp_window_hours))  # fmt: skip
    core = CoreDeps(vault=vault, classifier=nlu, scripts=scripts, handoff=RoutingHandoff(oncall), clock=clock,
                    discreet=settings.discreet_mode)  # fmt: skip
    conversation = Conversation(core)

    # The way in and the way out run on wall-clock time.
    router = Router(vault, person=conversation, operator=OperatorActions(oncall), batch=BatchConversation(core))
    limiter = build_limiter(vault, nlu, scripts, realtime.redis if realtime is not None else None)
    deliveries = DeliveryProcessor(sessionmaker, vault, router, events=events, skip_locked=skip_locked, wake=jobs.wake,
                                   batch=router.batch)  # fmt: skip
    intake = Intake(sessionmaker, vault, limiter, jobs.wake, triage=door_triage(nlu), urgent=deliveries.urgent_arrived)
    sending = OutboxSettings()
    outbox = OutboxWorker(sessionmaker, vault, senders, max_attempts=settings.outbox_max_attempts,
                          skip_locked=skip_locked, events=events, concurrency=sending.concurrency,
                          lease=timedelta(seconds=sending.lease_seconds))  # fmt: skip
    timers = Timers(sessionmaker, oncall, events, skip_locked=skip_locked)
    # A follow-up's opt-in check-in reaches a web-chat person only while their page is open.
    connected = getattr(webchat, "is_connected", None)
    checkins = CheckIns(sessionmaker, oncall, events, skip_locked=skip_locked,
                        webchat_open=lambda session_id: bool(connected and connected(session_id)))  # fmt: skip

    container = Container(
        settings=settings, engine=engine, sessionmaker=sessionmaker, clock=clock, vault=vault, events=events,
        realtime=realtime, webchat=webchat, senders=senders, scripts=scripts, nlu=nlu, model_sync=model_sync,
        workbench=workbench,
        jobs=jobs, oncall=oncall, core=core, conversation=conversation, router=router, limiter=limiter,
        intake=intake, deliveries=deliveries, outbox=outbox, timers=timers, checkins=checkins,
        phone_line=PhoneLine(settings, scripts, conversation, oncall, events, jobs.wake),
        callbacks=CallbackAnswers(senders.get("telegram")),
        signer=Signer(settings.secret_key.get_secret_value() if settings.secret_key else ""),
    )  # fmt: skip
    for name, step in container.steps():
        jobs.add(name, step)
    for name, step, every in container.periodic():
        jobs.add_periodic(name, step, every)
    if settings.telegram_webhook_secret is not None:
        # aiogram's types (3 s, ~150k objects) at start, not inside the first update after a restart.
        import bots.telegram  # noqa: F401
    settle_heap()
    return container


def settle_heap() -> None:
    """Leave what start-up built (the model, the framework, the tables: ~340k objects) out of the collector's scans.

    Without it every full collection walks them all, and under a surge the collector ran often enough to
    cost a third of each webhook request's CPU (707 -> 471 µs measured). No full collection first: start-up
    leaves little garbage, and one would add 0.1 s to every start (and to every test's app). ``close``
    gives them back.
    """
    gc.freeze()
