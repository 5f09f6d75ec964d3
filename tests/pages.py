"""Helpers for tests of the workspace pages: accounts, signing in, CSRF tokens, people writing in."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx

from app.operators.service import upsert_operator
from app.platform.db import session_scope
from bots.messages import InboundMessage

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"|name="csrf-token" content="([^"]+)"')


def services_of(client: httpx.AsyncClient) -> Any:
    return client.app.state.container  # type: ignore[attr-defined]


async def make_operator(client: httpx.AsyncClient, login: str, role: str = "operator",
                        languages: tuple[str, ...] = ("ru", "en"), password: str = PASSWORD) -> None:  # fmt: skip
    services = services_of(client)
    async with session_scope(services.sessionmaker) as session:
        await upsert_operator(session, services.vault, login=login, name=login.title(), role=role,
                              languages=list(languages), password=password)  # fmt: skip


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


async def csrf(client: httpx.AsyncClient, path: str = "/auth/login") -> str:
    response = await client.get(path)
    return csrf_from(response.text)


async def sign_in(client: httpx.AsyncClient, login: str, password: str = PASSWORD) -> httpx.Response:
    token = await csrf(client)
    return await client.post("/auth/login", data={"login": login, "password": password, "csrf": token})


async def signed_in(client: httpx.AsyncClient, login: str, role: str = "operator", **kw: Any) -> str:
    """Create the account, sign in, and return the session's CSRF token."""
    await make_operator(client, login, role, **kw)
    response = await sign_in(client, login)
    assert response.status_code == 303, response.text
    return await csrf(client, "/console")


async def person_writes(client: httpx.AsyncClient, text: str, *, channel: str = "sms",
                        external_id: str = "+77011234567") -> Any:  # fmt: skip
    """A person's message through the real core, committed and announced like a webhook would."""
    from app.conversations.service import handle_inbound

    services = services_of(client)
    async with session_scope(services.sessionmaker) as session:
        outcome = await handle_inbound(session, InboundMessage(channel=channel, external_id=external_id,
                                                               external_message_id=uuid.uuid4().hex, text=text),
                                       services.core)  # fmt: skip
    services.events.publish_all(outcome.events)
    return outcome
