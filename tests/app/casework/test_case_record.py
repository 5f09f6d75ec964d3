"""The structured case record: an operator fills it in the console, a returning person's earlier cases show it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.casework import picklists
from app.platform.db import session_scope
from app.platform.models import Case, CaseFollowUp, CaseRecord, CaseReferral, Contact, ReferralEntry
from app.privacy.service import erase_contact
from app.web.i18n import ui_languages
from tests.pages import person_writes, services_of, signed_in

PHONE = "+77015550123"
FIRST = "Помогите срочно, меня заперли на складе, паспорт забрали"
RECORD = {
    "contact_type": "Self", "gender": "Female", "age_band": "24-26", "sector": "Construction",
    "country_origin": "UZ", "country_exploitation": "RU", "exploitation_types": ["ForcedLabour"],
    "means_of_control": ["WithholdsDocuments", "RestrictsMovement"], "recruitment": ["Internet"],
    "countries_transit": ["KZ"],
}


async def _taken_case(client, text: str = FIRST, login: str = "dilnoza") -> tuple[str, str]:  # type: ignore[no-untyped-def]
    outcome = await person_writes(client, text, external_id=PHONE)
    token = await signed_in(client, login, languages=("ru", "uz"))
    await client.post(f"/console/case/{outcome.case_alias}/take", data={"csrf": token})
    return outcome.case_alias, token


async def _case(client, alias: str) -> Case:  # type: ignore[no-untyped-def]
    async with session_scope(services_of(client).sessionmaker) as session:
        case = await session.scalar(select(Case).where(Case.alias == alias))
        assert case is not None
        return case


async def test_operator_fills_the_record_and_sees_it_in_uzbek(client) -> None:  # type: ignore[no-untyped-def]
    alias, token = await _taken_case(client)
    saved = await client.post(f"/console/case/{alias}/record", data={"csrf": token, **RECORD})
    assert saved.status_code == 303 and "record=saved" in saved.headers["location"]
    case = await _case(client, alias)
    async with session_scope(services_of(client).sessionmaker) as session:
        record = await session.get(CaseRecord, case.id)
        assert record is not None and record.gender == "Female" and record.country_exploitation == "RU"
        assert record.means_of_control == ["RestrictsMovement", "WithholdsDocuments"]
    page = await client.get(f"/console/case/{alias}?lang=uz&record=saved")
    assert "Holat kartasi" in page.text and "Karta saqlandi." in page.text
    assert 'value="WithholdsDocuments" checked' in page.text and "Hujjatlari olingan" in page.text
    assert 'value="Female" selected' in page.text


async def test_a_value_outside_the_picklist_saves_nothing(client) -> None:  # type: ignore[no-untyped-def]
    alias, token = await _taken_case(client)
    bad = await client.post(f"/console/case/{alias}/record",
                            data={"csrf": token, **RECORD, "gender": "Aigerim, 23 years old"})  # fmt: skip
    assert "record=invalid" in bad.headers["location"]
    case = await _case(client, alias)
    async with session_scope(services_of(client).sessionmaker) as session:
        assert await session.get(CaseRecord, case.id) is None
    page = await client.get(bad.headers["location"].replace("?", "?lang=kk&"))
    assert "Картада тізімде жоқ мән бар." in page.text


async def test_an_operator_without_access_cannot_write_a_record(client) -> None:  # type: ignore[no-untyped-def]
    alias, _ = await _taken_case(client)
    other = await signed_in(client, "nosy", languages=("kk",))
    refused = await client.post(f"/console/case/{alias}/record", data={"csrf": other, **RECORD})
    assert refused.headers["location"].startswith("/console?error=")
    case = await _case(client, alias)
    async with session_scope(services_of(client).sessionmaker) as session:
        assert await session.get(CaseRecord, case.id) is None


async def test_the_person_writes_again_a_week_later_and_the_new_case_shows_the_earlier_one(client) -> None:  # type: ignore[no-untyped-def]
    first, token = await _taken_case(client)
    await client.post(f"/console/case/{first}/record", data={"csrf": token, **RECORD})
    await client.post(f"/console/case/{first}/close", data={"csrf": token, "outcome": "shelter", "notes": ""})
    week_ago = datetime.now(UTC) - timedelta(days=7)
    async with session_scope(services_of(client).sessionmaker) as session:
        case = await session.scalar(select(Case).where(Case.alias == first))
        case.created_at, case.closed_at = week_ago, week_ago + timedelta(hours=2)
    again = await person_writes(client, "Помогите срочно, меня снова заперли", external_id=PHONE)
    assert again.case_alias != first
    await client.post(f"/console/case/{again.case_alias}/take", data={"csrf": token})
    page = await client.get(f"/console/case/{again.case_alias}?lang=ru")
    assert "Прежние обращения этого человека" in page.text and first in page.text
    assert week_ago.strftime("%Y-%m-%d") in page.text and "Отобраны документы" in page.text
    assert FIRST not in page.text, "the earlier case's messages are not shown"
    linked = await client.post(f"/console/case/{again.case_alias}/link", data={"csrf": token, "earlier": first})
    assert "record=saved" in linked.headers["location"]
    new, old = await _case(client, again.case_alias), await _case(client, first)
    async with session_scope(services_of(client).sessionmaker) as session:
        record = await session.get(CaseRecord, new.id)
        assert record is not None and record.linked_case_id == old.id


async def test_a_case_of_another_person_cannot_be_linked(client) -> None:  # type: ignore[no-untyped-def]
    mine, token = await _taken_case(client)
    stranger = await person_writes(client, "Помогите срочно, меня заперли", external_id="+77015550999")
    refused = await client.post(f"/console/case/{mine}/link", data={"csrf": token, "earlier": stranger.case_alias})
    assert "record=invalid" in refused.headers["location"]


async def test_referral_made_and_follow_up_scheduled_are_listed(client) -> None:  # type: ignore[no-untyped-def]
    alias, token = await _taken_case(client)
    async with session_scope(services_of(client).sessionmaker) as session:
        entry = ReferralEntry(kind="shelter", country="RU", city="", name={"ru": "Приют Надежда", "uz": "Umid boshpanasi"},
                              description={}, hours={}, how_to_reach={})  # fmt: skip
        session.add(entry)
        await session.flush()
        entry_id = entry.id
    made = await client.post(f"/console/case/{alias}/referrals", data={"csrf": token, "entry": str(entry_id),
                                                                       "result": "pending"})  # fmt: skip
    assert "record=saved" in made.headers["location"]
    due = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    planned = await client.post(f"/console/case/{alias}/follow-ups", data={"csrf": token, "due_at": due})
    assert "record=saved" in planned.headers["location"]
    past = await client.post(f"/console/case/{alias}/follow-ups", data={"csrf": token, "due_at": "2020-01-01T10:00"})
    assert "record=invalid" in past.headers["location"]
    async with session_scope(services_of(client).sessionmaker) as session:
        referral = await session.scalar(select(CaseReferral))
        assert referral is not None
        referral_id = referral.id
    await client.post(f"/console/case/{alias}/referrals/{referral_id}", data={"csrf": token, "result": "accepted"})
    page = await client.get(f"/console/case/{alias}?lang=uz")
    assert "Umid boshpanasi" in page.text and 'value="accepted" selected' in page.text
    assert due.replace("T", " ") + " UTC" in page.text


async def test_erasing_the_person_erases_the_record(client) -> None:  # type: ignore[no-untyped-def]
    alias, token = await _taken_case(client)
    await client.post(f"/console/case/{alias}/record", data={"csrf": token, **RECORD})
    due = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    await client.post(f"/console/case/{alias}/follow-ups", data={"csrf": token, "due_at": due})
    services = services_of(client)
    async with session_scope(services.sessionmaker) as session:
        contact = await session.scalar(select(Contact))
        await erase_contact(session, services.vault, contact, datetime.now(UTC), final_text="", channel="sms",
                            address=PHONE)  # fmt: skip
    async with session_scope(services.sessionmaker) as session:
        assert (await session.scalars(select(CaseRecord))).all() == []
        assert (await session.scalars(select(CaseFollowUp))).all() == []


def test_every_picklist_code_has_a_label_in_every_ui_language() -> None:
    codes = {c for values in (*picklists.SINGLE.values(), *picklists.MULTI.values()) for c in values}
    codes |= {*picklists.SINGLE, *picklists.MULTI, *picklists.REFERRAL_RESULTS}
    missing = [(code, lang) for code in sorted(codes) for lang in ui_languages() if lang not in picklists.LABELS.get(code, {})]
    assert missing == []


async def test_a_re_take_keeps_the_first_human_answer_time(client) -> None:  # type: ignore[no-untyped-def]
    alias, token = await _taken_case(client)
    await client.post(f"/console/case/{alias}/reply", data={"csrf": token, "text": "Мы с вами."})
    first = (await _case(client, alias)).first_human_reply_at
    assert first is not None
    await client.post(f"/console/case/{alias}/handback", data={"csrf": token})
    async with session_scope(services_of(client).sessionmaker) as session:
        case = await session.scalar(select(Case).where(Case.alias == alias))
        case.status = "waiting"
    other = await signed_in(client, "bekzod", languages=("ru",))
    await client.post(f"/console/case/{alias}/take", data={"csrf": other})
    await client.post(f"/console/case/{alias}/reply", data={"csrf": other, "text": "Я продолжу."})
    again = await _case(client, alias)
    assert again.first_human_reply_at == first and again.taken_at is not None and again.taken_at > first


async def test_a_follow_up_comes_due_and_appears_in_the_console_until_done(client) -> None:  # type: ignore[no-untyped-def]
    alias, token = await _taken_case(client)
    due = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    await client.post(f"/console/case/{alias}/follow-ups", data={"csrf": token, "due_at": due})
    console = await client.get("/console?lang=kk")
    assert "Қайта байланыс" not in console.text, "not due yet"
    async with session_scope(services_of(client).sessionmaker) as session:
        task = await session.scalar(select(CaseFollowUp))
        task.due_at = datetime.now(UTC) - timedelta(minutes=5)  # an hour and five minutes later
        task_id = task.id
    console = await client.get("/console?lang=kk")
    assert "Қайта байланыс" in console.text and f'/console/case/{alias}#record' in console.text
    done = await client.post(f"/console/case/{alias}/follow-ups/{task_id}/done", data={"csrf": token})
    assert "record=saved" in done.headers["location"]
    assert "Қайта байланыс" not in (await client.get("/console?lang=kk")).text
