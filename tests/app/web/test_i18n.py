"""Every interface string exists in every registry language, and pages pick the language the person chose."""

from __future__ import annotations

import re
from pathlib import Path

from app.web.i18n import catalog, pick_language, translate, ui_languages

TEMPLATES = Path(__file__).resolve().parents[3] / "app" / "web" / "templates"


def test_all_languages_have_the_same_strings() -> None:
    english = set(catalog("en"))
    for lang in ui_languages():
        assert set(catalog(lang)) == english, lang
        assert all(text.strip() for text in catalog(lang).values()), lang


def test_every_literal_key_in_templates_is_translated() -> None:
    used = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"\bt\('([a-z_.]+)'", path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if not k.endswith((".", "_")) and k not in catalog("en"))
    assert not missing


def test_placeholders_survive_translation() -> None:
    for lang in ui_languages():
        assert "7" in translate(lang, "console.waiting", minutes=7)
        assert "v3" in translate(lang, "scripts.rollback", v=3)


def test_language_choice_order_and_english_fallback() -> None:
    assert pick_language("uz", "kk", ["ru"], "en") == "uz"
    assert pick_language(None, "kk", ["ru"], "en") == "kk"
    assert pick_language(None, None, ["ru"], "en") == "ru"
    assert pick_language(None, None, None, "kk-KZ,ru;q=0.8") == "kk"
    assert pick_language("xx", None, None, "de-DE") == "en"
    assert translate("kk", "no.such.key") == "no.such.key"
