"""Coordinators and operators read names, not codes: cities, cue categories and lists, roles, whom a step alerts."""

from __future__ import annotations

from html import unescape

import pytest

from app.platform import languages as registry
from app.referrals.service import places
from app.web.i18n import catalog
from tests.pages import signed_in

CUE_LISTS = ("negation", "past", "present", "hypothetical")


@pytest.mark.parametrize("lang", registry.codes())
def test_every_city_and_cue_list_has_a_name_in_every_language(lang: str) -> None:
    texts = catalog(lang)
    assert not [c for c in places() if not texts.get(f"city.{c}")], lang
    assert not [n for n in CUE_LISTS if not texts.get(f"nlu.cue_list.{n}")], lang


async def test_referral_pages_name_the_city_in_the_pages_language(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "coord", role="coordinator")
    form = {"kind": "shelter", "country": "KZ", "city": "almaty", "active": "1", "name_ru": "Приют", "csrf": token}
    assert (await client.post("/admin/referrals/save", data=form)).status_code == 303
    listing = unescape((await client.get("/admin/referrals?lang=uz")).text)
    assert "Olmaota" in listing and ">almaty<" not in listing
    assert "Olmaota" in unescape((await client.get("/admin/referrals/edit")).text)


async def test_cue_page_names_categories_and_lists(client) -> None:  # type: ignore[no-untyped-def]
    await signed_in(client, "coord", role="coordinator")
    page = unescape((await client.get("/admin/nlu/cues?language=ru&lang=kk")).text)
    kk = catalog("kk")
    assert kk["reason.confinement"] in page and kk["nlu.cue_list.negation"] in page


async def test_roster_page_names_roles_channels_and_whom_a_step_alerts(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "boss", role="coordinator")
    await client.post("/admin/roster/step", data={"new_policy": "urgent", "whom": "coordinators", "via": ["voice"],
                                                  "wait_minutes": "3", "csrf": token})  # fmt: skip
    page = unescape((await client.get("/admin/roster?lang=ru")).text)
    ru = catalog("ru")
    policy = page.split('id="policy-urgent"', 1)[1].split("</section>", 1)[0]
    assert ru["roster.whom_coordinators"] in policy and ru["roster.channel.voice"] in policy
    assert ru["roster.wait_minutes"].format(m=3) in policy
    assert ru["role.coordinator"] in page.split('id="operators"', 1)[1].split("</table>", 1)[0]
