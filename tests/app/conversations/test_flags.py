"""Red flags of a job offer, in the words people use, and the questions that stay open once they are told."""

from __future__ import annotations

import pytest

from app.conversations.flags import find_flags, open_questions


@pytest.mark.parametrize(("text", "flags"), [
    ("агент сказал отдать ему паспорт заранее чтобы он сделал визу", ["passport"]),
    ("но сначала надо заплатить 900$ за оформление документов", ["fee"]),
    ("обещают 3000 долларов в месяц, опыт не нужен", ["high_salary"]),
    ("договор не дают, говорят на месте всё оформим", ["no_contract"]),
    ("поедем по туристической визе а там переоформят", ["tourist_visa"]),
    ("девушка нашла меня в инстаграме", ["social_media_recruiter"]),
    ("билет оплатит фирма, потом с зарплаты вычтут долг", ["debt"]),
    ("сказал никому не рассказывать даже маме", ["secrecy"]),
    ("bilet oni oplatyat a potom s zarplaty vichtut, dogovora net", ["no_contract", "debt"]),
    ("шартнома йўқ. ҳеч кимга айтма дейишди", ["no_contract", "secrecy"]),
    ("Telegram kanaldan Turkiyaga enaga ishi topdim, oyiga 2000 evro, vizaga 300 dollar tashlash kerak",
     ["fee", "social_media_recruiter", "high_salary"]),
    ("Стамбулда үй жинаушы. Билетті фирма алады, кейін айлығыңнан ұстап қаламыз дейді", ["debt"]),
    ("келісімшарт жоқ, барған соң жасаймыз дейді", ["no_contract"]),
])  # fmt: skip
def test_flags_are_recognised_as_people_write_them(text: str, flags: list[str]) -> None:
    assert find_flags(text) == flags


@pytest.mark.parametrize("text", ["мне не платят зарплату 3 месяца", "паспорт у меня, всё нормально", "privet"])
def test_ordinary_words_raise_no_flag(text: str) -> None:
    assert find_flags(text) == []


def test_what_was_told_is_not_asked_again() -> None:
    assert open_questions(["passport", "fee"], country_known=True) == ["contract"]
    assert open_questions([], country_known=False) == ["country", "contract", "passport", "fee"]
