"""Health, readiness, metrics and error shape of the HTTP surface."""

from __future__ import annotations

import pytest


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


async def test_metrics_time_requests_by_route_template_and_count_what_waits(app_client) -> None:  # type: ignore[no-untyped-def]
    from tests.pages import person_writes

    await app_client.get("/admin/scripts/some_key")  # a path with a parameter: labelled by its template
    await person_writes(app_client, "нас заперли, помогите срочно")
    text = (await app_client.get("/metrics")).text
    assert 'helpline_http_request_seconds_count{method="GET",route="/admin/scripts/{key}"' in text
    assert "some_key" not in text
    assert 'helpline_cases_waiting{urgent="true"} 1' in text
    assert "helpline_outbox_pending " in text and "helpline_outbox_dead 0" in text
    assert "helpline_deliveries_pending 0" in text and "helpline_nlu_seconds_count" in text


@pytest.mark.parametrize("path", ["/metrics", "/docs", "/openapi.json"])
async def test_operations_pages_are_only_for_listed_addresses_or_the_token(app_client, path: str) -> None:  # type: ignore[no-untyped-def]
    import httpx
    from pydantic import SecretStr

    services = app_client.app.state.container
    services.settings = services.settings.model_copy(update={"ops_token": SecretStr("t0k-" + "Zq8xW3vB6nM9kL2jH5gF")})
    outsider = httpx.AsyncClient(transport=httpx.ASGITransport(app=app_client.app, client=("203.0.113.7", 5000)),
                                 base_url="http://testserver")  # fmt: skip
    async with outsider:
        assert (await outsider.get(path)).status_code == 404
        assert (await outsider.get(path, headers={"authorization": "Bearer wrong"})).status_code == 404
        ok = await outsider.get(path, headers={"authorization": "Bearer t0k-Zq8xW3vB6nM9kL2jH5gF"})
        assert ok.status_code == 200
    assert (await app_client.get(path)).status_code == 200  # 127.0.0.1, listed
