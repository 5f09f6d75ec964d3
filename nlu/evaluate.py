"""Evaluation: the figures the acceptance criteria and the app's report use.

Per language: intent macro-F1, urgent recall/precision, language accuracy and the share of messages
that would get the "are you in danger right now?" question — on the test split (written with the
training data), on the held-out sets (written apart from it) and leave-one-style-out (train without
one style, test on it), so the figures say how the model generalises, not how it remembers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from nlu.data_io import DATA_DIR, EVALUATION_SETS, UNKNOWN, Example, load_dir, load_jsonl, load_training, load_yaml_file
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


def _urgent(examples: Sequence[Example], preds: Sequence[Prediction]) -> dict[str, Any]:
    tp = sum(e.urgent and p.urgent for e, p in zip(examples, preds))
    fn = sum(e.urgent and not p.urgent for e, p in zip(examples, preds))
    fp = sum(not e.urgent and p.urgent for e, p in zip(examples, preds))
    return {"recall": _ratio(tp, tp + fn), "precision": _ratio(tp, tp + fp), "tp": tp, "fn": fn, "fp": fp}


def _group(examples: Sequence[Example], preds: Sequence[Prediction]) -> dict[str, Any]:
    gold = [e.intent for e in examples]
    got = [p.intent for p in preds]
    n = len(examples)
    third = [i for i, e in enumerate(examples) if e.third_party]
    return {
        "n": n,
        "accuracy": _ratio(sum(g == p for g, p in zip(gold, got)), n),
        "macro_f1": round(_macro_f1(gold, got), 4),
        "language_accuracy": _ratio(sum(p.language == e.language for e, p in zip(examples, preds)), n),
        "urgent": _urgent(examples, preds),
        "ask_safety_rate": _ratio(sum(p.ask_safety for p in preds), n),
        # urgent messages that reach a human at once or get the safety question (the conversation's net)
        "urgent_caught": _ratio(sum(e.urgent and (p.urgent or p.ask_safety) for e, p in zip(examples, preds)),
                                sum(e.urgent for e in examples)),  # fmt: skip
        "grey_rate": _ratio(sum(p.urgency_band == "grey" for p in preds), n),
        "unknown_rate": _ratio(sum(p.language == UNKNOWN for p in preds), n),
        "third_party_recall": _ratio(sum(preds[i].third_party for i in third), len(third)),
        "third_party_false": _ratio(
            sum(p.third_party and not e.third_party for e, p in zip(examples, preds)), n - len(third)
        ),
    }


def evaluate(model: _Predictor, examples: Sequence[Example]) -> dict[str, Any]:
    """Overall and per-language figures, confusion matrix, misses."""
    preds = model.predict_many([e.text for e in examples])
    gold = [e.intent for e in examples]
    got = [p.intent for p in preds]
    labels = [i for i in INTENTS if i in set(gold) | set(got)] + sorted((set(gold) | set(got)) - set(INTENTS))
    confusion = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, got):
        confusion[g][p] += 1
    per_language: dict[str, dict[str, Any]] = {}
    for lang in sorted({e.language for e in examples if e.language}):
        idx = [i for i, e in enumerate(examples) if e.language == lang]
        per_language[lang] = _group([examples[i] for i in idx], [preds[i] for i in idx])
    with_lang = [(e, p) for e, p in zip(examples, preds) if e.language]
    overall = _group(examples, preds)
    misses = [
        {"text": e.text[:200], "language": e.language, "style": e.style, "intent": e.intent, "got": p.intent,
         "score": round(p.urgent_score, 3)}
        for e, p in zip(examples, preds) if e.urgent and not p.urgent
    ]  # fmt: skip
    return {
        **overall,
        "language_accuracy": _ratio(sum(e.language == p.language for e, p in with_lang), len(with_lang)),
        "per_language": per_language,
        "labels": labels,
        "confusion": confusion,
        "urgent_misses": misses,
    }


def load_examples(path: Path) -> list[Example]:
    """Labelled examples from JSON lines, a Rasa YAML test file, or a folder of them."""
    path = Path(path)
    if path.is_dir():
        return load_dir(path)
    if path.suffix in (".yml", ".yaml"):
        return load_yaml_file(path)
    return load_jsonl(path.read_text(encoding="utf-8").splitlines())


#: Styles that are one way of writing under two names (the data was written in several rounds): leaving
#: one out leaves out its family, or the model would still train on the same kind of message.
STYLE_FAMILIES: dict[str, str] = {"translit": "latin", "story": "stories", "no_apostrophes": "no_letters"}


def style_family(style: str) -> str:
    return STYLE_FAMILIES.get(style, style)


def leave_one_style_out(
    data_dir: Path | None = None,
    styles: Sequence[str] | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, dict[str, Any]]:
    """For each style: train without it (every language), evaluate on it. Slow: one training per style."""
    from nlu.model import NLUModel

    data_dir = Path(data_dir) if data_dir else DATA_DIR
    examples = load_training(data_dir)
    found = sorted({style_family(e.style) for e in examples})
    out: dict[str, dict[str, Any]] = {}
    for style in styles or found:
        held = [e for e in examples if style_family(e.style) == style]
        if not held or len(held) == len(examples):
            continue
        progress(f"leave-one-style-out: {style} ({len(held)} examples)")
        model = NLUModel.train(data_dir, exclude=lambda e, s=style: style_family(e.style) == s)  # type: ignore[misc]
        report = evaluate(model, held)
        out[style] = {k: report[k] for k in ("n", "macro_f1", "language_accuracy", "urgent", "ask_safety_rate",
                                            "per_language")}  # fmt: skip
    return out


#: The evaluation sets under data/, in report order (each only if present).
SETS = EVALUATION_SETS


def report(model: _Predictor, data_dir: Path | None = None, loso: bool = False,
           progress: Callable[[str], None] = lambda _: None,
           styles: Sequence[str] | None = None) -> dict[str, Any]:  # fmt: skip
    """The full picture: test split and each held-out set apart, and optionally leave-one-style-out."""
    data_dir = Path(data_dir) if data_dir else DATA_DIR
    out: dict[str, Any] = {}
    for name in SETS:
        if not (data_dir / name).is_dir():
            continue
        examples = load_dir(data_dir / name)
        if examples:
            out[name] = evaluate(model, examples)
    if loso:
        out["leave_one_style_out"] = leave_one_style_out(data_dir, styles=styles, progress=progress)
    return out
