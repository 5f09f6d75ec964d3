"""The referral directory answers "where can I get help in <city>" in the person's language."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select

from app.conversations.service import handle_inbound
from app.platform.db import session_scope
from app.platform.models import ReferralEntry
from app.referrals.service import find_place, referrals_for, seed_referrals
from bots.messages import InboundMessage

ISTANBUL = {"ru": "Центр помощи в Стамбуле", "kk": "Ыстамбұлдағы көмек орталығы", "uz": "Istanbuldagi yordam markazi"}


def _entry(city: str, country: str, name: dict[str, str], *, verified: date | None = date(2026, 11, 1)) -> ReferralEntry:
    return ReferralEntry(kind="iom", country=country, city=city, name=name, description={"ru": "Возвращение домой"},
                         hours={}, how_to_reach={"ru": "[coordinator: add]"}, last_verified=verified, active=True)  # fmt: skip


def test_city_names_are_found_in_every_spelling_and_declension() -> None:
    assert find_place("где получить помощь в Стамбуле") == ("istanbul", "TR")
    assert find_place("Istanbulda yordam kerak") == ("istanbul", "TR")
    assert find_place("Ыстамбулда жұмыс істеймін") == ("istanbul", "TR")
    assert find_place("я в Турции") == (None, "TR")
    assert find_place("ошибка в паспорте") == (None, None)  # "Ош" only as a whole word


async def test_referrals_prefer_the_city_and_skip_unverified_and_other_cities(services) -> None:  # type: ignore[no-untyped-def]
    async with session_scope(services.sessionmaker) as session:
        session.add_all([
            _entry("istanbul", "TR", ISTANBUL), _entry("ankara", "TR", {"ru": "Анкара"}),
            _entry("istanbul", "TR", {"ru": "[verify] заготовка"}, verified=None), _entry("", "TR", {"ru": "Линия по Турции"}),
        ])  # fmt: skip
    async with session_scope(services.sessionmaker) as session:
        found = await referrals_for(session, "помогите в Стамбуле", "kk")
    assert len(found) == 2
    assert found[0].startswith(ISTANBUL["kk"]) and "Линия по Турции" in found[1]
    assert not any("Анкара" in f or "[verify]" in f for f in found)


async def test_person_asking_for_help_in_istanbul_gets_the_istanbul_entry(services) -> None:  # type: ignore[no-untyped-def]
    async with session_scope(services.sessionmaker) as session:
        session.add(_entry("istanbul", "TR", ISTANBUL))
    async with session_scope(services.sessionmaker) as session:
        outcome = await handle_inbound(session, InboundMessage(
            channel="telegram", external_id="700100201", external_message_id=uuid.uuid4().hex,
            text="где получить помощь в Стамбуле"), services.core)  # fmt: skip
    texts = [r.text for r in outcome.replies]
    assert any(ISTANBUL["ru"] in t for t in texts), texts
    assert texts[-1].startswith("Куда можно обратиться")


async def test_no_extra_message_when_no_place_is_named(services) -> None:  # type: ignore[no-untyped-def]
    async with session_scope(services.sessionmaker) as session:
        session.add(_entry("istanbul", "TR", ISTANBUL))
    async with session_scope(services.sessionmaker) as session:
        outcome = await handle_inbound(session, InboundMessage(
            channel="telegram", external_id="700100202", external_message_id=uuid.uuid4().hex,
            text="где получить помощь"), services.core)  # fmt: skip
    assert not any(ISTANBUL["ru"] in r.text for r in outcome.replies)


async def test_placeholders_load_once_and_carry_no_contact_details(services) -> None:  # type: ignore[no-untyped-def]
    async with session_scope(services.sessionmaker) as session:
        added = await seed_referrals(session)
        assert await seed_referrals(session) == 0
        rows = (await session.scalars(select(ReferralEntry))).all()
        countries = {r.country for r in rows}
    assert added == len(rows) >= 8
    assert countries == {"KZ", "UZ", "KG", "TJ", "RU", "TR", "AE", "KR"}
    assert all(r.name["ru"].startswith("[verify]") and r.last_verified is None for r in rows)
    assert all(r.how_to_reach["ru"] == "[coordinator: add]" and not any(c.isdigit() for c in r.how_to_reach["ru"]) for r in rows)
    async with session_scope(services.sessionmaker) as session:
        assert await session.scalar(select(func.count()).select_from(ReferralEntry)) == added
