"""Liveness, readiness and metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.platform.deps import ClockDep, SessionmakerDep, provided
from app.platform.realtime import RedisBridge
from app.runtime.metrics import exposition
from app.understanding.gateway import LiveClassifier

router = APIRouter(tags=["health"])
EngineDep = Annotated[AsyncEngine, Depends(provided("engine"))]
NluDep = Annotated[LiveClassifier, Depends(provided("nlu"))]
RealtimeDep = Annotated[RedisBridge | None, Depends(provided("realtime"))]


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Database reachable and model loaded", responses={503: {"description": "Not ready"}})
async def readyz(engine: EngineDep, nlu: NluDep, realtime: RealtimeDep) -> JSONResponse:
    """Ready means the database and the model answer. Redis away is a warning, not "not ready": the
    instance keeps serving local-only (a load balancer must not take every replica out at once)."""
    checks: dict[str, str] = {}
    warnings: list[str] = []
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - readiness reports, it does not raise
        checks["database"] = f"unavailable ({type(exc).__name__})"
    checks["nlu"] = "ok" if nlu.current is not None else "not loaded"
    ready = all(v == "ok" for v in checks.values())
    if realtime is not None:
        checks["redis"] = "ok" if realtime.connected else f"unavailable ({realtime.problem or 'connecting'})"
        if not realtime.connected:
            warnings.append("Redis unreachable: events and web-chat frames stay on this instance until it returns")
    body = {"status": "ready" if ready else "not ready", "checks": checks, "warnings": warnings}
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(sessionmaker: SessionmakerDep, clock: ClockDep) -> Response:
    """Every worker's counters (multiprocess mode) and what waits, counted in the database."""
    async with sessionmaker() as session:
        body, content_type = await exposition(session, clock())
    return Response(body, media_type=content_type)
