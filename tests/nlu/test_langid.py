"""Language id on what the training data lacks: a language typed in Latin by people whose Latin
spelling hardly any training example shows."""

from __future__ import annotations

import pytest

from nlu.data_io import load_training
from nlu.langid import LanguageIdentifier
from nlu.normalize import views


@pytest.fixture(scope="module")
def few_latin_ru_kk() -> LanguageIdentifier:
    """Russian and Kazakh from 300 Cyrillic and 15 Latin messages each; Uzbek from 300 Latin ones."""
    per: dict[str, list[str]] = {"ru": [], "kk": [], "uz": []}
    latin = {"ru": 0, "kk": 0}
    for e in load_training(languages=("ru", "kk", "uz")):
        doc = views(e.text)
        if (e.language == "uz") == (doc.script == "latn"):
            if len(per[e.language]) < 300:
                per[e.language].append(e.text)
        elif e.language != "uz" and latin[e.language] < 15 and e.style != "latin":
            latin[e.language] += 1
            per[e.language].append(e.text)
    texts = [t for lang in per for t in per[lang]]
    langs = [lang for lang in per for _ in per[lang]]
    return LanguageIdentifier().fit([views(t) for t in texts], langs, ("ru", "kk", "uz"))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("zdravstvujte, u menya zabrali pasport i ne otdayut", "ru"),
        ("pomogite pozhalujsta, ne platyat zarplatu uzhe tri mesyatsa", "ru"),
        ("jumys berushi pasportymdy alyp qoidy, bermeidi", "kk"),
    ],
)
def test_latin_typing_of_a_language_seen_mostly_in_cyrillic_is_still_that_language(
    few_latin_ru_kk: LanguageIdentifier, text: str, lang: str
) -> None:
    assert few_latin_ru_kk.predict(views(text))[0] == lang


def test_few_messages_in_a_script_weigh_little_as_letter_evidence(few_latin_ru_kk: LanguageIdentifier) -> None:
    """15 Latin Russian messages: the Latin letters they lack say little against Russian, while Uzbek,
    with hundreds of Latin messages, keeps its letter evidence."""
    lid = few_latin_ru_kk
    w = dict(zip(lid.languages, lid.letter_weight[1]))
    assert w["ru"] < 0.2 and w["uz"] > 0.7
