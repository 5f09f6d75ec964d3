"""The acceptance figures, per language, on the test split (nlu/data/test, written with the training
data) and on the held-out sets (nlu/data/heldout, written apart from it): never trained on.

Targets (issues #11 and #15): ru/kk/uz intent macro-F1 >= 0.92, urgent recall >= 0.98 at precision
>= 0.85, language accuracy >= 0.98; ky/tg language accuracy >= 0.97, macro-F1 >= 0.88, urgent
recall >= 0.97. A language without a file in a set is skipped there; the bars are never lowered.
"""

from __future__ import annotations

from typing import Any

import pytest

from nlu.data_io import DATA_DIR, load_dir, load_training
from nlu.evaluate import evaluate
from nlu.model import NLUModel

CORE = ("ru", "kk", "uz")
NEW = ("ky", "tg")
SETS = ("test", "heldout")
TARGETS: dict[str, dict[str, float]] = {
    **{lang: {"macro_f1": 0.92, "recall": 0.98, "precision": 0.85, "language": 0.98} for lang in CORE},
    **{lang: {"macro_f1": 0.88, "recall": 0.97, "precision": 0.0, "language": 0.97} for lang in NEW},
}


@pytest.fixture(scope="module")
def reports(model: NLUModel) -> dict[str, dict[str, Any]]:
    return {name: evaluate(model, load_dir(DATA_DIR / name)) for name in SETS if load_dir(DATA_DIR / name)}


def _row(reports: dict[str, dict[str, Any]], name: str, lang: str) -> dict[str, Any]:
    if name not in reports or lang not in reports[name]["per_language"]:
        pytest.skip(f"no {name}/{lang}.yml in this checkout")
    return reports[name]["per_language"][lang]


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


@pytest.mark.parametrize("name", SETS)
def test_evaluation_sets_cover_every_intent_and_are_not_trained_on(name: str) -> None:
    examples = load_dir(DATA_DIR / name)
    if not examples:
        pytest.skip(f"no {name} set in this checkout")
    train = {(_norm(e.text), e.language) for e in load_training()}
    for lang in {e.language for e in examples} - {"unknown"}:
        intents = {e.intent for e in examples if e.language == lang}
        assert len(intents) == 19, (name, lang, 19 - len(intents))
    # "Сәлеметсіз бе" or "salom" are bound to be in both; a message of four words or more should not be
    longer = [e for e in examples if len(e.text.split()) >= 4]
    leaked = [e.text for e in longer if (_norm(e.text), e.language) in train]
    assert len(leaked) <= 0.02 * len(longer), leaked[:5]


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("lang", CORE + NEW)
def test_intent_macro_f1(reports: dict[str, dict[str, Any]], name: str, lang: str) -> None:
    assert _row(reports, name, lang)["macro_f1"] >= TARGETS[lang]["macro_f1"]


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("lang", CORE + NEW)
def test_urgent_recall_and_precision(reports: dict[str, dict[str, Any]], name: str, lang: str) -> None:
    urgent = _row(reports, name, lang)["urgent"]
    assert urgent["recall"] >= TARGETS[lang]["recall"], urgent
    assert (urgent["precision"] or 0.0) >= TARGETS[lang]["precision"], urgent


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("lang", CORE + NEW)
def test_language_accuracy(reports: dict[str, dict[str, Any]], name: str, lang: str) -> None:
    assert _row(reports, name, lang)["language_accuracy"] >= TARGETS[lang]["language"]


@pytest.mark.parametrize("name", SETS)
def test_the_safety_question_stays_rare(reports: dict[str, dict[str, Any]], name: str) -> None:
    """People must not be interrogated: at most one message in five gets "are you in danger right now?"."""
    if name not in reports:
        pytest.skip(f"no {name} set")
    assert reports[name]["ask_safety_rate"] <= 0.20


def test_unknown_languages_are_said_unknown_and_their_urgent_messages_still_alarm(
    reports: dict[str, dict[str, Any]],
) -> None:
    row = _row(reports, "heldout", "unknown")
    assert row["language_accuracy"] >= 0.90
    assert (row["urgent"]["recall"] or 1.0) >= 0.90
