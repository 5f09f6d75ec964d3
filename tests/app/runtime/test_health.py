"""Health, readiness, metrics and error shape of the HTTP surface."""

from __future__ import annotations


async def test_healthz_and_readyz_report_up(app_client) -> None:
    assert (await app_client.get("/healthz")).json() == {"status": "ok"}
    ready = await app_client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "nlu": "ok"}


async def test_readyz_says_when_the_database_is_gone(app_client) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    services = app_client.app.state.container
    healthy = services.engine
    services.engine = create_async_engine("sqlite+aiosqlite:///file:/nonexistent/x.db?mode=ro&uri=true")
    try:
        ready = await app_client.get("/readyz")
    finally:
        await services.engine.dispose()
        services.engine = healthy
    assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("unavailable")


async def test_metrics_are_prometheus_text(app_client) -> None:
    response = await app_client.get("/metrics")
    assert response.status_code == 200 and "helpline_inbound_messages_total" in response.text


async def test_unknown_route_is_a_json_error_without_a_stack_trace(app_client) -> None:
    response = await app_client.get("/no/such/page")
    assert response.status_code == 404
    assert response.json()["error"] == "http_error" and "Traceback" not in response.text


async def test_openapi_is_served(app_client) -> None:
    assert "/healthz" in (await app_client.get("/openapi.json")).json()["paths"]
