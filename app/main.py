"""The FastAPI app factory; engines, clients and the model are built in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from app.api import health
from app.channels import install as install_channels
from app.errors import install_error_handlers
from app.logs import configure_logging
from app.services import Services, build_services
from app.settings import Settings, load_settings

Hook = Callable[[FastAPI, Services], Any]
ROUTER_HOOKS: list[Hook] = []


def create_app(settings: Settings | None = None, **service_overrides: Any) -> FastAPI:
    """Build the app; ``service_overrides`` (classifier, senders, clock) serve tests and benches."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resolved = settings or load_settings()
        configure_logging(resolved.log_level, resolved.log_json)
        services = await build_services(resolved, **service_overrides)
        app.state.services = services
        for hook in ROUTER_HOOKS:
            result = hook(app, services)
            if hasattr(result, "__await__"):
                await result
        if resolved.worker_enabled:
            services.jobs.start()
        try:
            yield
        finally:
            await services.close()

    app = FastAPI(title="Helpline", version="0.1.0", lifespan=lifespan)
    install_error_handlers(app)
    app.include_router(health.router)
    from app.web import install as install_web; install_web(app)  # noqa: E702
    install_channels(app)
    return app
