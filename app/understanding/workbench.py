"""The NLU workbench: coordinators' examples and urgency cues beside the package data, and one candidate model.

Coordinators' additions live in ``settings.data_dir / "nlu"`` (same Rasa and
cue-file formats as ``nlu/data``), never in the package, so a deployment
does not overwrite them. ``NLUModel.train`` reads one folder, so training
uses a *merged* folder (package data + additions) written to
``settings.data_dir / "nlu-merged"``; with no additions it is the package
folder itself, so the model file's data fingerprint still matches at start-up.

Training takes tens of seconds: it runs in a worker thread (``asyncio.to_thread``)
started from the request, and the page shows its state. Only one candidate
exists at a time; it lives in memory until activated (saved to
``settings.model_path`` and swapped into the live classifier) or discarded.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

log = logging.getLogger("helpline.nlu_admin")
CUE_LISTS = ("negation", "past", "present", "hypothetical")
MAX_EXAMPLE = 300
Table = dict[str, dict[str, list[tuple[str, bool, bool]]]]  # intent → language → [(text, urgent, added)]
Status = Literal["idle", "training", "ready", "failed"]


def package_dir() -> Path:
    from nlu.data_io import DATA_DIR

    return DATA_DIR


def train_languages(base: Path | None = None) -> tuple[str, ...]:
    """The languages the NLU has training data for (the data decides, not a list here)."""
    from nlu.data_io import training_languages

    return training_languages(base or package_dir())


class _Literal(str):
    """A string YAML writes as a ``|`` block, as Rasa files do."""


yaml.SafeDumper.add_representer(_Literal, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|"))


@dataclass
class Workbench:
    """Where the data is and what the one candidate model is doing; one per app, built with the container."""

    base_dir: Path
    extra_dir: Path
    merged_dir: Path
    tune: bool = True
    status: Status = "idle"
    task: asyncio.Task | None = None
    candidate: Any = None
    metrics: dict[str, Any] = field(default_factory=dict)  # {"current": {...} | None, "candidate": {...}}
    error: str = ""
    started_at: datetime | None = None
    started_by: str = ""

    def training_dir(self) -> Path:
        """The package data, or a merged copy: the package's training tree, the coordinators' examples as
        ``train/<lang>/coordinators.yml`` beside it, and each language's cues merged."""
        extras = [p for p in self.extra_dir.glob("*.yml")] + list((self.extra_dir / "urgency").glob("*.yml"))
        if not extras:
            return self.base_dir
        shutil.rmtree(self.merged_dir, ignore_errors=True)
        if (self.base_dir / "train").is_dir():
            shutil.copytree(self.base_dir / "train", self.merged_dir / "train")
        (self.merged_dir / "urgency").mkdir(parents=True)
        for lang in train_languages(self.base_dir):  # a flat <lang>.yml base (older layout) is copied as it is
            if (flat := self.base_dir / f"{lang}.yml").exists():
                shutil.copyfile(flat, self.merged_dir / flat.name)
        for path in self.extra_dir.glob("*.yml"):
            if blocks := _blocks(path):
                write_yaml(self.merged_dir / "train" / path.stem / "coordinators.yml", {"version": "3.1", "nlu": blocks})
        from nlu.data_io import cue_languages

        for lang in dict.fromkeys([*cue_languages(self.base_dir / "urgency"), *cue_languages(self.extra_dir / "urgency")]):
            cues = merge_cues(_read(self.base_dir / "urgency" / f"{lang}.yml"), _read(self.extra_dir / "urgency" / f"{lang}.yml"))
            if cues:
                write_yaml(self.merged_dir / "urgency" / f"{lang}.yml", cues)
        return self.merged_dir


def training_dir_for(settings: Any) -> Path:
    """What start-up trains on and checks the model file against: package data plus coordinators' additions."""
    return workbench_for(Path(settings.data_dir)).training_dir()


def workbench_for(data_dir: Path) -> Workbench:
    """The workbench of a deployment's data folder (package data as the base)."""
    return Workbench(package_dir(), data_dir / "nlu", data_dir / "nlu-merged")


def _read(path: Path) -> dict[str, Any]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}


def _blocks(path: Path) -> list[dict[str, Any]]:
    return [b for b in _read(path).get("nlu") or [] if isinstance(b, dict) and "intent" in b]


def write_yaml(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    tmp.replace(path)


def merge_cues(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Package cues plus the coordinators' (union per category and per list, package order first)."""
    if not extra:
        return base
    out = dict(base) or {"language": extra.get("language")}
    cues = {k: list(v or []) for k, v in (base.get("cues") or {}).items()}
    for cat, words in (extra.get("cues") or {}).items():
        cues[cat] = list(dict.fromkeys([*cues.get(cat, []), *(words or [])]))
    out["cues"] = cues
    for name in CUE_LISTS:
        out[name] = list(dict.fromkeys([*(base.get(name) or []), *(extra.get(name) or [])]))
    return out


def add_examples(wb: Workbench, language: str, intent: str, texts: list[str], urgent: bool) -> int:
    """Append to the coordinators' file for the language, in a block per (intent, urgent)."""
    path = wb.extra_dir / f"{language}.yml"
    doc = _read(path) or {"version": "3.1", "nlu": []}
    blocks = doc.setdefault("nlu", [])
    block = next((b for b in blocks if b.get("intent") == intent and bool((b.get("metadata") or {}).get("urgent")) == urgent), None)
    if block is None:
        block = {"intent": intent, **({"metadata": {"urgent": True}} if urgent else {}), "examples": ""}
        blocks.append(block)
    lines = [line for line in str(block.get("examples") or "").splitlines() if line.strip()]
    known = {line.strip()[1:].strip() for line in lines}
    new = [t for t in dict.fromkeys(texts) if t not in known]
    block["examples"] = _Literal("\n".join(lines + [f"- {t}" for t in new]) + "\n")
    for b in blocks:  # keep every block a literal block when written back
        b["examples"] = _Literal(str(b.get("examples") or ""))
    write_yaml(path, doc)
    return len(new)


def _measure(model: Any, test_dir: Path) -> dict[str, Any] | None:
    from nlu.evaluate import evaluate, load_examples

    if model is None or not hasattr(model, "predict_many") or not test_dir.exists():
        return None
    report = evaluate(model, load_examples(test_dir))
    return {k: report[k] for k in ("n", "accuracy", "macro_f1", "per_language", "urgent", "language_accuracy")}


def _train_and_measure(wb: Workbench, current: Any) -> tuple[Any, dict[str, Any]]:
    """In a worker thread: train on base + additions, evaluate it and the live model on the held-out split."""
    from nlu.model import NLUModel

    model = NLUModel.train(wb.training_dir(), tune=wb.tune)
    test_dir = wb.base_dir / "test"
    return model, {"candidate": _measure(model, test_dir), "current": _measure(current, test_dir)}


async def train_candidate(wb: Workbench, current: Any) -> None:
    """Train and measure in a worker thread; the outcome lands in ``wb.status`` (the live model is untouched)."""
    try:
        wb.candidate, wb.metrics = await asyncio.to_thread(_train_and_measure, wb, current)
        wb.status = "ready"
    except Exception as exc:  # any failure is shown on the page; the live model is untouched
        log.exception("candidate training failed")
        wb.status, wb.error = "failed", type(exc).__name__ + ": " + str(exc)[:300]


def cue_files(wb: Workbench) -> dict[str, dict[str, Any]]:
    """language → {"base": package cue file, "extra": coordinators' additions}."""
    return {lang: {"base": _read(wb.base_dir / "urgency" / f"{lang}.yml"), "extra": _read(wb.extra_dir / "urgency" / f"{lang}.yml")}
            for lang in train_languages(wb.base_dir)}  # fmt: skip


@cache
def _package_examples(base: Path) -> tuple[tuple[str, str, str, bool], ...]:
    from nlu.data_io import load_training

    return tuple((e.intent, e.language, e.text, e.urgent) for e in load_training(base))


def examples_table(wb: Workbench) -> Table:
    """Package examples (read once: they change only with a deployment) and the coordinators' file, marked."""
    from nlu.data_io import load_dir

    table: Table = defaultdict(lambda: defaultdict(list))
    for intent, lang, text, urgent in _package_examples(wb.base_dir):
        table[intent][lang].append((text, urgent, False))
    for example in load_dir(wb.extra_dir, train_languages(wb.base_dir)) if wb.extra_dir.exists() else []:
        table[example.intent][example.language].append((example.text, example.urgent, True))
    return {intent: dict(by_lang) for intent, by_lang in table.items()}
