"""Coordinators change the roster through forms (no YAML); each change is validated like an import,
problems are shown in the page's language, and contacts go in encrypted and never come back out."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import yaml
from sqlalchemy import select

from app.platform.db import session_scope
from app.platform.models import Operator
from app.web.i18n import catalog
from routing import ISSUE_TEXTS
from tests.pages import make_operator, services_of, signed_in

ROOT = Path(__file__).resolve().parents[3]
LANGUAGES = ("ru", "kk", "uz", "ky", "tg", "en")


def _errors(page: str) -> str:
    return unescape(page.split('id="import-errors"', 1)[1].split("</section>", 1)[0]) if 'id="import-errors"' in page else ""


def _form_error(page: str) -> str:
    return unescape(page.split('id="form-error"', 1)[1].split("</p>", 1)[0]) if 'id="form-error"' in page else ""


async def _account(client, login: str) -> Operator:  # type: ignore[no-untyped-def]
    async with session_scope(services_of(client).sessionmaker) as session:
        found = await session.scalar(select(Operator).where(Operator.login == login))
        assert found is not None
        return found


def _oncall_now(settings, tmp_path: Path, at: str) -> str:  # type: ignore[no-untyped-def]
    """``helpline oncall now --at …`` as a coordinator runs it, against the same database."""
    env = {**os.environ, "HELPLINE_DATABASE_URL": settings.database_url, "HELPLINE_DATA_DIR": str(tmp_path),
           "HELPLINE_ENV": "development", "HELPLINE_NLU_BACKEND": "keywords"}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "app.cli", "oncall", "now", "--at", at], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


async def _shift(client, token: str, **fields: object):  # type: ignore[no-untyped-def]
    form = {"new_schedule": "hotline", "timezone": "Asia/Almaty", "login": "aigerim", "days": ["mon", "tue"],
            "start": "09:00", "end": "18:00", "csrf": token} | fields  # fmt: skip
    return await client.post("/admin/roster/shift", data=form)


async def test_coordinator_adds_an_operator_and_a_shift_through_the_forms_and_oncall_now_shows_them(  # type: ignore[no-untyped-def]
    client, settings, tmp_path: Path
) -> None:
    token = await signed_in(client, "boss", role="coordinator")
    await make_operator(client, "aigerim", languages=("ru",))
    added = await client.post("/admin/roster/operator", data={
        "login": "aigerim", "languages": ["kk", "ru"], "method": "telegram", "contact": "5550001", "csrf": token})  # fmt: skip
    assert added.status_code == 200, _errors(added.text) or _form_error(added.text)
    shift = await _shift(client, token)
    assert shift.status_code == 200, _errors(shift.text) or _form_error(shift.text)
    page = (await client.get("/admin/roster?week=2026-01-05")).text  # a Monday
    monday = page.split("2026-01-05", 1)[1].split("</tr>", 1)[0]
    assert "aigerim 09:00–18:00" in monday and "5550001" not in page
    # Monday 10:00 in Almaty (UTC+5) is 05:00 UTC: on call for Kazakh and Russian; Monday 19:00 local: nobody.
    during = await asyncio.to_thread(_oncall_now, settings, tmp_path, "2026-01-05 05:00")
    assert re.search(r"^\s+kk: aigerim$", during, re.M) and re.search(r"^\s+ru: aigerim$", during, re.M), during
    after = await asyncio.to_thread(_oncall_now, settings, tmp_path, "2026-01-05 14:00")
    assert re.search(r"^\s+kk: nobody$", after, re.M), after
    assert (await _account(client, "aigerim")).languages == ["ru", "kk"]  # the first one (their pages') stays first


async def test_a_shift_that_ends_when_it_starts_is_refused_in_kazakh_and_changes_nothing(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "boss", role="coordinator")
    await make_operator(client, "aigerim")
    await client.get("/admin/roster?lang=kk")  # the page's language is remembered
    kk = catalog("kk")
    bad = await _shift(client, token, start="09:00", end="09:00")
    assert bad.status_code == 400
    errors = _errors(bad.text)
    assert kk["roster.issue.from_equals_to"] in errors and kk["roster.form_failed"] in errors
    assert "must differ" not in errors and "line " not in errors
    no_days = _errors((await _shift(client, token, days=[])).text)
    assert kk["roster.field.days"] in no_days and kk["roster.issue.must_not_be_empty"] in no_days
    assert "must not be empty" not in no_days
    page = (await client.get("/admin/roster")).text
    assert kk["roster.no_schedules"] in page  # nothing was saved


async def test_contacts_go_in_encrypted_are_never_shown_back_and_a_bad_one_is_not_repeated(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "boss", role="coordinator")
    await make_operator(client, "dilnoza", languages=("uz",))
    bad = await client.post("/admin/roster/operator", data={"login": "dilnoza", "languages": ["uz"], "method": "sms",
                                                            "contact": "+99890 12-34", "csrf": token})  # fmt: skip
    assert bad.status_code == 400 and "12-34" not in bad.text and 'id="form-error"' in bad.text
    good = await client.post("/admin/roster/operator", data={"login": "dilnoza", "languages": ["uz", "ru"],
                                                             "method": "whatsapp", "contact": "+998901234567", "csrf": token})  # fmt: skip
    assert good.status_code == 200 and "998901234567" not in good.text
    account = await _account(client, "dilnoza")
    assert account.phone_enc and "998901234567" not in account.phone_enc
    assert "+998901234567" in (await client.get("/admin/roster/export")).text  # only the audited export carries it
    # Saving again without a contact keeps the stored one.
    again = await client.post("/admin/roster/operator", data={"login": "dilnoza", "languages": ["uz"], "csrf": token})
    assert again.status_code == 200
    account = await _account(client, "dilnoza")
    assert services_of(client).vault.decrypt(account.phone_enc, f"operator:{account.id}:phone") == "+998901234567"


async def test_escalation_steps_are_added_and_removed_through_the_form(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "boss", role="coordinator")
    await make_operator(client, "aigerim")
    await _shift(client, token)
    step = {"new_policy": "urgent", "whom": "schedule:hotline", "via": ["telegram", "console"], "wait_minutes": "2",
            "csrf": token}  # fmt: skip
    assert (await client.post("/admin/roster/step", data=step)).status_code == 200
    second = {"policy": "urgent", "whom": "coordinators", "via": ["sms"], "wait_minutes": "5", "csrf": token}
    assert (await client.post("/admin/roster/step", data=second)).status_code == 200
    policies = yaml.safe_load((await client.get("/admin/roster/export")).text)["escalation_policies"]
    assert policies == [{"name": "urgent", "default": True, "steps": [
        {"notify": {"schedule": "hotline"}, "via": ["console", "telegram"], "wait_seconds": 120},
        {"notify": {"coordinators": "all"}, "via": ["sms"], "wait_seconds": 300}]}]  # fmt: skip
    bad = await client.post("/admin/roster/step?lang=ru", data={**second, "wait_minutes": "soon"})
    assert bad.status_code == 400 and catalog("ru")["roster.form.bad_minutes"] in _form_error(bad.text)
    removed = await client.post("/admin/roster/step/remove", data={"policy": "urgent", "index": "0", "csrf": token})
    assert removed.status_code == 200
    steps = yaml.safe_load((await client.get("/admin/roster/export")).text)["escalation_policies"][0]["steps"]
    assert steps == [{"notify": {"coordinators": "all"}, "via": ["sms"], "wait_seconds": 300}]


async def test_a_step_naming_a_removed_schedule_is_reported_and_the_schedule_stays(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "boss", role="coordinator")
    await make_operator(client, "aigerim")
    await _shift(client, token)
    await client.post("/admin/roster/step", data={"new_policy": "urgent", "whom": "schedule:hotline", "via": ["console"],
                                                  "wait_minutes": "1", "csrf": token})  # fmt: skip
    refused = await client.post("/admin/roster/shift/remove?lang=uz", data={"schedule": "hotline", "index": "0", "csrf": token})
    assert refused.status_code == 400
    assert catalog("uz")["roster.issue.unknown_schedule"].format(name="'hotline'") in _errors(refused.text)
    assert "hotline" in yaml.safe_load((await client.get("/admin/roster/export")).text)["schedules"][0]["name"]


async def test_taking_an_operator_off_the_roster_ends_their_shifts_and_erases_their_contact(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "boss", role="coordinator")
    await make_operator(client, "aigerim")
    await make_operator(client, "dilnoza")
    await client.post("/admin/roster/operator", data={"login": "aigerim", "languages": ["kk"], "method": "sms",
                                                      "contact": "+77010000001", "csrf": token})  # fmt: skip
    await _shift(client, token)
    await _shift(client, token, new_schedule="", schedule="hotline", login="dilnoza", days=["wed"])
    response = await client.post("/admin/roster/operator/remove", data={"login": "aigerim", "csrf": token})
    assert response.status_code == 200, _errors(response.text)
    data = yaml.safe_load((await client.get("/admin/roster/export")).text)
    assert [layer["members"] for layer in data["schedules"][0]["layers"]] == [["dilnoza"]]
    account = await _account(client, "aigerim")
    assert account.phone_enc is None and account.phone_pseudonym is None and account.active


async def test_an_unknown_account_is_refused_and_operators_cannot_use_the_forms(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "boss", role="coordinator")
    unknown = await client.post("/admin/roster/operator", data={"login": "ghost", "languages": ["ru"], "csrf": token})
    assert unknown.status_code == 400 and catalog("ru")["roster.form.unknown_account"] != "" and 'id="form-error"' in unknown.text
    other = await signed_in(client, "olzhas", role="operator")
    for path in ("/admin/roster/operator", "/admin/roster/operator/remove", "/admin/roster/shift",
                 "/admin/roster/shift/remove", "/admin/roster/step", "/admin/roster/step/remove"):  # fmt: skip
        assert (await client.post(path, data={"login": "olzhas", "csrf": other})).status_code == 403


async def test_import_problems_are_shown_in_the_pages_language(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "boss", role="coordinator")
    text = "operators:\n  - {login: aigerim, name: A, role: operator, languages: [kk, xx]}\n"
    response = await client.post("/admin/roster/import?lang=ky", data={"text": text, "csrf": token})
    assert response.status_code == 400
    errors = _errors(response.text)
    assert "Белгисиз тил 'xx'" in errors and "unknown language" not in errors
    assert catalog("ky")["roster.line"].format(n=2) in errors


def test_every_roster_problem_has_a_text_in_every_language_with_its_values() -> None:
    for lang in LANGUAGES:
        texts = catalog(lang)
        for code, english in ISSUE_TEXTS.items():
            key = f"roster.issue.{code}"
            assert texts.get(key), f"{lang}: {key} is missing"
            assert set(re.findall(r"\{(\w+)\}", texts[key])) == set(re.findall(r"\{(\w+)\}", english)), f"{lang}: {key}"
