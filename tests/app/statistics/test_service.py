"""Statistics figures, pinned: rollup counts per week, response-time percentiles inside the weeks, erasures."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.conversations.repository import add_counts
from app.oncall.service import hand_back, operator_message, take_case
from app.operators.service import upsert_operator
from app.platform.db import session_scope
from app.platform.models import Case, Contact, Escalation, Operator, OutboxItem, ResponseCount, WeeklyCount
from app.statistics.service import bucket_percentile, bucket_seconds, compute, count_wait, wait_bucket, week_start
from app.web.i18n import translate
from tests.pages import services_of, signed_in


async def _history(services) -> None:  # type: ignore[no-untyped-def]
    now = services.clock()
    today = now.date()
    async with session_scope(services.sessionmaker) as session:
        for days, channel, language, intent, urgent, n in [
            (0, "telegram", "ru", "greet", False, 5), (1, "telegram", "ru", "greet", True, 2),
            (8, "sms", "kk", "legal_aid", False, 3), (400, "sms", "kk", "legal_aid", False, 99),  # outside the weeks
        ]:  # fmt: skip
            await add_counts(session, Counter({(today - timedelta(days=days), channel, language, intent, urgent): n}))
        # First taken after 60, 120, ..., 600 s; the first human reply 30 s after taking, for the even ones only.
        for i in range(1, 11):
            created = now - timedelta(days=i)
            await count_wait(session, "take", created, created + timedelta(seconds=60 * i))
            if i % 2 == 0:
                await count_wait(session, "reply", created, created + timedelta(seconds=60 * i + 30))
        old = now - timedelta(days=500)  # long ago: outside every window
        await count_wait(session, "take", old, old + timedelta(hours=5))
        session.add(Case(alias="S101", channel="sms", status="closed", created_at=now - timedelta(days=2), erased=True))
        session.add(Case(alias="S102", channel="sms", status="closed", created_at=old, erased=True))
        session.add(Case(alias="S103", channel="sms", status="bot", created_at=now - timedelta(days=1)))  # never taken
        case = Case(id=uuid.uuid4(), alias="S104", channel="sms", status="waiting", created_at=now - timedelta(days=3))
        session.add(case)
        await session.flush()
        session.add(Escalation(case_id=case.id, status="exhausted", created_at=now - timedelta(days=3)))
        session.add(Escalation(case_id=case.id, status="exhausted", created_at=old))
        session.add(OutboxItem(channel="telegram", address_enc="", payload_enc="", status="dead", attempts=5,
                               last_error="blocked by user +77011234567", created_at=now - timedelta(days=1)))  # fmt: skip


async def test_the_figures_come_from_the_rollup_and_the_cases_inside_the_weeks(services) -> None:  # type: ignore[no-untyped-def]
    await _history(services)
    async with services.sessionmaker() as session:
        stats = await compute(session, services.clock().date(), 12)
    assert stats.since == week_start(services.clock().date()) - timedelta(weeks=11)
    assert stats.total == 10 and stats.urgent == 2
    assert dict(stats.by_channel) == {"telegram": 7, "sms": 3}
    assert dict(stats.by_language) == {"ru": 7, "kk": 3}
    assert sum(total for _, total, _ in stats.weekly) == 10 and len(stats.weekly) == 12
    assert stats.measured_cases == 10
    assert stats.taken == {"p50": pytest.approx(300, rel=0.01), "p90": pytest.approx(540, rel=0.01)}
    assert stats.first_reply == {"p50": pytest.approx(390, rel=0.01), "p90": pytest.approx(630, rel=0.01)}  # 150 … 630 s
    assert stats.erased == 1 and stats.exhausted == 1 and stats.dead_count == 1
    assert "77011234567" not in stats.dead[0].error


async def test_the_statistics_page_shows_the_figures_to_a_coordinator(client) -> None:  # type: ignore[no-untyped-def]
    await _history(services_of(client))
    await signed_in(client, "boss", "coordinator")
    page = await client.get("/admin/stats")
    assert page.status_code == 200 and "5 min" in page.text  # the median time to take
    summary = await client.get("/admin/stats.csv?table=summary")
    assert "cases_taken,10" in summary.text and "cases_erased,1" in summary.text


async def test_the_page_lists_the_first_hundred_rows_and_the_csv_all_of_them(client) -> None:  # type: ignore[no-untyped-def]
    services = services_of(client)
    today = services.clock().date()
    async with session_scope(services.sessionmaker) as session:
        for i in range(130):
            await add_counts(session, Counter({(today, "telegram", "ru", f"intent_{i:03d}", False): 1}))
    await signed_in(client, "boss", "coordinator")
    page = await client.get("/admin/stats?lang=en")
    assert page.text.count("<td>intent_") == 100 and "Showing 100 of 130 rows" in page.text
    csv = await client.get("/admin/stats.csv")
    assert csv.text.count("intent_") == 130


async def test_the_statistics_page_names_channels_intents_and_languages_in_its_language(client) -> None:  # type: ignore[no-untyped-def]
    services = services_of(client)
    async with session_scope(services.sessionmaker) as session:
        await add_counts(session, Counter({(services.clock().date(), "voice", "kk", "documents_taken", False): 3}))
    await signed_in(client, "boss", "coordinator")
    page = (await client.get("/admin/stats?lang=kk")).text
    assert translate("kk", "intent.documents_taken") in page and translate("kk", "channel.voice") in page
    assert ">documents_taken<" not in page and "<td>voice</td>" not in page and "<td>kk</td>" not in page


def test_waits_under_a_hundred_seconds_are_exact_and_longer_ones_within_one_percent() -> None:
    assert [bucket_seconds(wait_bucket(s)) for s in (0, 7, 42.9, 99)] == [0, 7, 42, 99]
    for seconds in (100, 101, 333, 3600, 86_400 * 3, 86_400 * 400):
        assert bucket_seconds(wait_bucket(seconds)) == pytest.approx(seconds, rel=0.01)
    assert bucket_percentile({}, 50) is None
    assert bucket_percentile({5: 1, 10: 2, 20: 1}, 50) == 10 and bucket_percentile({5: 1, 10: 2, 20: 1}, 90) == 20


async def test_a_case_counts_its_first_take_and_first_reply_once_however_often_it_changes_hands(services) -> None:  # type: ignore[no-untyped-def]
    """The wait a person had for a human: a hand-back and a second take do not add a second, longer wait."""
    now = services.clock()
    async with session_scope(services.sessionmaker) as session:
        await upsert_operator(session, services.vault, login="aru", name="Aru", role="coordinator", languages=["ru"],
                              password="correct horse battery")  # fmt: skip
        contact = Contact(id=uuid.uuid4(), channel="cli", pseudonym="p" * 64, language="ru")
        contact.address_enc = services.vault.encrypt("local", f"contact:{contact.id}:address")
        session.add(contact)
        session.add(Case(alias="W001", contact_id=contact.id, channel="cli", language="ru", status="waiting",
                         created_at=now - timedelta(minutes=10), waiting_since=now - timedelta(minutes=10)))  # fmt: skip
    for step in ("take", "reply", "hand back", "take", "reply"):
        async with session_scope(services.sessionmaker) as session:
            aru = await session.scalar(select(Operator).where(Operator.login == "aru"))
            assert aru is not None
            if step == "take":
                assert (await take_case(session, services.oncall, "W001", aru)).ok
            elif step == "reply":
                await operator_message(session, services.oncall, "W001", aru, "Здравствуйте, я здесь")
            else:
                await hand_back(session, services.oncall, "W001", aru)
    async with services.sessionmaker() as session:
        stats = await compute(session, now.date(), 1)
        rows = (await session.execute(select(ResponseCount.kind, ResponseCount.count))).all()
        case = await session.scalar(select(Case).where(Case.alias == "W001"))
    assert sorted(rows) == [("reply", 1), ("take", 1)]
    assert stats.measured_cases == 1 and stats.taken["p50"] == pytest.approx(600, rel=0.01)
    assert case is not None and case.first_taken_at is not None and case.taken_at is not None


async def test_the_weekly_rollup_adds_up_what_the_daily_one_holds(services) -> None:  # type: ignore[no-untyped-def]
    """Written together: a week's row is the sum of its days, whichever days of the week they are."""
    from sqlalchemy import func

    from app.platform.models import DailyCount

    monday = week_start(services.clock().date()) - timedelta(weeks=1)
    async with session_scope(services.sessionmaker) as session:
        for offset, n in ((0, 2), (3, 5), (6, 1), (7, 4)):  # Monday, Thursday, Sunday, the next Monday
            await add_counts(session, Counter({(monday + timedelta(days=offset), "sms", "uz", "legal_aid", False): n}))
    async with services.sessionmaker() as session:
        weeks = dict((await session.execute(select(WeeklyCount.week, WeeklyCount.count).order_by(WeeklyCount.week))).all())
        days = await session.scalar(select(func.sum(DailyCount.count)))
    assert weeks == {monday: 8, monday + timedelta(weeks=1): 4} and days == 12
