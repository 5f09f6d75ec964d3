"""Every script key says, in the coordinator's language, when its text is sent."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.platform import languages as registry
from app.scripts.routes import about
from app.web.i18n import catalog
from tests.pages import signed_in

SEED = Path(__file__).resolve().parents[3] / "app" / "scripts" / "seed"


def _text_keys() -> set[str]:
    return set().union(*((yaml.safe_load(path.read_text(encoding="utf-8")).get("texts") or {}) for path in SEED.glob("*.yml")))


@pytest.mark.parametrize("lang", registry.codes())
def test_every_text_key_has_a_description_in_every_ui_language(lang: str) -> None:
    texts = catalog(lang)
    missing = sorted(key for key in _text_keys() if not texts.get(f"scripts.about.{key}"))
    assert not missing, f"{lang}: no description for {missing}"
    assert about("label.take", lang) and "KZ" in about("numbers.KZ", lang)


async def test_the_list_and_the_key_page_show_when_a_text_is_sent_in_the_pages_language(client) -> None:  # type: ignore[no-untyped-def]
    await signed_in(client, "boss", role="coordinator")
    kk = catalog("kk")
    listing = (await client.get("/admin/scripts?lang=kk")).text
    assert kk["scripts.about.greet"] in listing and kk["scripts.about.urgent_ack"] in listing
    page = (await client.get("/admin/scripts/out_of_hours")).text
    assert 'id="about"' in page and kk["scripts.about.out_of_hours"] in page and kk["scripts.when_sent"] in page


async def test_searching_by_what_a_text_is_for_finds_its_key(client) -> None:  # type: ignore[no-untyped-def]
    await signed_in(client, "boss", role="coordinator")
    found = (await client.get("/admin/scripts", params={"q": "safe word", "lang": "en"})).text
    assert "/admin/scripts/safe_word_set" in found and "/admin/scripts/sms_stopped" not in found
