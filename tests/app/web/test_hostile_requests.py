"""Hostile requests on the workspace pages never give a 500: stray cookie bytes are no session."""

from __future__ import annotations

import os

import pytest

from tests.pages import csrf, signed_in

PAGES = ["/auth/login", "/console", "/auth/totp", "/admin/accounts", "/auth/sessions"]


def _random_cookie() -> bytes:
    return b"; ".join(name + b"=" + os.urandom(40).replace(b";", b"").replace(b"\r", b"").replace(b"\n", b"")
                      for name in (b"hl_session", b"hl_pre", b"hl_totp", b"hl_known"))  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
async def test_a_cookie_of_random_bytes_is_no_session_and_a_4xx(client, path: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(10):
        response = await client.get(path, headers={"cookie": _random_cookie()})
        assert response.status_code < 500, (path, response.status_code)
        assert response.status_code in (200, 303, 401, 403), response.status_code
    api = await client.get("/console", headers={"cookie": _random_cookie()})
    assert api.status_code == 401


async def test_a_sign_in_with_a_random_byte_cookie_and_form_is_refused_cleanly(client) -> None:  # type: ignore[no-untyped-def]
    token = await csrf(client)
    response = await client.post("/auth/login", headers={"cookie": _random_cookie(),
                                                         "content-type": "application/x-www-form-urlencoded"},
                                 content=b"login=%ff%fe&password=" + os.urandom(30).hex().encode() + b"&csrf=" + token.encode())  # fmt: skip
    assert 400 <= response.status_code < 500


async def test_an_operator_opening_admin_in_a_browser_gets_the_403_page(client) -> None:  # type: ignore[no-untyped-def]
    await signed_in(client, "curious")
    for path in ("/admin", "/admin/accounts", "/admin/stats"):
        page = await client.get(path, headers={"accept": "text/html"})
        assert page.status_code == 403, (path, page.status_code)
        assert "<html" in page.text and "curious" in page.text  # the page chrome still knows who is signed in
