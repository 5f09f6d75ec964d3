"""The HTCDS exchange export: k-anonymous over the quasi-identifiers, codes only, suppression reported."""

from __future__ import annotations

import csv
import io
import json
import random
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from app.casework import picklists
from app.casework.export import FIELDS, QUASI, anonymise, htcds_export
from app.platform.db import session_scope
from app.platform.models import Case, CaseRecord, Contact
from tests.pages import services_of, signed_in

START = datetime(2026, 1, 1, tzinfo=UTC)
NOTE = "Айгерим, склад на Рыскулова 12"


async def _seed(client, n: int = 2000) -> tuple[set[str], set[str]]:  # type: ignore[no-untyped-def]
    """n cases with records skewed like real traffic (a few common routes, a long tail); returns aliases, pseudonyms."""
    rng = random.Random(18)
    aliases, pseudonyms = set(), set()
    origins, destinations = ("UZ", "KG", "TJ", "KZ", "TM"), ("RU", "KZ", "TR", "AE", "KR", "PL", "DE", "SA")
    records = []
    async with session_scope(services_of(client).sessionmaker) as session:
        for i in range(n):
            contact = Contact(id=uuid.uuid4(), channel="sms", pseudonym=uuid.uuid4().hex)
            case = Case(id=uuid.uuid4(), alias=f"EX{i:05d}", contact_id=contact.id, channel="sms", status="closed",
                        created_at=START + timedelta(days=rng.randrange(365), minutes=rng.randrange(1440)))  # fmt: skip
            case.notes_enc = NOTE  # stands in for any free text the case carries
            record = CaseRecord(
                case_id=case.id, contact_type=rng.choice(picklists.CONTACT_TYPES),
                gender=rng.choices(picklists.GENDERS, (45, 45, 2, 8))[0],
                age_band=rng.choice(picklists.AGE_BANDS),
                country_origin=rng.choices(origins, (40, 25, 20, 10, 5))[0],
                country_exploitation=rng.choices(destinations, (50, 20, 10, 8, 5, 3, 2, 2))[0],
                exploitation_types=rng.sample(picklists.EXPLOITATION_TYPES, rng.randint(1, 2)),
                means_of_control=rng.sample(picklists.MEANS_OF_CONTROL, rng.randint(0, 3)),
                recruitment=[rng.choice(picklists.RECRUITMENT)], countries_transit=[],
                sector=rng.choice(picklists.SECTORS),
            )  # fmt: skip
            session.add_all([contact, case])
            records.append(record)
            aliases.add(case.alias)
            pseudonyms.add(contact.pseudonym)
        await session.flush()  # the cases exist before their records point at them
        session.add_all(records)
    return aliases, pseudonyms


async def test_seeded_2000_cases_export_has_no_combination_below_k_and_no_free_text(client) -> None:  # type: ignore[no-untyped-def]
    aliases, pseudonyms = await _seed(client)
    async with session_scope(services_of(client).sessionmaker) as session:
        export = await htcds_export(session, START, START + timedelta(days=366), k=11)
    combos = Counter(tuple(row[name] for name in QUASI) for row in export.rows)
    assert combos and min(combos.values()) >= 11
    report = export.report
    assert report["records_in"] == 2000 and report["records_out"] == len(export.rows) == 2000 - report["suppressed"]
    assert report["suppressed"] == sum(report["suppressed_by_month"].values())  # type: ignore[union-attr]
    assert len(export.rows) > 1800, "generalising should keep most records"
    csv_text, json_text = export.csv(), export.json()
    assert list(csv.DictReader(io.StringIO(csv_text)))[0].keys() == set(FIELDS)
    assert json.loads(json_text)["report"]["suppressed"] == report["suppressed"]
    for text in (csv_text, json_text):
        assert NOTE not in text and "Рыскулова" not in text
        assert not any(alias in text for alias in aliases) and not any(p in text for p in pseudonyms)
    months = {row["cas_Month"] for row in export.rows}
    assert all(len(m) in (4, 7) and not m[8:] for m in months), "dates leave as months, quarters or years at most"


def test_rare_combinations_are_generalised_before_they_are_suppressed() -> None:
    common = {"cas_Month": "2026-03", "prs_Gender": "Female", "vic_AgeBroad": "24-26", "prs_Nationality": "UZ",
              "hte_Country_Exploitation": "RU"}  # fmt: skip
    rows = [dict(common) for _ in range(300)] + [{**common, "vic_AgeBroad": "21-23", "prs_Nationality": "KG"}
                                               for _ in range(6)] + [{**common, "vic_AgeBroad": "27-29"} for _ in range(6)]
    rows.append({**common, "prs_Gender": "Transgender/NonConforming", "vic_AgeBroad": "0-8", "cas_Month": "2026-11"})
    export = anonymise(rows, k=11)
    combos = Counter(tuple(row[name] for name in QUASI) for row in export.rows)
    assert min(combos.values()) >= 11
    assert export.report["generalised_further"] == 12 and export.report["suppressed"] == 1
    assert any(row["vic_AgeBroad"] == "18-29" for row in export.rows)
    assert sum(1 for row in export.rows if row["vic_AgeBroad"] == "24-26") == 300, "common records keep their detail"


async def test_a_coordinator_downloads_the_export_and_an_operator_cannot(client) -> None:  # type: ignore[no-untyped-def]
    await _seed(client, 300)
    await signed_in(client, "aida", role="coordinator")
    page = await client.get("/admin/stats?lang=kk")
    assert "Алмасуға арналған экспорт" in page.text and "/admin/export/htcds.csv" in page.text
    got = await client.get("/admin/export/htcds.csv?start=2026-01-01&end=2026-12-31&k=11")
    assert got.status_code == 200 and got.text.startswith("cas_Month,") and "attachment" in got.headers["content-disposition"]
    assert int(got.headers["x-suppressed"]) >= 0
    await client.post("/auth/logout", data={})
    await signed_in(client, "nurlan")
    assert (await client.get("/admin/export/htcds.json")).status_code in (303, 401, 403)


async def test_the_cli_writes_csv_and_json_and_says_what_it_suppressed(client, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import asyncio
    import os
    import subprocess
    import sys

    await _seed(client, 400)
    env = {**os.environ, "HELPLINE_DATABASE_URL": settings.database_url, "HELPLINE_DATA_DIR": str(tmp_path),
           "HELPLINE_ENV": "development", "HELPLINE_NLU_BACKEND": "keywords"}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app.cli", "export", "htcds", *args], env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    done = await asyncio.to_thread(run, "--from", "2026-01-01", "--to", "2026-12-31", "--k", "11", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "of 400 records written" in done.stdout and "suppressed:" in done.stdout
    report = json.loads((tmp_path / "htcds.json").read_text(encoding="utf-8"))["report"]
    assert report["k"] == 11 and report["to"] == "2026-12-31"
    assert (tmp_path / "htcds.csv").read_text(encoding="utf-8").startswith("cas_Month,")
    bad = await asyncio.to_thread(run, "--from", "2026-13-01", "--to", "2026-12-31")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
