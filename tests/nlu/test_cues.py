"""Urgency cues: negation, past tense and hypotheticals, without training a model."""

from __future__ import annotations

import pytest

from nlu.cues import CueMatcher
from nlu.data_io import DATA_DIR, CueFile, load_cues
from nlu.normalize import views


@pytest.fixture(scope="module")
def cues() -> CueMatcher:
    return CueMatcher(load_cues(DATA_DIR / "urgency"))


def test_a_present_confinement_cue_fires(cues: CueMatcher) -> None:
    res = cues.match(views("Помогите, нас заперли в подвале"), "ru")
    assert res.fired and "confinement" in res.categories
    assert any(r.startswith("confinement:") for r in res.active)


def test_negated_cue_does_not_fire(cues: CueMatcher) -> None:
    res = cues.match(views("меня никто не бьёт, просто не платят"), "ru")
    assert not res.fired and res.negated


def test_past_danger_does_not_fire(cues: CueMatcher) -> None:
    assert not cues.match(
        views("в прошлом году меня били, сейчас уже дома"), "ru"
    ).fired


def test_present_marker_overrides_past(cues: CueMatcher) -> None:
    assert cues.match(views("раньше били и сейчас снова бьют"), "ru").fired


def test_hypothetical_does_not_fire(cues: CueMatcher) -> None:
    assert not cues.match(views("а если меня там запрут, что делать?"), "ru").fired


def test_russian_cue_matches_russian_typed_in_latin(cues: CueMatcher) -> None:
    assert cues.match(views("pomogite nas zaperli"), "ru").fired


def test_uzbek_latin_cue_matches_uzbek_cyrillic_text(cues: CueMatcher) -> None:
    assert cues.match(views("мени қамаб қўйишди"), "uz").fired


def test_kazakh_cue_matches_kazakh_typed_without_special_letters(
    cues: CueMatcher,
) -> None:
    assert cues.match(views("мени камап койды"), "kk").fired


def test_short_cue_words_match_whole_words_only() -> None:
    m = CueMatcher([CueFile("ru", {"threat": ["sos", "сос"]}, [], [], [], [])])
    assert not m.match(views("соседка пропала"), "ru").fired
    assert m.match(views("sos"), "ru").fired


def test_a_child_alone_is_not_danger(cues: CueMatcher) -> None:
    assert not cues.match(views("хочу вернуться к детям"), "ru").fired
