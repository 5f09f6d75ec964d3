"""Every console and admin route refuses people without the right role, and every POST needs CSRF."""

from __future__ import annotations

import re

import pytest

from tests.pages import signed_in

STREAMS = ("/console/events",)  # never ends for a signed-in client; anonymous refusal is still checked
DUMMY = {"intent": "greet", "alias": "ABC-123", "key": "greet", "language": "ru", "variant": "chat", "login": "nobody", "fmt": "csv",
         "task_id": "00000000-0000-0000-0000-000000000001", "referral_id": "00000000-0000-0000-0000-000000000002"}


def web_routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(method, path) of every route under /console and /admin, nested routers included."""
    found: list[tuple[str, str]] = []

    def walk(routes) -> None:  # type: ignore[no-untyped-def]
        for route in routes:
            contexts = getattr(route, "effective_route_contexts", None)
            if contexts is not None:
                for ctx in (contexts() if callable(contexts) else contexts):
                    for method in getattr(ctx, "methods", None) or ():
                        found.append((method, ctx.path))
            elif getattr(route, "routes", None) and not hasattr(route, "methods"):
                walk(route.routes)
            else:
                for method in getattr(route, "methods", None) or ():
                    found.append((method, route.path))

    walk(app.routes)
    paths = sorted({(m, p) for m, p in found if p.startswith(("/console", "/admin")) and m != "HEAD"})
    return [(m, re.sub(r"\{(\w+)(?::\w+)?\}", lambda g: DUMMY[g.group(1)], p)) for m, p in paths]


def _refused(status: int, location: str = "") -> bool:
    return status in (401, 403) or (status in (302, 303, 307) and location.startswith("/auth/login"))


async def test_route_list_covers_console_and_admin(client) -> None:  # type: ignore[no-untyped-def]
    routes = web_routes(client.app)
    assert ("GET", "/console") in routes and ("POST", "/admin/scripts/greet/publish") in routes
    assert ("POST", "/admin/accounts") in routes and ("GET", "/admin/stats.csv") in routes
    assert len(routes) >= 25


async def test_anonymous_is_refused_everywhere(client) -> None:  # type: ignore[no-untyped-def]
    for method, path in web_routes(client.app):
        for accept in ("text/html", "application/json"):
            response = await client.request(method, path, headers={"accept": accept})
            assert _refused(response.status_code, response.headers.get("location", "")), (method, path, response.status_code)


async def test_operator_is_refused_in_the_admin_area(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "olzhas", role="operator")
    for method, path in web_routes(client.app):
        if not path.startswith("/admin") or path in STREAMS:
            continue
        response = await client.request(method, path, data={"csrf": token} if method == "POST" else None)
        assert response.status_code == 403, (method, path, response.status_code)


async def test_coordinator_is_refused_in_accounts_but_not_in_scripts(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "coord", role="coordinator")
    for method, path in web_routes(client.app):
        if path in STREAMS:
            continue
        response = await client.request(method, path, data={"csrf": token} if method == "POST" else None)
        if path.startswith("/admin/accounts"):
            assert response.status_code == 403, (method, path)
        else:
            assert response.status_code not in (401, 403) or path.startswith("/console/case/"), (method, path)


@pytest.mark.parametrize("role", ["operator", "admin"])
async def test_every_post_without_csrf_is_refused(client, role: str) -> None:  # type: ignore[no-untyped-def]
    await signed_in(client, f"csrf-{role}", role=role)
    for method, path in web_routes(client.app):
        if method != "POST":
            continue
        response = await client.post(path, data={"text": "x", "csrf": ""})
        assert response.status_code == 403, (path, response.status_code)
        response = await client.post(path, data={"text": "x", "csrf": "forged-token-value"})
        assert response.status_code == 403, (path, response.status_code)
