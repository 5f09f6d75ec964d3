"""Signing in: passwords, lockout, TOTP, sessions, CSRF, and the audit trail of each."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from sqlalchemy import select

from app.platform.db import session_scope
from app.platform.models import AuditEntry, Operator
from tests.pages import PASSWORD, csrf, csrf_from, make_operator, services_of, sign_in, signed_in


async def _audit_actions(client) -> list[str]:  # type: ignore[no-untyped-def]
    async with session_scope(services_of(client).sessionmaker) as session:
        return list((await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all())


async def _operator(client, login: str) -> Operator:  # type: ignore[no-untyped-def]
    async with session_scope(services_of(client).sessionmaker) as session:
        return await session.scalar(select(Operator).where(Operator.login == login))


async def test_right_password_signs_in_with_a_hardened_cookie(client) -> None:  # type: ignore[no-untyped-def]
    await make_operator(client, "aigerim")
    response = await sign_in(client, "aigerim")
    assert response.status_code == 303 and response.headers["location"] == "/console"
    cookie = response.headers["set-cookie"].lower()
    assert "hl_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    page = await client.get("/console")
    assert page.status_code == 200 and "aigerim" in page.text
    assert "auth.login.ok" in await _audit_actions(client)


async def test_wrong_password_is_refused_and_audited(client) -> None:  # type: ignore[no-untyped-def]
    await make_operator(client, "bekzod")
    response = await sign_in(client, "bekzod", "wrong password")
    assert response.status_code == 401
    assert "hl_session" not in response.headers.get("set-cookie", "")
    assert (await client.get("/console", headers={"accept": "text/html"})).status_code == 303
    assert "auth.login.failed" in await _audit_actions(client)
    assert (await _operator(client, "bekzod")).failed_logins == 1


async def test_unknown_login_is_refused_like_a_wrong_password(client) -> None:  # type: ignore[no-untyped-def]
    response = await sign_in(client, "nobody")
    assert response.status_code == 401
    assert "auth.login.failed" in await _audit_actions(client)


async def test_five_failures_lock_the_account_for_fifteen_minutes(client) -> None:  # type: ignore[no-untyped-def]
    await make_operator(client, "dana")
    for _ in range(5):
        assert (await sign_in(client, "dana", "nope-nope")).status_code == 401
    operator = await _operator(client, "dana")
    now = services_of(client).clock()
    assert operator.locked_until is not None
    assert timedelta(minutes=14) < operator.locked_until - now <= timedelta(minutes=15)
    locked = await sign_in(client, "dana")  # even the right password waits out the lock
    assert locked.status_code == 401
    assert "auth.locked" in await _audit_actions(client)


async def test_sign_in_without_csrf_token_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    await make_operator(client, "erlan")
    await client.get("/auth/login")
    response = await client.post("/auth/login", data={"login": "erlan", "password": PASSWORD})
    assert response.status_code == 403
    forged = await client.post("/auth/login", data={"login": "erlan", "password": PASSWORD, "csrf": "x" * 43})
    assert forged.status_code == 403


async def test_totp_is_set_up_by_qr_code_and_then_asked_at_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    await signed_in(client, "farida")
    page = await client.get("/auth/2fa")
    assert page.status_code == 200 and "<svg" in page.text
    secret = page.text.split('class="secret">')[1].split("<")[0]
    token = page.text.split('name="token" value="')[1].split('"')[0]
    wrong = await client.post("/auth/2fa", data={"csrf": csrf_from(page.text), "token": token, "code": "000000"})
    assert wrong.status_code == 400
    ok = await client.post("/auth/2fa", data={"csrf": csrf_from(page.text), "token": token,
                                               "code": pyotp.TOTP(secret).now()})  # fmt: skip
    assert ok.status_code == 200
    client.cookies.clear()
    first = await sign_in(client, "farida")
    assert first.status_code == 303 and first.headers["location"].startswith("/auth/totp")
    assert (await client.get("/console", headers={"accept": "text/html"})).status_code == 303  # not yet signed in
    token = await csrf(client, "/auth/totp")
    bad = await client.post("/auth/totp", data={"csrf": token, "code": "123456"})
    assert bad.status_code == 401
    good = await client.post("/auth/totp", data={"csrf": token, "code": pyotp.TOTP(secret).now()})
    assert good.status_code == 303
    assert (await client.get("/console")).status_code == 200
    actions = await _audit_actions(client)
    assert "auth.totp.enabled" in actions and actions.count("auth.login.ok") == 2


async def test_sign_out_ends_the_session(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "gulnara")
    response = await client.post("/auth/logout", data={"csrf": token})
    assert response.status_code == 303
    assert (await client.get("/console", headers={"accept": "text/html"})).status_code == 303


async def test_password_reset_ends_open_sessions(client) -> None:  # type: ignore[no-untyped-def]
    await signed_in(client, "hasan")
    async with session_scope(services_of(client).sessionmaker) as session:
        operator = await session.scalar(select(Operator).where(Operator.login == "hasan"))
        from app.auth.passwords import hash_password

        operator.password_hash = hash_password("another password")
    assert (await client.get("/console")).status_code == 401


async def test_sign_in_page_never_redirects_to_another_site(client) -> None:  # type: ignore[no-untyped-def]
    await make_operator(client, "ilyas")
    token = await csrf(client)
    response = await client.post("/auth/login", data={"login": "ilyas", "password": PASSWORD, "csrf": token,
                                                      "next": "//evil.example/"})  # fmt: skip
    assert response.headers["location"] == "/console"


async def test_interface_language_follows_query_then_cookie_then_browser(client) -> None:  # type: ignore[no-untyped-def]
    assert 'lang="ru"' in (await client.get("/auth/login", headers={"accept-language": "ru-RU,ru;q=0.9"})).text
    assert 'lang="kk"' in (await client.get("/auth/login?lang=kk")).text
    assert 'lang="kk"' in (await client.get("/auth/login", headers={"accept-language": "en"})).text
    client.cookies.clear()
    assert 'lang="en"' in (await client.get("/auth/login", headers={"accept-language": "de"})).text
