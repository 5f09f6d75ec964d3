"""The door's triage: the live model's danger cues, cheap, in every language; it only orders the queue."""

from __future__ import annotations

from pathlib import Path

from app.understanding.gateway import EmbeddedClassifier, KeywordClassifier, LiveClassifier, door_triage


def test_danger_cues_in_each_language_put_a_message_first_and_ordinary_questions_do_not(nlu_model_path: Path) -> None:
    import nlu

    triage = door_triage(LiveClassifier(EmbeddedClassifier(nlu.load_or_train(nlu_model_path))))
    for urgent in ("нас заперли, помогите срочно", "meni qamab qo'yishdi yordam bering", "бізді қамап қойды, көмектесіңдер"):
        assert triage(urgent), urgent
    for ordinary in ("Здравствуйте", "Как сделать патент?", "salom", "подскажите адрес консульства"):
        assert not triage(ordinary), ordinary


def test_with_the_keyword_stand_in_the_door_uses_its_emergency_words() -> None:
    triage = door_triage(LiveClassifier(KeywordClassifier()))
    assert triage("Нас ЗАПЕРЛИ") and not triage("привет")


def test_odd_input_never_fails_the_door(nlu_model_path: Path) -> None:
    import nlu

    triage = door_triage(LiveClassifier(EmbeddedClassifier(nlu.load_or_train(nlu_model_path))))
    assert triage("\x00" * 10_000) is False and triage("") is False
