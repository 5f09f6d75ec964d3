"""Walkthroughs in a real browser: a coordinator through the roster forms in Kazakh, an operator through
the case record in Uzbek. Every message on the way is in the page's language; screenshots land in
docs/screenshots (roster-form-kk.png, case-record-uz.png). Without Chromium these skip before a server starts.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.casework.picklists import label
from app.web.i18n import catalog

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The real app under uvicorn (the workspace browser tests' server), with a coordinator and two operators.

    Started before ``browser`` (Playwright's sync API holds an event loop the server's setup cannot share),
    so it checks for Chromium itself and skips before starting anything.
    """
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from tests.app.web.test_browser import LiveServer

    server = LiveServer(tmp_path_factory.mktemp("walkthroughs"))
    server.start()
    for login, role, languages in (("coord", "coordinator", ["kk", "ru"]), ("aigerim", "operator", ["kk", "ru"]),
                                   ("dilnoza", "operator", ["uz", "ru"])):  # fmt: skip
        server.call(_account(server, login, role, languages))
    yield server
    server.stop()


async def _account(server: Any, login: str, role: str, languages: list[str]) -> None:
    from app.operators.service import upsert_operator
    from app.platform.db import session_scope

    async with session_scope(server.services.sessionmaker) as session:
        await upsert_operator(session, server.services.vault, login=login, name=login.title(), role=role,
                              languages=languages, password=PASSWORD)  # fmt: skip


def _sign_in(page: Any, live: Any, login: str, lang: str) -> None:
    page.goto(f"{live.url}/auth/login?lang={lang}")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live.url}/console")


def _shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def _add_shift(page: Any, end: str) -> None:
    form = page.locator("#add-shift form")
    form.locator("input[name=new_schedule]").fill("hotline")
    form.locator("select[name=login]").select_option("aigerim")
    form.locator("input[name=days][value=mon]").check()
    form.locator("input[name=days][value=fri]").check()
    form.locator("input[name=start]").fill("09:00")
    form.locator("input[name=end]").fill(end)
    form.locator("button.primary").click()
    page.wait_for_load_state()


def test_coordinator_adds_an_operator_and_a_shift_in_kazakh(live: Any, browser: Any) -> None:
    kk = catalog("kk")
    page = browser.new_page(viewport={"width": 360, "height": 740})
    _sign_in(page, live, "coord", "kk")
    page.goto(f"{live.url}/admin/roster?lang=kk")
    page.locator("#add-operator summary").click()
    form = page.locator("#add-operator form")
    form.locator("select[name=login]").select_option("aigerim")
    form.locator("input[name=languages][value=kk]").check()
    form.locator("select[name=method]").select_option("telegram")
    form.locator("input[name=contact]").fill("5550001")
    form.locator("button.primary").click()
    page.wait_for_load_state()
    assert page.locator("#import-changes").count() == 1
    assert "5550001" not in page.content(), "the contact is never shown back"
    _add_shift(page, end="09:00")  # ends when it starts: refused, in Kazakh
    errors = page.locator("#import-errors").inner_text()
    assert kk["roster.issue.from_equals_to"] in errors and kk["roster.form_failed"] in errors
    assert "must differ" not in errors
    _shoot(page, "roster-form-kk.png")
    _add_shift(page, end="18:00")
    assert page.locator("#import-errors").count() == 0
    week = page.locator("#schedule-hotline table.week")
    assert week.locator("[data-login=aigerim]").count() >= 1  # a Monday and a Friday in every 7 days
    assert "aigerim 09:00–18:00" in week.inner_text()
    page.close()


def test_operator_fills_the_case_record_in_uzbek(live: Any, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    _sign_in(page, live, "dilnoza", "uz")
    page.goto(f"{live.url}/console?lang=uz")
    alias = live.call(live.person_writes("Yordam bering, meni omborda qamab qo'yishdi, pasportimni olishdi", "+998901112233"))
    item = page.locator(f"#queue li[data-alias='{alias}']")
    item.wait_for(timeout=15_000)
    item.locator("button.take").click()
    page.wait_for_url(f"{live.url}/console/case/{alias}**")
    record = page.locator("#record")
    assert label("record", "uz") in record.inner_text()
    record.locator("select[name=contact_type]").select_option("Self")
    record.locator("input[name=exploitation_types][value=ForcedLabour]").check()
    record.locator("input[name=means_of_control][value=WithholdsDocuments]").check()
    record.locator("form.record-form button.primary").click()
    page.wait_for_load_state()
    saved = page.locator("#record")
    assert label("saved", "uz") in saved.inner_text()
    assert saved.locator("input[name=means_of_control][value=WithholdsDocuments]").is_checked()
    assert label("WithholdsDocuments", "uz") in saved.inner_text()
    _shoot(page, "case-record-uz.png")
    page.close()
