"""Operators read urgency reasons as translated category names, never the person's words."""

from __future__ import annotations

from app.oncall.alerts import reason_names
from app.understanding.reasons import stored_reason


def test_reasons_are_stored_as_codes_and_words_are_dropped() -> None:
    assert stored_reason(["заперли", "confinement", "self_harm", "confinement"]) == "confinement,self_harm"
    assert stored_reason(["бьют"]) == "model"


def test_operators_read_category_names_in_their_language() -> None:
    assert reason_names(["confinement", "self_harm"], "ru") == "заперт(а), не выпускают, угроза жизни, самоповреждение"
    assert reason_names(["violence"], "kk") == "зорлық-зомбылық"
    assert reason_names(["violence"], "uz") == "zo'ravonlik"
    assert reason_names([], "ru") == "—"


def test_every_reason_code_has_a_name_in_every_interface_language() -> None:
    """A new category (sexual_coercion, 2026-12-03) must not reach an operator as a raw key."""
    from app.understanding.reasons import REASONS
    from app.web.i18n import translate

    for lang in ("ru", "kk", "uz", "ky", "tg", "en"):
        for code in REASONS:
            name = translate(lang, f"reason.{code}")
            assert name and name != f"reason.{code}", (lang, code)
    assert reason_names(["sexual_coercion"], "ru") == "принуждают к сексу сейчас"
