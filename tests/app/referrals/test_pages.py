"""Coordinators keep the referral directory; operators read it and insert entries into replies."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.platform.db import session_scope
from app.platform.models import AuditEntry, ReferralEntry
from app.referrals.service import format_entry, needs_translation
from app.web.i18n import catalog
from tests.pages import person_writes, services_of, signed_in

FORM = {"kind": "shelter", "country": "TR", "city": "istanbul", "last_verified": "2026-11-01", "active": "1",
        "name_ru": "Приют Стамбул", "name_kk": "Ыстамбұл баспанасы", "name_uz": "Istanbul boshpanasi",
        "name_ky": "Стамбул баш калкалоочу жайы", "name_tg": "Паноҳгоҳи Истанбул",
        "how_to_reach_ru": "[coordinator: add]"}  # fmt: skip


async def _rows(client) -> list[ReferralEntry]:  # type: ignore[no-untyped-def]
    async with session_scope(services_of(client).sessionmaker) as session:
        return list((await session.scalars(select(ReferralEntry).order_by(ReferralEntry.id))).all())


async def _actions(client) -> list[str]:  # type: ignore[no-untyped-def]
    async with session_scope(services_of(client).sessionmaker) as session:
        return list((await session.scalars(select(AuditEntry.action))).all())


async def test_coordinator_creates_edits_and_deletes_an_entry_with_audit(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "coord", role="coordinator")
    response = await client.post("/admin/referrals/save", data={**FORM, "csrf": token})
    assert response.status_code == 303
    entry = next(r for r in await _rows(client) if r.name.get("kk") == "Ыстамбұл баспанасы")
    assert entry.name["kk"] == "Ыстамбұл баспанасы" and entry.last_verified == date(2026, 11, 1)
    page = await client.get(f"/admin/referrals/edit?id={entry.id}")
    assert "Istanbul boshpanasi" in page.text
    await client.post("/admin/referrals/save", data={**FORM, "id": str(entry.id), "name_ru": "Приют (новый)", "csrf": token})
    assert next(r for r in await _rows(client) if r.id == entry.id).name["ru"] == "Приют (новый)"
    listing = await client.get("/admin/referrals")
    assert "Приют (новый)" in listing.text
    await client.post("/admin/referrals/delete", data={"id": str(entry.id), "csrf": token})
    assert await _rows(client) == []
    assert {"referral.create", "referral.update", "referral.delete"} <= set(await _actions(client))


async def test_entry_without_a_name_in_any_language_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "coord", role="coordinator")
    nameless = {**FORM, **{f"name_{lang}": "" for lang in ("ru", "kk", "uz", "ky", "tg")}, "description_ru": "Приют"}
    response = await client.post("/admin/referrals/save?lang=kk", data={**nameless, "csrf": token})
    assert response.status_code == 400 and catalog("kk")["referrals.error_name_missing"] in response.text
    assert 'value="Приют"' in response.text or ">Приют<" in response.text  # what was typed comes back
    assert await _rows(client) == []


async def test_entry_with_some_languages_is_saved_and_the_missing_ones_are_marked_for_translation(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "coord", role="coordinator")
    partial = {**FORM, "name_uz": "", "name_ky": "", "how_to_reach_ru": ""}
    response = await client.post("/admin/referrals/save?lang=en", data={**partial, "csrf": token})
    assert response.status_code == 303
    [entry] = await _rows(client)
    assert needs_translation(entry) == ["uz", "ky"]
    badge = catalog("en")["referrals.needs_translation"]
    assert f"{badge}: UZ, KY" in (await client.get("/admin/referrals?lang=en")).text
    form = (await client.get(f"/admin/referrals/edit?id={entry.id}")).text
    assert form.count('class="badge yellow needs-translation"') == 2
    # Someone writing in Uzbek reads it in the fallback until it is translated.
    assert format_entry(entry, "uz").startswith("Приют Стамбул")
    done = {**FORM, "id": str(entry.id), "how_to_reach_ru": "", "csrf": token}
    assert (await client.post("/admin/referrals/save", data=done)).status_code == 303
    assert needs_translation((await _rows(client))[0]) == []


async def test_stale_list_shows_unchecked_and_old_entries_until_checked_today(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "coord", role="coordinator")
    await client.post("/admin/referrals/seed", data={"csrf": token})
    await client.post("/admin/referrals/save", data={**FORM, "name_ru": "Свежая запись", "csrf": token,
                                                     "last_verified": date.today().isoformat()})  # fmt: skip
    page = (await client.get("/admin/referrals")).text
    stale = page.split('id="stale"')[1].split("</section>")[0]
    assert "[verify]" in stale and "Свежая запись" not in stale
    seeded = (await _rows(client))[0]
    await client.post("/admin/referrals/verify", data={"id": str(seeded.id), "csrf": token})
    assert (await _rows(client))[0].last_verified is not None
    assert "referral.verify" in await _actions(client)


async def test_operator_reads_the_directory_but_cannot_change_it(client) -> None:  # type: ignore[no-untyped-def]
    coord = await signed_in(client, "coord", role="coordinator")
    await client.post("/admin/referrals/save", data={**FORM, "csrf": coord})
    client.cookies.clear()
    token = await signed_in(client, "olzhas", role="operator")
    page = await client.get("/console/referrals?language=uz")
    assert page.status_code == 200 and "Istanbul boshpanasi" in page.text
    for path in ("/admin/referrals/save", "/admin/referrals/delete", "/admin/referrals/verify", "/admin/referrals/seed"):
        response = await client.post(path, data={**FORM, "id": "1", "csrf": token})
        assert response.status_code == 403, path
    assert (await client.get("/admin/referrals")).status_code == 403
    assert len(await _rows(client)) == 1


async def test_every_referral_post_needs_the_csrf_token(client) -> None:  # type: ignore[no-untyped-def]
    await signed_in(client, "coord", role="coordinator")
    for path in ("/admin/referrals/save", "/admin/referrals/delete", "/admin/referrals/verify", "/admin/referrals/seed"):
        response = await client.post(path, data={**FORM, "csrf": "forged"})
        assert response.status_code == 403, path
    assert await _rows(client) == []


async def test_case_page_offers_referrals_in_the_case_language(client) -> None:  # type: ignore[no-untyped-def]
    coord = await signed_in(client, "coord", role="coordinator")
    await client.post("/admin/referrals/save", data={**FORM, "csrf": coord})
    outcome = await person_writes(client, "где получить помощь в Стамбуле")
    assert any("Приют Стамбул" in r.text for r in outcome.replies)
    await client.post(f"/console/case/{outcome.case_alias}/take", data={"csrf": coord})
    page = await client.get(f"/console/case/{outcome.case_alias}")
    assert 'id="referral"' in page.text and "Приют Стамбул" in page.text and "/web/static/referrals.js" in page.text
