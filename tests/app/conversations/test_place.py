"""Places named the way people write them: inflected, in either script, Russian in Latin letters."""

from __future__ import annotations

import pytest

from app.conversations.place import Place, find_place


@pytest.mark.parametrize(("text", "place"), [
    ("я в Москве на стройке", Place("RU", "moscow")),
    ("ya v Moskve, na stroike", Place("RU", "moscow")),
    ("Мен Ресейдемін", Place("RU")),
    ("Стамбулда жұмыс істеймін", Place("TR", "istanbul")),
    ("Dubayda qamab qo'yishdi", Place("AE", "dubai")),
    ("Сеулда ишлайман", Place("KR", "seoul")),
    ("Алматыда тұрамын", Place("KZ", "almaty")),
    ("Bishkekte", Place("KG", "bishkek")),
    ("Тошкентдаман", Place("UZ", "tashkent")),
    ("Туркманистонда", Place("TM")),
    ("Санкт-Петербургда", Place("RU", "st_petersburg")),
    ("Koreyada fermada", Place("KR")),
])  # fmt: skip
def test_an_inflected_place_name_gives_its_country(text: str, place: Place) -> None:
    assert find_place(text) == place


@pytest.mark.parametrize("text", ["privet", "ошибка вышла", "помогите пожалуйста", "ok"])
def test_words_that_only_look_like_places_name_none(text: str) -> None:
    assert find_place(text) is None
