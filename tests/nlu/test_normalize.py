"""Normalisation: the views every detector relies on."""

from __future__ import annotations

import pytest

from nlu.normalize import MAX_CHARS, clean, normalize, views
from nlu.translit import kk_fold, ru_lat_to_cyr, uz_cyr_to_lat, uz_lat_to_cyr


@pytest.mark.parametrize("apostrophe", ["'", "`", "ʻ", "‘", "ʼ", "’", "´"])
def test_every_uzbek_apostrophe_variant_is_unified(apostrophe: str) -> None:
    assert (
        normalize(f"O{apostrophe}zbekiston g{apostrophe}alaba") == "o'zbekiston g'alaba"
    )


def test_uzbek_cyrillic_and_latin_share_the_latin_view() -> None:
    assert (
        views("Паспортимни олиб қўйишди").lat == views("pasportimni olib qo‘yishdi").lat
    )


def test_uzbek_latin_to_cyrillic_and_back() -> None:
    assert uz_lat_to_cyr("o'g'il shahar") == "ўғил шаҳар"
    assert uz_cyr_to_lat("ўғил шаҳар") == "o'g'il shahar"
    assert uz_cyr_to_lat("ер") == "yer"


def test_russian_typed_in_latin_gets_a_cyrillic_view() -> None:
    assert (
        ru_lat_to_cyr("pomogite u menya zabrali pasport")
        == "помогите у меня забрали паспорт"
    )
    assert views("Menya zaperli, moy pasport u nih").cyr.startswith(
        "меня заперли мой паспорт"
    )


def test_kazakh_letters_fold_to_plain_cyrillic() -> None:
    assert kk_fold("әғқңөұүһі") == "агкноуухи"
    assert views("Қамап қойды").cyr == views("камап койды").cyr


def test_repeated_letters_are_squeezed_but_double_letters_kept() -> None:
    assert normalize("Помогиииите!!!") == "помогите"
    assert normalize("касса") == "касса"


def test_emojis_are_stripped_or_mapped() -> None:
    assert normalize("😀😀😀") == ""
    assert "sos" in normalize("🆘 помогите")


def test_long_input_is_bounded() -> None:
    assert len(clean("а" * 3 + " слово" * 10_000)) <= MAX_CHARS


def test_script_is_read_from_the_letters() -> None:
    assert views("привет").script == "cyrl"
    assert views("salom").script == "latn"
