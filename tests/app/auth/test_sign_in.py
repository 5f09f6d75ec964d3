"""Signing in: passwords, lockout, TOTP, sessions, CSRF, and the audit trail of each."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pyotp
from sqlalchemy import select

from app.platform.db import session_scope
from app.platform.models import AuditEntry, Operator
from tests.pages import PASSWORD, csrf, csrf_from, make_operator, services_of, sign_in, signed_in


async def _audit_details(client) -> list[dict]:  # type: ignore[no-untyped-def]
    async with session_scope(services_of(client).sessionmaker) as session:
        return list((await session.scalars(select(AuditEntry.details))).all())


async def _audit_actions(client) -> list[str]:  # type: ignore[no-untyped-def]
    async with session_scope(services_of(client).sessionmaker) as session:
        return list((await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all())


@contextmanager
def _frozen_clock(client):  # type: ignore[no-untyped-def]
    """Time stands still, so a delay of seconds cannot run out while a slow machine hashes passwords."""
    services = services_of(client)
    real, now = services.clock, services.clock()
    services.clock = lambda: now
    try:
        yield
    finally:
        services.clock = real


async def _client_from(client, address: str):  # type: ignore[no-untyped-def]
    """Another browser on another address, talking to the same running app."""
    import httpx

    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=client.app, client=(address, 40000)),
                              base_url="http://testserver")  # fmt: skip
    other.app = client.app
    return other


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


async def test_twenty_failures_from_one_address_do_not_stop_the_right_password_from_another(client) -> None:  # type: ignore[no-untyped-def]
    await make_operator(client, "dana")
    with _frozen_clock(client):
        await _twenty_failures_then_the_right_password(client)


async def _twenty_failures_then_the_right_password(client) -> None:  # type: ignore[no-untyped-def]
    statuses = [(await sign_in(client, "dana", "nope-nope")).status_code for _ in range(20)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}  # that address now waits, unchecked
    blocked = await sign_in(client, "dana")  # even the right password waits on the attacking address
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    other = await _client_from(client, "203.0.113.9")
    async with other:
        response = await sign_in(other, "dana")
        assert response.status_code == 303 and (await other.get("/console")).status_code == 200
    actions = await _audit_actions(client)
    assert "auth.throttle.started" in actions and "auth.login.ok" in actions


async def test_a_browser_that_signed_in_before_is_not_slowed_by_attacks_on_its_account(client) -> None:  # type: ignore[no-untyped-def]
    await make_operator(client, "dilnoza")
    owner = await _client_from(client, "198.51.100.7")
    async with owner:
        assert (await sign_in(owner, "dilnoza")).status_code == 303
        await owner.post("/auth/logout", data={"csrf": await csrf(owner, "/console")})
        with _frozen_clock(client):
            await _crowd_guesses(client, "dilnoza", 15)
            newcomer = await _client_from(client, "192.0.2.200")
            async with newcomer:
                assert (await sign_in(newcomer, "dilnoza")).status_code == 429  # a new browser waits a while
            assert (await sign_in(owner, "dilnoza")).status_code == 303  # the owner's browser does not


async def _crowd_guesses(client, login: str, addresses: int) -> None:  # type: ignore[no-untyped-def]
    """A crowd of addresses, each guessing once at one login."""
    for n in range(addresses):
        crowd = await _client_from(client, f"192.0.2.{n}")
        async with crowd:
            await sign_in(crowd, login, "guess")


async def test_failed_sign_ins_keep_only_a_pseudonym_of_what_was_typed(client) -> None:  # type: ignore[no-untyped-def]
    await sign_in(client, "my secret password", "x")
    async with session_scope(services_of(client).sessionmaker) as session:
        rows = (await session.scalars(select(AuditEntry))).all()
    text = repr([(r.actor, r.target, r.details) for r in rows])
    assert "secret" not in text and "login:" in text


async def test_an_admin_unlock_lets_new_browsers_in_at_once(client) -> None:  # type: ignore[no-untyped-def]
    await make_operator(client, "zarina")
    with _frozen_clock(client):
        await _crowd_guesses(client, "zarina", 12)
        assert (await sign_in(client, "zarina")).status_code == 429
        admin = await _client_from(client, "198.51.100.1")
        async with admin:
            token = await signed_in(admin, "root", "admin")
            assert "accounts.slowed" not in (page := (await admin.get("/admin/accounts")).text) and "zarina" in page
            assert (await admin.post("/admin/accounts/zarina/unlock", data={"csrf": token})).status_code == 303
        assert (await sign_in(client, "zarina")).status_code == 303


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
    services = services_of(client)
    real = services.clock
    services.clock = lambda: real() + timedelta(seconds=30)  # the code used to turn TOTP on cannot sign in
    try:
        code = pyotp.TOTP(secret).at(services.clock())
        good = await client.post("/auth/totp", data={"csrf": token, "code": code})
        assert good.status_code == 303
        assert (await client.get("/console")).status_code == 200
        actions = await _audit_actions(client)
        assert "auth.totp.enabled" in actions and actions.count("auth.login.ok") == 2
        client.cookies.delete("hl_session")
        again = await sign_in(client, "farida")  # the same code a second time
        assert again.status_code == 303
        token = await csrf(client, "/auth/totp")
        assert (await client.post("/auth/totp", data={"csrf": token, "code": code})).status_code == 401
    finally:
        services.clock = real
    assert "totp_reused" in repr(await _audit_details(client))


async def test_a_recovery_code_signs_in_once_when_the_phone_is_lost(client) -> None:  # type: ignore[no-untyped-def]
    await signed_in(client, "lola")
    page = await client.get("/auth/2fa")
    secret = page.text.split('class="secret">')[1].split("<")[0]
    token = page.text.split('name="token" value="')[1].split('"')[0]
    done = await client.post("/auth/2fa", data={"csrf": csrf_from(page.text), "token": token,
                                                 "code": pyotp.TOTP(secret).now()})  # fmt: skip
    codes = [part.split("</code>")[0] for part in done.text.split("<li><code>")[1:]]
    assert len(codes) == 10
    async with session_scope(services_of(client).sessionmaker) as session:
        stored = (await session.scalar(select(Operator).where(Operator.login == "lola"))).recovery_codes
    assert len(stored) == 10 and not set(codes) & set(stored)  # only keyed hashes are kept
    for expected in (303, 401):
        client.cookies.clear()
        await sign_in(client, "lola")
        totp_token = await csrf(client, "/auth/totp")
        response = await client.post("/auth/totp", data={"csrf": totp_token, "code": codes[0].upper()})
        assert response.status_code == expected


async def test_sign_out_ends_the_session(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "gulnara")
    response = await client.post("/auth/logout", data={"csrf": token})
    assert response.status_code == 303
    assert (await client.get("/console", headers={"accept": "text/html"})).status_code == 303


async def test_a_cookie_copied_before_logout_is_refused_after_it(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "gulshan")
    copied = client.cookies.get("hl_session")
    await client.post("/auth/logout", data={"csrf": token})
    thief = await _client_from(client, "203.0.113.50")
    async with thief:
        thief.cookies.set("hl_session", copied)
        assert (await thief.get("/console")).status_code == 401


async def test_a_session_unused_past_the_idle_timeout_ends(client) -> None:  # type: ignore[no-untyped-def]
    await signed_in(client, "idris")
    services = services_of(client)
    real = services.clock
    services.clock = lambda: real() + timedelta(minutes=services.settings.session_idle_minutes + 1)
    try:
        assert (await client.get("/console")).status_code == 401
    finally:
        services.clock = real


async def test_role_change_and_deactivation_end_every_session(client) -> None:  # type: ignore[no-untyped-def]
    await signed_in(client, "jamol", "coordinator")
    admin = await _client_from(client, "198.51.100.2")
    async with admin:
        token = await signed_in(admin, "boss", "admin")
        form = {"csrf": token, "role": "operator", "name": "Jamol", "active": "1", "languages": ["ru"]}
        assert (await admin.post("/admin/accounts/jamol/update", data=form)).status_code == 303
    assert (await client.get("/console")).status_code == 401
    await sign_in(client, "jamol")
    async with await _client_from(client, "198.51.100.2") as admin:
        await sign_in(admin, "boss")
        token = await csrf(admin, "/admin/accounts")
        form = {"csrf": token, "role": "operator", "name": "Jamol", "languages": ["ru"]}
        assert (await admin.post("/admin/accounts/jamol/update", data=form)).status_code == 303
    assert (await client.get("/console")).status_code == 401


async def test_the_sessions_page_lists_open_sessions_and_ends_another(client) -> None:  # type: ignore[no-untyped-def]
    await signed_in(client, "kamila")
    laptop = await _client_from(client, "198.51.100.3")
    async with laptop:
        await sign_in(laptop, "kamila")
        page = await laptop.get("/auth/sessions")
        assert page.status_code == 200 and page.text.count("<tr>") == 3  # header and two sessions
        assert (await laptop.post("/auth/sessions/end-others", data={"csrf": csrf_from(page.text)})).status_code == 303
        assert (await laptop.get("/console")).status_code == 200
    assert (await client.get("/console")).status_code == 401


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


async def test_operator_reset_lets_a_locked_out_admin_back_in_and_ends_old_sessions(client) -> None:  # type: ignore[no-untyped-def]
    from app.operators.service import reset_access

    await signed_in(client, "solo", "admin")
    thief = await _client_from(client, "203.0.113.66")
    async with thief:
        thief.cookies.set("hl_session", client.cookies.get("hl_session"))
        for _ in range(12):
            await sign_in(thief, "solo", "guess")
        services = services_of(client)
        async with session_scope(services.sessionmaker) as session:
            operator = await session.scalar(select(Operator).where(Operator.login == "solo"))
            operator.totp_secret_enc = services.vault.encrypt(pyotp.random_base32(), f"operator:{operator.id}:totp")
        async with session_scope(services.sessionmaker) as session:
            await reset_access(session, services.vault, "solo", "a brand new password", services.clock())
        assert (await thief.get("/console")).status_code == 401
    client.cookies.clear()
    response = await sign_in(client, "solo", "a brand new password")
    assert response.status_code == 303 and response.headers["location"] == "/console"  # no TOTP, no delay
    assert "operator.reset" in await _audit_actions(client)
