"""The acceptance figures on the held-out split (nlu/data/test), never trained on."""

from __future__ import annotations

from typing import Any

import pytest

from nlu.data_io import DATA_DIR, load_dir
from nlu.evaluate import evaluate
from nlu.model import NLUModel
from nlu.prediction import LANGUAGES


@pytest.fixture(scope="module")
def report(model: NLUModel) -> dict[str, Any]:
    return evaluate(model, load_dir(DATA_DIR / "test"))


def test_held_out_split_covers_every_intent_in_every_language() -> None:
    test = load_dir(DATA_DIR / "test")
    train = {(e.text.strip().lower(), e.language) for e in load_dir(DATA_DIR)}
    for lang in LANGUAGES:
        intents = {e.intent for e in test if e.language == lang}
        assert len(intents) == 19, lang
    leaked = [e.text for e in test if (e.text.strip().lower(), e.language) in train]
    assert len(leaked) <= 0.02 * len(test), leaked[:5]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_intent_macro_f1_is_at_least_0_90_in_each_language(
    report: dict[str, Any], lang: str
) -> None:
    assert report["per_language"][lang]["macro_f1"] >= 0.90


def test_urgent_recall_and_precision(report: dict[str, Any]) -> None:
    assert report["urgent"]["recall"] >= 0.97
    assert report["urgent"]["precision"] >= 0.80


def test_language_accuracy(report: dict[str, Any]) -> None:
    assert report["language_accuracy"] >= 0.98
