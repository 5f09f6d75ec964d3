"""The console queue is paged and ordered in SQL like ``routing.queue_order``; access rules still filter."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlalchemy import select

from app.oncall.repository import PAGE_SIZE, queue_page
from app.platform.db import session_scope
from app.platform.models import AlertRef, Case, CaseAccess, Operator
from routing import QueueItem, queue_order
from tests.pages import services_of, signed_in

ALIAS_RE = re.compile(r'data-alias="([A-Z0-9-]+)"')


async def _cases(client, specs: list[dict[str, object]]) -> list[str]:  # type: ignore[no-untyped-def]
    """Cases as the core would leave them (no messages needed for the queue): one per spec."""
    services = services_of(client)
    now = services.clock()
    aliases = []
    async with session_scope(services.sessionmaker) as session:
        for i, spec in enumerate(specs):
            minutes = int(spec.pop("waited", i))  # type: ignore[call-overload]
            values: dict[str, object] = {"status": "waiting", "channel": "telegram", "language": "ru", "urgent": False}
            values.update(spec)
            case = Case(alias=f"Q{i:04d}", created_at=now - timedelta(minutes=minutes + 1),
                        waiting_since=now - timedelta(minutes=minutes), updated_at=now, **values)  # fmt: skip
            session.add(case)
            aliases.append(case.alias)
    return aliases


def _shown(html: str) -> list[str]:
    return ALIAS_RE.findall(html)


async def test_the_queue_shows_fifty_cases_a_page_with_a_next_page_link(client) -> None:  # type: ignore[no-untyped-def]
    await _cases(client, [{} for _ in range(PAGE_SIZE + 7)])
    await signed_in(client, "asel")
    first = await client.get("/console")
    assert len(_shown(first.text)) == PAGE_SIZE and 'href="/console?page=2"' in first.text
    second = await client.get("/console?page=2")
    assert len(_shown(second.text)) == 7 and 'href="/console?page=3"' not in second.text
    assert 'href="/console?page=1"' in second.text
    assert set(_shown(first.text)).isdisjoint(_shown(second.text))
    fragment = await client.get("/console/queue?page=2")
    assert _shown(fragment.text) == _shown(second.text)


async def test_a_short_queue_has_no_pager(client) -> None:  # type: ignore[no-untyped-def]
    await _cases(client, [{}, {}])
    await signed_in(client, "asel")
    page = await client.get("/console")
    assert len(_shown(page.text)) == 2 and "?page=" not in page.text


async def test_urgent_first_then_the_operators_languages_then_longest_waiting(client) -> None:  # type: ignore[no-untyped-def]
    aliases = await _cases(client, [
        {"language": "ru", "waited": 3},
        {"language": "uz", "waited": 30},  # past the aging limit: counts as in their language
        {"language": "kk", "waited": 5, "urgent": True},
        {"language": "ru", "waited": 10},
        {"language": "en", "waited": 1},
        {"language": None, "waited": 2},
        {"language": "ru", "waited": 8, "urgent": True},
    ])  # fmt: skip
    await signed_in(client, "coord", "coordinator", languages=("ru",))
    page = await client.get("/console")
    services = services_of(client)
    async with services.sessionmaker() as session:
        cases = (await session.scalars(select(Case))).all()
    expected = [item.case for item in queue_order(
        [QueueItem(c.alias, c.language, c.urgent, c.waiting_since) for c in cases], ["ru"], services.clock())]  # fmt: skip
    assert _shown(page.text) == expected
    assert expected[:2] == [aliases[6], aliases[2]] and expected[-1] == aliases[4]


async def test_pages_follow_one_order_without_gaps_or_repeats(client) -> None:  # type: ignore[no-untyped-def]
    await _cases(client, [{"urgent": i % 9 == 0, "language": ("ru", "uz", None)[i % 3], "waited": (i * 7) % 40}
                          for i in range(23)])  # fmt: skip
    await signed_in(client, "coord", "coordinator", languages=("ru",))
    services = services_of(client)
    async with services.sessionmaker() as session:
        operator = await session.scalar(select(Operator).where(Operator.login == "coord"))
        assert operator is not None
        whole = await queue_page(session, operator, services.clock(), size=100)
        paged = [row.case.alias for n in (1, 2, 3) for row in (await queue_page(session, operator, services.clock(), n,
                                                                                size=10)).rows]  # fmt: skip
    assert paged == [row.case.alias for row in whole.rows] and len(paged) == 23


async def test_the_queue_applies_the_access_rules_in_the_query(client) -> None:  # type: ignore[no-untyped-def]
    aliases = await _cases(client, [
        {"language": "ru"},                        # 0 their language: shown
        {"language": "uz"},                        # 1 another language: hidden
        {"language": "uz"},                        # 2 another language, alerted to them: shown
        {"language": "uz"},                        # 3 another language, opened for them: shown
        {"language": "ru", "status": "bot"},       # 4 the bot's: hidden
        {"language": "ru", "status": "closed"},    # 5 closed: hidden
        {"language": "ru", "erased": True},        # 6 erased: never offered
        {"language": None},                        # 7 language unknown: shown
    ])  # fmt: skip
    await signed_in(client, "rusonly", languages=("ru",))
    await signed_in(client, "colleague", languages=("uz",))
    services = services_of(client)
    async with session_scope(services.sessionmaker) as session:
        me = await session.scalar(select(Operator).where(Operator.login == "rusonly"))
        colleague = await session.scalar(select(Operator).where(Operator.login == "colleague"))
        assert me is not None and colleague is not None
        by_alias = {c.alias: c for c in (await session.scalars(select(Case))).all()}
        session.add(AlertRef(case_id=by_alias[aliases[2]].id, operator_id=me.id, channel="telegram", outbox_id=uuid.uuid4()))
        session.add(CaseAccess(case_id=by_alias[aliases[3]].id, operator_id=me.id, granted_by="coord"))
        # A colleague's case in their language is theirs, not this operator's.
        by_alias[aliases[0]].status, by_alias[aliases[0]].assigned_operator_id = "assigned", colleague.id
    client.cookies.clear()
    await signed_in(client, "rusonly", languages=("ru",))
    page = await client.get("/console")
    shown = set(_shown(page.text))
    assert shown == {aliases[2], aliases[3], aliases[7]}
    client.cookies.clear()
    await signed_in(client, "colleague", languages=("uz",))
    theirs = await client.get("/console")
    assert aliases[0] in _shown(theirs.text) and f"/console/case/{aliases[0]}/take" not in theirs.text
