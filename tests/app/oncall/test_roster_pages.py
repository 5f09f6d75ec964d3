"""Coordinators see who is on call and change the roster by import; errors change nothing; export is audited."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from app.platform.db import session_scope
from app.platform.models import AuditEntry, Operator
from tests.pages import services_of, signed_in

EXAMPLE = (Path(__file__).resolve().parents[3] / "routing" / "examples" / "roster.yml").read_text(encoding="utf-8")


async def _actions(client) -> list[str]:  # type: ignore[no-untyped-def]
    async with session_scope(services_of(client).sessionmaker) as session:
        return list((await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all())


async def _logins(client) -> set[str]:  # type: ignore[no-untyped-def]
    async with session_scope(services_of(client).sessionmaker) as session:
        return set((await session.scalars(select(Operator.login))).all())


def _day_cell(html: str, day: str) -> str:
    return html.split(day, 1)[1].split("</tr>", 1)[0]


async def test_import_shows_changes_and_the_week_view_shows_the_daily_rotation(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "boss", role="coordinator")
    response = await client.post("/admin/roster/import", data={"text": EXAMPLE, "csrf": token})
    assert response.status_code == 200 and 'id="import-changes"' in response.text
    assert {"aigerim", "dilnoza", "coord"} <= await _logins(client)
    # Daily rotation handing off at 09:00 Almaty from 2026-01-01: aigerim, dilnoza, aigerim, ...
    page = (await client.get("/admin/roster?week=2026-01-02")).text
    jan2, jan3 = _day_cell(page, "2026-01-02"), _day_cell(page, "2026-01-03")
    assert "aigerim 00:00–09:00" in jan2 and "dilnoza 09:00–24:00" in jan2
    assert "dilnoza 00:00–09:00" in jan3 and "aigerim 09:00–24:00" in jan3
    assert "Asia/Almaty" in page and "urgent" in page


async def test_lists_never_show_phone_numbers_or_chat_ids(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "boss", role="coordinator")
    await client.post("/admin/roster/import", data={"text": EXAMPLE, "csrf": token})
    page = (await client.get("/admin/roster")).text
    assert "+7701" not in page and "5550001" not in page and "998900" not in page
    assert "Telegram" in page and "SMS" in page


async def test_import_with_errors_lists_line_numbers_and_changes_nothing(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "boss", role="coordinator")
    broken = EXAMPLE.replace("members: [aigerim, dilnoza]", "members: [aigerim, nobody]").replace("wait_seconds: 60}", "wait_seconds: -5}", 1)
    response = await client.post("/admin/roster/import", files={"file": ("roster.yml", broken.encode(), "text/yaml")},
                                 data={"csrf": token})  # fmt: skip
    assert response.status_code == 400
    errors = response.text.split('id="import-errors"')[1].split("</section>")[0]
    assert len(re.findall(r"line \d+", errors)) >= 2 or len(re.findall(r"(строка|line) \d+", errors)) >= 2
    assert await _logins(client) == {"boss"}
    assert "roster.import" not in await _actions(client)


async def test_export_is_a_yaml_download_with_contacts_and_is_audited(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "boss", role="coordinator")
    await client.post("/admin/roster/import", data={"text": EXAMPLE, "csrf": token})
    response = await client.get("/admin/roster/export")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    assert "+77010000001" in response.text and "hotline" in response.text
    assert (await _actions(client))[-1] == "roster.export"


async def test_override_from_the_form_is_validated_and_shown(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "boss", role="coordinator")
    await client.post("/admin/roster/import", data={"text": EXAMPLE, "csrf": token})
    form = {"schedule": "hotline", "login": "coord", "start": "2026-01-02T12:00", "end": "2026-01-02T18:00",
            "replaces": "dilnoza", "csrf": token}  # fmt: skip
    response = await client.post("/admin/roster/override", data=form)
    assert response.status_code == 200, response.text
    page = (await client.get("/admin/roster?week=2026-01-02")).text
    assert "coord 12:00–18:00" in _day_cell(page, "2026-01-02") and "2026-01-02 12:00" in page
    bad = await client.post("/admin/roster/override", data={**form, "end": "2026-01-02T10:00"})
    assert bad.status_code == 400 and "+7701" not in bad.text
    assert "roster.override" in await _actions(client)


async def test_operator_is_refused_and_every_post_needs_csrf(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "olzhas", role="operator")
    assert (await client.get("/admin/roster")).status_code == 403
    assert (await client.get("/admin/roster/export")).status_code == 403
    for path in ("/admin/roster/import", "/admin/roster/override"):
        assert (await client.post(path, data={"text": EXAMPLE, "csrf": token})).status_code == 403
        assert (await client.post(path, data={"text": EXAMPLE, "csrf": "forged"})).status_code == 403
    assert await _logins(client) == {"olzhas"}
