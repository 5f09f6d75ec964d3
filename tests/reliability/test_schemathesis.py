"""Property tests from our own OpenAPI document: no 5xx, and every response matches what the schema declares."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings as hsettings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)


def test_every_documented_endpoint_answers_as_documented_and_never_5xx(settings) -> None:  # type: ignore[no-untyped-def]
    from hypothesis import given
    from pydantic import SecretStr
    from starlette.testclient import TestClient

    from app.main import create_app

    app = create_app(settings.model_copy(update={"telegram_webhook_secret": SecretStr("s" * 20),
                                                 "twilio_auth_token": SecretStr("t" * 32)}))  # fmt: skip
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    tested = []
    with TestClient(app):  # the lifespan runs once: services exist for every generated call
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        for result in schema.get_all_operations():
            operation = result.ok()

            @given(case=operation.as_strategy())
            @hsettings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def check(case) -> None:  # type: ignore[no-untyped-def]
                case.call_and_validate(checks=checks)

            check()
            tested.append(operation.label)
    assert any("/webhooks/telegram" in label for label in tested), tested
