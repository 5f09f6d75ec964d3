"""The FastAPI app: every room's router mounted from one table; the container is built in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from app.auth import routes as auth
from app.auth.deps import install_page_errors
from app.casework import routes as exchange, stats_routes as casework_stats
from app.channels import routes as webhooks, voice, webchat, whatsapp
from app.oncall import record_routes, roster_routes, routes as console
from app.operators import routes as accounts
from app.platform.errors import install_error_handlers
from app.platform.logs import configure_logging
from app.platform.settings import Settings, load_settings
from app.referrals import routes as referrals
from app.runtime import health
from app.runtime.container import build_container
from app.runtime.metrics import RequestMetrics
from app.runtime.opsguard import OpsGuard
from app.scripts import audio, routes as scripts
from app.statistics import routes as statistics
from app.understanding import routes as understanding
from app.web import STATIC
from app.web.security import SecurityHeaders

# Order matters only where paths overlap; this is the order they are matched in. The provider webhooks
# come first: in a surge they are nearly every request, and each route tried before them costs a match.
ROUTERS: tuple[APIRouter, ...] = (
    webhooks.router,
    whatsapp.router,
    voice.router,
    health.router,
    auth.router,
    console.router,
    record_routes.router,
    scripts.router,
    audio.router,
    audio.media,
    statistics.router,
    exchange.router,
    casework_stats.router,
    accounts.router,
    understanding.router,
    roster_routes.router,
    referrals.admin_router,
    referrals.console_router,
    webchat.router,
)


def create_app(settings: Settings | None = None, **overrides: Any) -> FastAPI:
    """Build the app; ``overrides`` (classifier, senders, clock) serve tests and benches."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resolved = settings or load_settings()
        configure_logging(resolved.log_level, resolved.log_json)
        container = await build_container(resolved, **overrides)
        app.state.container = container
        if resolved.worker_enabled:
            container.jobs.start()
        try:
            yield
        finally:
            await container.close()

    app = FastAPI(title="Helpline", version="0.1.0", lifespan=lifespan)
    install_error_handlers(app)
    install_page_errors(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/web/static", StaticFiles(directory=STATIC), name="web-static")
    app.add_middleware(webhooks.TelegramFastPath)  # innermost of ours: metrics still see the webhook
    app.add_middleware(SecurityHeaders)
    app.add_middleware(OpsGuard)
    app.add_middleware(RequestMetrics)
    return app
