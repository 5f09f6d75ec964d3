"""Statistics from the case record: per month, labels in the page's language, no small count readable or derivable."""

from __future__ import annotations

import csv
import io
import math
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.casework.stats import HIDDEN, protect
from app.platform.db import session_scope
from app.platform.models import Case, CaseRecord, CaseReferral, Contact, ReferralEntry
from tests.pages import services_of, signed_in

K = 11


def _solutions(cells, total, values: list[int], k: int) -> dict[int, int]:  # type: ignore[no-untyped-def]
    """For each month shown as "<k": how many values it could have, given everything the row publishes."""
    if total.value is None:  # no exact total: each small month is anything from 1 to k-1
        return {i: k - 1 for i, c in enumerate(cells) if c.shown == f"<{k}"}
    primary = [i for i, c in enumerate(cells) if c.shown == f"<{k}"]
    secondary = [i for i, c in enumerate(cells) if c.shown == HIDDEN]
    hidden_sum = total.value - sum(c.value for c in cells if c.value is not None)
    out = {}
    for i in primary:
        others = len(primary) - 1
        low, high = others, (math.inf if secondary else others * (k - 1))
        out[i] = sum(1 for v in range(1, k) if low <= hidden_sum - v <= high)
    return out


def test_a_lone_small_month_is_not_given_away_by_its_row_total() -> None:
    cells, total = protect([40, 3, 25, 30], K)
    assert [c.shown for c in cells].count("<11") == 1 and total.shown == "98"
    assert [c.shown for c in cells].count(HIDDEN) == 1, "one more month is withheld beside it"
    assert min(_solutions(cells, total, [40, 3, 25, 30], K).values()) >= 2


def test_a_row_of_ones_hides_its_total() -> None:
    cells, total = protect([1, 1, 1], K)
    assert [c.shown for c in cells] == ["<11", "<11", "<11"] and total.shown == "<11"
    cells, total = protect([1, 1, 0, 0], 3)
    assert total.value is None, "a total of 2 over two small months would say both are 1"


def test_rows_without_small_counts_are_shown_exactly() -> None:
    cells, total = protect([12, 0, 30], K)
    assert [c.shown for c in cells] == ["12", "0", "30"] and total.shown == "42"


@pytest.mark.parametrize("seed", range(40))
def test_no_small_count_can_be_worked_out_from_any_row(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        k = rng.choice((3, 5, 11))
        values = [rng.choice((0, 0, 1, 2, rng.randrange(1, k), rng.randrange(k, 60))) for _ in range(rng.randint(1, 12))]
        cells, total = protect(values, k)
        for cell, value in zip(cells, values):
            assert cell.value in (None, value) and (cell.value is None or cell.value == 0 or cell.value >= k)
        assert total.value in (None, sum(values))
        assert all(n >= 2 for n in _solutions(cells, total, values, k).values()), (values, cells, total)


async def _seed(client, rows: list[tuple[datetime, dict]], answered_after: timedelta | None = None) -> None:  # type: ignore[no-untyped-def]
    async with session_scope(services_of(client).sessionmaker) as session:
        cases, records = [], []
        for i, (at, fields) in enumerate(rows):
            contact = Contact(id=uuid.uuid4(), channel="sms", pseudonym=uuid.uuid4().hex)
            case = Case(id=uuid.uuid4(), alias=f"ST-{uuid.uuid4().hex[:8]}", contact_id=contact.id, channel="sms", status="closed",
                        created_at=at, erased=bool(fields.pop("erased", False)))  # fmt: skip
            if answered_after is not None:
                case.first_human_reply_at = at + answered_after + timedelta(seconds=i)
            session.add_all([contact, case])
            cases.append(case)
            empty: dict = {"exploitation_types": [], "means_of_control": [], "recruitment": [], "countries_transit": []}
            records.append(CaseRecord(case_id=case.id, **{**empty, **fields}))
        await session.flush()
        session.add_all(records)


MARCH, APRIL = datetime(2026, 3, 10, 9, tzinfo=UTC), datetime(2026, 4, 12, 9, tzinfo=UTC)
LABOUR_UZ_RU = {"exploitation_types": ["ForcedLabour"], "means_of_control": ["WithholdsDocuments", "RestrictsMovement"],
                "country_origin": "UZ", "country_exploitation": "RU"}  # fmt: skip


async def _month_of_cases(client) -> None:  # type: ignore[no-untyped-def]
    """March: 14 labour cases UZ → RU, 2 forced marriages TJ → SA (a small count); April: 12 more labour cases."""
    rows = [(MARCH + timedelta(hours=i), dict(LABOUR_UZ_RU)) for i in range(14)]
    rows += [(MARCH + timedelta(days=1, hours=i), {"exploitation_types": ["ForcedMarriage"], "country_origin": "TJ",
                                                  "country_exploitation": "SA"}) for i in range(2)]  # fmt: skip
    rows += [(APRIL + timedelta(hours=i), dict(LABOUR_UZ_RU)) for i in range(12)]
    rows += [(APRIL, {**LABOUR_UZ_RU, "erased": True})]  # an erased person counts nowhere here
    await _seed(client, rows, answered_after=timedelta(minutes=4))


async def test_coordinator_reads_the_months_in_kazakh_with_small_counts_withheld(client) -> None:  # type: ignore[no-untyped-def]
    await _month_of_cases(client)
    await signed_in(client, "aigul", role="coordinator")
    page = await client.get("/admin/casework/stats?months=3&until=2026-04&lang=kk")
    assert page.status_code == 200
    text = page.text
    assert "Оқиға карталары бойынша статистика" in text and "Қанаудың түрі" in text
    assert "Еңбекті қанау" in text and "Құжаттары алынған" in text and "Өзбекстан → Ресей" in text
    assert "Тәжікстан → Сауд Арабиясы" in text and "«&lt;11»" in text, "the page says how small counts read"
    assert "<td>&lt;11</td>" in text, "2 forced marriages in March read as <11"
    assert "<td>14</td>" in text and "<b>26</b>" in text, "labour: 14 in March, 26 in all (the erased case is not counted)"
    assert "ST-" not in text, "no alias on the page"


async def test_the_minimum_can_be_raised_on_the_page_but_never_lowered(client) -> None:  # type: ignore[no-untyped-def]
    await _month_of_cases(client)
    await signed_in(client, "aigul", role="coordinator")
    lowered = await client.get("/admin/casework/stats?months=3&until=2026-04&k=2&lang=en")
    assert "<td>&lt;11</td>" in lowered.text and "<td>2</td>" not in lowered.text
    raised = await client.get("/admin/casework/stats?months=3&until=2026-04&k=13&lang=en")
    assert "<td>&lt;13</td>" in raised.text and "<td>12</td>" not in raised.text


async def test_csv_has_every_cell_as_shown_with_labels_in_the_language(client) -> None:  # type: ignore[no-untyped-def]
    await _month_of_cases(client)
    await signed_in(client, "aigul", role="coordinator")
    response = await client.get("/admin/casework/stats.csv?months=3&until=2026-04&lang=ru")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    cell = {(r["table"], r["month"], r["code"]): r for r in rows}
    assert cell[("exploitation_types", "2026-03", "ForcedLabour")]["count"] == "14"
    assert cell[("exploitation_types", "2026-03", "ForcedLabour")]["label"] == "Трудовая эксплуатация"
    assert cell[("routes", "2026-03", "TJ>SA")]["label"] == "Таджикистан → Саудовская Аравия"
    assert cell[("routes", "all", "TJ>SA")]["count"] == "<11"
    assert cell[("records", "all", "")]["count"] == "28"
    assert not [r for r in rows if r["count"].isdigit() and 0 < int(r["count"]) < K], "no small count in clear"
    assert "ST-" not in response.text


async def test_time_to_first_human_answer_is_shown_only_for_months_with_enough_cases(client) -> None:  # type: ignore[no-untyped-def]
    await _month_of_cases(client)
    await signed_in(client, "aigul", role="coordinator")
    rows = list(csv.DictReader(io.StringIO((await client.get("/admin/casework/stats.csv?months=3&until=2026-04")).text)))
    answer = {(r["month"], r["code"]): r["count"] for r in rows if r["table"] == "first_answer"}
    assert answer[("2026-03", "cases")] == "16" and 240 <= int(answer[("2026-03", "p50_seconds")]) < 260
    assert answer[("2026-02", "cases")] == "0" and answer[("2026-02", "p50_seconds")] == ""
    await _seed(client, [(datetime(2026, 2, 3, tzinfo=UTC), {}) for _ in range(3)], answered_after=timedelta(hours=1))
    rows = list(csv.DictReader(io.StringIO((await client.get("/admin/casework/stats.csv?months=3&until=2026-04")).text)))
    answer = {(r["month"], r["code"]): r["count"] for r in rows if r["table"] == "first_answer"}
    assert answer[("2026-02", "cases")] == "<11" and answer[("2026-02", "p50_seconds")] == "", "3 cases: no median"


async def test_referral_outcomes_are_counted_per_month(client) -> None:  # type: ignore[no-untyped-def]
    await _month_of_cases(client)
    async with session_scope(services_of(client).sessionmaker) as session:
        entry = ReferralEntry(kind="shelter", country="RU", city="", name={"ru": "Приют"}, description={}, hours={},
                              how_to_reach={})  # fmt: skip
        session.add(entry)
        await session.flush()
        case_ids = list((await session.scalars(select(Case.id).order_by(Case.created_at))).all())
        for i, case_id in enumerate(case_ids[:15]):
            session.add(CaseReferral(case_id=case_id, referral_entry_id=entry.id, result="accepted" if i < 12 else "declined",
                                     made_at=MARCH + timedelta(days=2, hours=i)))  # fmt: skip
    await signed_in(client, "aigul", role="coordinator")
    page = await client.get("/admin/casework/stats?months=2&until=2026-04&lang=uz")
    assert "Yo‘llanmalar natijasi" in page.text and "qabul qilindi" in page.text and "rad etildi" in page.text
    rows = list(csv.DictReader(io.StringIO((await client.get("/admin/casework/stats.csv?months=2&until=2026-04")).text)))
    cell = {(r["table"], r["month"], r["code"]): r["count"] for r in rows}
    assert cell[("referral_outcomes", "2026-03", "accepted")] == "12"
    assert cell[("referral_outcomes", "2026-03", "declined")] == "<11"


async def test_chart_labels_stay_whole_and_readable_on_a_360_px_phone(client) -> None:  # type: ignore[no-untyped-def]
    rows = [(MARCH + timedelta(hours=i), {"means_of_control": ["RestrictsMovement", "ThreatOfLawEnforcement"]})
            for i in range(12)]  # fmt: skip
    await _seed(client, rows)
    await signed_in(client, "aigul", role="coordinator")
    page = await client.get("/admin/casework/stats?months=1&until=2026-03&lang=ru")
    chart = page.text.split('id="means_of_control"', 1)[1].split("</svg>", 1)[0]
    assert 'viewBox="0 0 360 ' in chart and 'font-size="14"' in chart, "drawn for 360 px: 14 px text stays 14 px"
    assert ">Ограничение свободы передвижения</text>" in chart, "the label is whole, on its own line"
    assert ">Запугивание полицией или депортацией</text>" in chart


async def test_an_operator_cannot_open_the_statistics(client) -> None:  # type: ignore[no-untyped-def]
    await signed_in(client, "olzhas", role="operator")
    assert (await client.get("/admin/casework/stats")).status_code == 403
    assert (await client.get("/admin/casework/stats.csv")).status_code == 403


async def test_the_statistics_page_links_to_the_record_statistics(client) -> None:  # type: ignore[no-untyped-def]
    await signed_in(client, "aigul", role="coordinator")
    page = await client.get("/admin/stats?lang=ky")
    assert 'href="/admin/casework/stats"' in page.text and "Окуя карталары боюнча статистика" in page.text
