"""Every language in the registry has every text a person, operator or coordinator reads.

Adding a language is data: the registry line, NLU data, bot texts, UI strings and alert texts.
These tests fail while any of them lacks a string, names a placeholder, or drops a {value}.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import nlu
from app.platform import languages as registry
from app.referrals.service import text_languages

APP = Path(__file__).resolve().parents[2] / "app"
SEED = APP / "scripts" / "seed"
UI = APP / "web" / "i18n"
ALERTS = APP / "oncall" / "alert_texts"
LANGUAGES = registry.codes()
# What a person reads must never carry an unfinished marker for coordinators.
PLACEHOLDER = re.compile(r"\[|coordinator|координатор|үйлестіруші|koordinator", re.IGNORECASE)


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _bot_texts(lang: str) -> dict[str, str]:
    """(key/variant, label.key, numbers.COUNTRY) → text of one seed file."""
    data = _yaml(SEED / f"{lang}.yml")
    out = {f"{key}/{variant}": str(text) for key, variants in (data.get("texts") or {}).items()
           for variant, text in (variants or {}).items()}  # fmt: skip
    out |= {f"label.{key}": str(text) for key, text in (data.get("labels") or {}).items()}
    for country, spec in (data.get("emergency_numbers") or {}).items():
        out[f"numbers.{country}"] = str(spec["text"] if isinstance(spec, dict) else spec)
    return out


def _fields(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def _everyone(read) -> set[str]:  # type: ignore[no-untyped-def]
    return set().union(*(read(lang) for lang in LANGUAGES))


def test_every_registry_language_has_bot_texts_ui_strings_and_alert_texts() -> None:
    for lang in LANGUAGES:
        for folder in (SEED, UI, ALERTS):
            assert (folder / f"{lang}.yml").exists(), f"{folder.name}/{lang}.yml is missing"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_bot_text_exists_in_the_language_with_its_values(lang: str) -> None:
    texts, reference = _bot_texts(lang), _bot_texts("ru")
    missing = sorted(_everyone(lambda x: set(_bot_texts(x))) - set(texts))
    assert not missing, f"{lang} lacks {missing}"
    assert all(text.strip() for text in texts.values())
    changed = [k for k, text in texts.items() if k in reference and _fields(text) != _fields(reference[k])]
    assert not changed, f"{lang} drops or adds a {{value}} in {changed}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_ui_string_and_alert_text_exists_in_the_language(lang: str) -> None:
    for folder in (UI, ALERTS):
        strings = {str(k): str(v) for k, v in _yaml(folder / f"{lang}.yml").items()}
        missing = sorted(_everyone(lambda x, f=folder: set(_yaml(f / f"{x}.yml"))) - set(strings))
        assert not missing, f"{folder.name}/{lang}.yml lacks {missing}"
        english = {str(k): str(v) for k, v in _yaml(folder / "en.yml").items()}
        changed = [k for k, v in strings.items() if _fields(v) != _fields(english.get(k, v))]
        assert not changed, f"{folder.name}/{lang}.yml changes the {{values}} of {changed}"


@pytest.mark.parametrize("lang", ["ky", "tg"])
def test_kyrgyz_and_tajik_bot_texts_carry_no_placeholders(lang: str) -> None:
    assert not [k for k, text in _bot_texts(lang).items() if PLACEHOLDER.search(text)]


def test_kyrgyz_and_tajik_emergency_numbers_are_real_in_every_language() -> None:
    for lang in LANGUAGES:
        texts = _bot_texts(lang)
        for country in ("KG", "TJ"):
            text = texts[f"numbers.{country}"]
            assert not PLACEHOLDER.search(text) and all(n in text for n in ("112", "102", "103")), (lang, country)


def test_every_language_says_when_someone_is_back_in_its_own_words() -> None:
    for lang in LANGUAGES:
        words = _yaml(SEED / f"{lang}.yml").get("when") or {}
        assert {"today", "tomorrow", "day", "date"} <= set(words), lang
        assert len(words.get("days") or ()) == 7 and len(words.get("months") or ()) == 12, lang


def test_each_home_country_has_its_emergency_numbers_in_every_language() -> None:
    countries = {x.country for x in registry.registry() if x.country}
    for lang in LANGUAGES:
        assert {f"numbers.{c}" for c in countries} <= set(_bot_texts(lang)), lang


def test_every_language_the_nlu_understands_is_in_the_registry() -> None:
    assert set(nlu.LANGUAGES) <= set(LANGUAGES)
    assert {"ky", "tg"} <= set(text_languages())


def test_the_phone_menu_names_every_key_in_every_language() -> None:
    digits = registry.voice_menu()
    assert digits["4"] == "ky" and digits["5"] == "tg"
    for lang in LANGUAGES:
        spoken = _bot_texts(lang)["choose_language/voice"]
        assert all(d in spoken for d in digits), lang


def test_referral_entries_are_written_in_every_language_people_write_in() -> None:
    for entry in _yaml(APP / "referrals" / "seed.yml")["entries"]:
        for field in ("name", "description"):
            assert set(text_languages()) <= set(entry[field]), (entry["name"]["ru"], field)
