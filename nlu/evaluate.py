"""Held-out evaluation: the figures the acceptance criteria and the app's report use."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from nlu.data_io import Example, load_dir, load_jsonl, load_yaml_file
from nlu.prediction import INTENTS, Prediction


class _Predictor(Protocol):
    def predict_many(self, texts: Iterable[str]) -> list[Prediction]: ...


def _macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    labels = sorted(set(gold) | set(pred))
    scores = []
    for lab in labels:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred))
        fp = sum(g != lab and p == lab for g, p in zip(gold, pred))
        fn = sum(g == lab and p != lab for g, p in zip(gold, pred))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores) if scores else 0.0


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def evaluate(model: _Predictor, examples: Sequence[Example]) -> dict[str, Any]:
    """Per-language accuracy and macro-F1, confusion matrix, urgent recall/precision, language accuracy."""
    preds = model.predict_many([e.text for e in examples])
    gold = [e.intent for e in examples]
    got = [p.intent for p in preds]
    labels = [i for i in INTENTS if i in set(gold) | set(got)] + sorted(
        (set(gold) | set(got)) - set(INTENTS)
    )
    confusion = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, got):
        confusion[g][p] += 1
    per_language: dict[str, dict[str, Any]] = {}
    for lang in sorted({e.language for e in examples if e.language}):
        idx = [i for i, e in enumerate(examples) if e.language == lang]
        per_language[lang] = {
            "n": len(idx),
            "accuracy": _ratio(sum(gold[i] == got[i] for i in idx), len(idx)),
            "macro_f1": round(
                _macro_f1([gold[i] for i in idx], [got[i] for i in idx]), 4
            ),
            "language_accuracy": _ratio(
                sum(preds[i].language == lang for i in idx), len(idx)
            ),
        }
    tp = sum(e.urgent and p.urgent for e, p in zip(examples, preds))
    fn = sum(e.urgent and not p.urgent for e, p in zip(examples, preds))
    fp = sum(not e.urgent and p.urgent for e, p in zip(examples, preds))
    with_lang = [(e, p) for e, p in zip(examples, preds) if e.language]
    return {
        "n": len(examples),
        "accuracy": _ratio(sum(g == p for g, p in zip(gold, got)), len(gold)),
        "macro_f1": round(_macro_f1(gold, got), 4),
        "per_language": per_language,
        "urgent": {
            "recall": _ratio(tp, tp + fn),
            "precision": _ratio(tp, tp + fp),
            "tp": tp,
            "fn": fn,
            "fp": fp,
        },
        "language_accuracy": _ratio(
            sum(e.language == p.language for e, p in with_lang), len(with_lang)
        ),
        "labels": labels,
        "confusion": confusion,
    }


def load_examples(path: Path) -> list[Example]:
    """Labelled examples from JSON lines, a Rasa YAML test file, or a folder of them."""
    path = Path(path)
    if path.is_dir():
        return load_dir(path)
    if path.suffix in (".yml", ".yaml"):
        return load_yaml_file(path)
    return load_jsonl(path.read_text(encoding="utf-8").splitlines())
