"""Case access by need: an alias alone opens nothing; queue, ownership, transfer or a coordinator's grant do."""

from __future__ import annotations

from sqlalchemy import select

from app.platform.db import session_scope
from app.platform.models import AuditEntry, Case
from tests.pages import person_writes, services_of, sign_in, signed_in

URGENT_TEXT = "Помогите срочно, меня заперли на складе"


async def _set(client, alias: str, **values: object) -> None:  # type: ignore[no-untyped-def]
    async with session_scope(services_of(client).sessionmaker) as session:
        case = await session.scalar(select(Case).where(Case.alias == alias))
        for name, value in values.items():
            setattr(case, name, value)


async def _views(client, alias: str) -> list[str]:  # type: ignore[no-untyped-def]
    async with session_scope(services_of(client).sessionmaker) as session:
        rows = await session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "case.view",
                                                                    AuditEntry.target == alias))  # fmt: skip
        return list(rows.all())


async def test_an_operator_gets_403_on_a_bot_only_case_by_alias(client) -> None:  # type: ignore[no-untyped-def]
    outcome = await person_writes(client, "Здравствуйте, какие у вас часы работы?", external_id="+77015550001")
    await _set(client, outcome.case_alias, status="bot")
    token = await signed_in(client, "nosy")
    page = await client.get(f"/console/case/{outcome.case_alias}")
    assert page.status_code == 403 and "Здравствуйте" not in page.text
    assert (await client.get(f"/console/case/{outcome.case_alias}/messages")).status_code == 403
    note = await client.post(f"/console/case/{outcome.case_alias}/note", data={"csrf": token, "text": "x"})
    assert "error=not_in_queue" in note.headers["location"]
    take = await client.post(f"/console/case/{outcome.case_alias}/take", data={"csrf": token})
    assert take.headers["location"] == "/console?error=not_in_queue"


async def test_an_operator_gets_403_on_a_closed_case_not_theirs(client) -> None:  # type: ignore[no-untyped-def]
    alias = (await person_writes(client, URGENT_TEXT, external_id="+77015550002")).case_alias
    token = await signed_in(client, "owner")
    await client.post(f"/console/case/{alias}/take", data={"csrf": token})
    await client.post(f"/console/case/{alias}/close", data={"csrf": token, "outcome": "shelter", "notes": ""})
    assert (await client.get(f"/console/case/{alias}")).status_code == 200  # the owner still can
    client.cookies.clear()
    await signed_in(client, "other")
    page = await client.get(f"/console/case/{alias}")
    assert page.status_code == 403 and URGENT_TEXT not in page.text


async def test_a_waiting_case_in_another_language_is_neither_queued_nor_open_until_a_coordinator_opens_it(client) -> None:  # type: ignore[no-untyped-def]
    alias = (await person_writes(client, URGENT_TEXT, external_id="+77015550003")).case_alias
    await _set(client, alias, language="uz")
    await signed_in(client, "rusonly", languages=("ru",))
    assert alias not in (await client.get("/console")).text
    assert (await client.get(f"/console/case/{alias}")).status_code == 403
    client.cookies.clear()
    token = await signed_in(client, "coord", "coordinator")
    assert (await client.post(f"/console/case/{alias}/open-for", data={"csrf": token, "to_login": "rusonly"})
            ).status_code == 303  # fmt: skip
    client.cookies.clear()
    await sign_in(client, "rusonly")
    assert alias in (await client.get("/console")).text
    assert URGENT_TEXT in (await client.get(f"/console/case/{alias}")).text
    client.cookies.clear()
    await sign_in(client, "coord")
    page = await client.get(f"/console/case/{alias}")
    assert "rusonly ·" in page.text  # the coordinator sees who opened it


async def test_a_case_transferred_to_a_colleague_opens_for_them(client) -> None:  # type: ignore[no-untyped-def]
    alias = (await person_writes(client, URGENT_TEXT, external_id="+77015550004")).case_alias
    await signed_in(client, "kkonly", languages=("kk",))
    client.cookies.clear()
    token = await signed_in(client, "ruop", languages=("ru",))
    await client.post(f"/console/case/{alias}/take", data={"csrf": token})
    await client.post(f"/console/case/{alias}/transfer", data={"csrf": token, "to_login": "kkonly", "language": "ru"})
    client.cookies.clear()
    await sign_in(client, "kkonly")
    assert (await client.get(f"/console/case/{alias}")).status_code == 200


async def test_every_case_view_is_audited(client) -> None:  # type: ignore[no-untyped-def]
    alias = (await person_writes(client, URGENT_TEXT, external_id="+77015550005")).case_alias
    await signed_in(client, "reader")
    assert (await client.get(f"/console/case/{alias}")).status_code == 200
    await client.get(f"/console/case/{alias}/messages")  # a refresh within minutes is the same view
    assert await _views(client, alias) == ["reader"]
