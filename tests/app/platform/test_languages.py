"""The language registry: one file, read on demand; a malformed one stops the app with a clear reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.platform import languages as registry


def test_the_registry_lists_kyrgyz_and_tajik_with_their_countries_keys_and_russian_fallback() -> None:
    assert registry.codes()[:5] == ("ru", "kk", "uz", "ky", "tg")
    assert registry.names()["ky"] == "Кыргызча" and registry.names()["tg"] == "Тоҷикӣ"
    assert (registry.home_country("ky"), registry.home_country("tg")) == ("KG", "TJ")
    assert registry.fallback_chain("ky") == ("ky", "ru", "en") and registry.fallback_chain("ru") == ("ru", "en")
    assert registry.fallback_chain("xx") == ("en", "ru")
    assert registry.voice_menu() == {"1": "ru", "2": "kk", "3": "uz", "4": "ky", "5": "tg"}
    assert registry.get("tg") is not None and registry.get("tg").tts is None  # recorded prompts, keypad menus


def test_a_test_can_point_the_registry_at_another_file(tmp_path: Path) -> None:
    path = tmp_path / "languages.yml"
    path.write_text("languages:\n  - {code: ru, name: Русский}\n  - {code: xq, name: Kvese, fallback: ru, direction: rtl}\n")
    with registry.use(path):
        assert registry.codes() == ("ru", "xq") and registry.is_supported("xq") and not registry.is_supported("ky")
        assert registry.get("xq").direction == "rtl" and registry.fallback_chain("xq") == ("xq", "ru", "en")
    assert registry.is_supported("ky") and not registry.is_supported("xq")


@pytest.mark.parametrize(("body", "reason"), [
    ("  - {code: Kyrgyz, name: Кыргызча}", "needs a code"),
    ("  - {code: ky}", "needs a code"),
    ("  - {code: ky, name: Кыргызча}\n  - {code: ky, name: Кыргызча}", "listed twice"),
    ("  - {code: ky, name: Кыргызча, fallback: kk}", "fallback kk is not in the registry"),
    ("  - {code: ky, name: Кыргызча, direction: up}", "ltr or rtl"),
    ("  - {code: ky, name: Кыргызча, voice_digit: '0'}", "0 is the operator"),
])  # fmt: skip
def test_a_malformed_registry_is_refused_with_its_reason(tmp_path: Path, body: str, reason: str) -> None:
    path = tmp_path / "languages.yml"
    path.write_text("languages:\n" + body + "\n", encoding="utf-8")
    with registry.use(path), pytest.raises(registry.RegistryError, match=reason):
        registry.codes()
