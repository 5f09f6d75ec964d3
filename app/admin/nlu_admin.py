"""Coordinators teach the NLU: add examples and urgency cues, retrain a candidate, compare, activate or discard.

Coordinators' additions live in ``settings.data_dir / "nlu"`` (same Rasa and
cue-file formats as ``nlu/data``), never in the package, so a deployment
does not overwrite them. ``NLUModel.train`` reads one folder, so training
uses a *merged* folder (package data + additions) written to
``settings.data_dir / "nlu-merged"``; with no additions it is the package
folder itself, so the model file's data fingerprint still matches at start-up.

Training takes tens of seconds: it runs in a worker thread (``asyncio.to_thread``)
started from the request, and the page shows its state. Only one candidate
exists at a time; it lives in memory until activated (saved to
``settings.model_path`` and swapped into ``services.classifier``) or discarded.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Coordinator, verify_csrf
from app.deps import ServicesDep, SessionDep
from app.privacy import audit
from app.services import Services
from app.web.templating import render

log = logging.getLogger("helpline.nlu_admin")
router = APIRouter(prefix="/admin/nlu", dependencies=[Depends(verify_csrf)], include_in_schema=False)
FormStr = Annotated[str, Form()]
TRAIN_LANGS = ("ru", "kk", "uz")
CUE_LISTS = ("negation", "past", "present", "hypothetical")
MAX_EXAMPLE = 300


class _Literal(str):
    """A string YAML writes as a ``|`` block, as Rasa files do."""


yaml.SafeDumper.add_representer(_Literal, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|"))


def package_dir() -> Path:
    from nlu.data_io import DATA_DIR

    return DATA_DIR


@dataclass
class Workbench:
    """Where the data is and what the one candidate model is doing; kept in ``services.extras``."""

    base_dir: Path
    extra_dir: Path
    merged_dir: Path
    tune: bool = True
    status: str = "idle"  # idle / training / ready / failed
    task: asyncio.Task | None = None
    candidate: Any = None
    metrics: dict[str, Any] = field(default_factory=dict)  # {"current": {...} | None, "candidate": {...}}
    error: str = ""
    started_at: datetime | None = None
    started_by: str = ""

    def training_dir(self) -> Path:
        """The package data, or a merged copy with the coordinators' additions appended."""
        extras = [p for p in self.extra_dir.glob("*.yml")] + list((self.extra_dir / "urgency").glob("*.yml"))
        if not extras:
            return self.base_dir
        shutil.rmtree(self.merged_dir, ignore_errors=True)
        (self.merged_dir / "urgency").mkdir(parents=True)
        for lang in TRAIN_LANGS:
            blocks = _blocks(self.base_dir / f"{lang}.yml") + _blocks(self.extra_dir / f"{lang}.yml")
            if blocks:
                _write_yaml(self.merged_dir / f"{lang}.yml", {"version": "3.1", "nlu": blocks})
            cues = merge_cues(_read(self.base_dir / "urgency" / f"{lang}.yml"), _read(self.extra_dir / "urgency" / f"{lang}.yml"))
            if cues:
                _write_yaml(self.merged_dir / "urgency" / f"{lang}.yml", cues)
        return self.merged_dir


def workbench(services: Services) -> Workbench:
    wb = services.extras.get("nlu_workbench")
    if wb is None:
        data = services.settings.data_dir
        wb = services.extras["nlu_workbench"] = Workbench(package_dir(), data / "nlu", data / "nlu-merged")
    return wb


def training_dir_for(settings: Any) -> Path:
    """What start-up should train on / check the model file against (package + coordinators' additions).

    ``app.nlu_gateway.build_classifier`` should call ``nlu.load_or_train(settings.model_path,
    training_dir_for(settings))``; until it does, a restart retrains an activated model on package data only.
    """
    data = Path(settings.data_dir)
    return Workbench(package_dir(), data / "nlu", data / "nlu-merged").training_dir()


def _read(path: Path) -> dict[str, Any]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}


def _blocks(path: Path) -> list[dict[str, Any]]:
    return [b for b in _read(path).get("nlu") or [] if isinstance(b, dict) and "intent" in b]


def _write_yaml(path: Path, data: dict[str, Any]) -> None:
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
    _write_yaml(path, doc)
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


async def _run(wb: Workbench, current: Any) -> None:
    try:
        wb.candidate, wb.metrics = await asyncio.to_thread(_train_and_measure, wb, current)
        wb.status = "ready"
    except Exception as exc:  # any failure is shown on the page; the live model is untouched
        log.exception("candidate training failed")
        wb.status, wb.error = "failed", type(exc).__name__ + ": " + str(exc)[:300]


def _live_model(services: Services) -> Any:
    return getattr(services.classifier, "model", None) or getattr(services.classifier, "fallback_model", None)


@router.post("/examples")
async def nlu_add_examples(operator: Coordinator, session: SessionDep, services: ServicesDep, intent: FormStr = "",
                           language: FormStr = "", examples: FormStr = "", urgent: FormStr = "") -> Response:  # fmt: skip
    from nlu.prediction import INTENTS

    texts = [" ".join(line.split())[:MAX_EXAMPLE] for line in examples.splitlines() if line.strip()]
    if intent not in INTENTS or language not in TRAIN_LANGS or not texts:
        return RedirectResponse("/admin/nlu?error=bad_example", 303)
    added = add_examples(workbench(services), language, intent, texts, urgent in ("1", "on", "true"))
    audit(session, operator.login, "nlu.example.add", intent, language=language, count=added)
    await session.commit()
    return RedirectResponse(f"/admin/nlu?added={added}", 303)


@router.post("/retrain")
async def nlu_retrain(operator: Coordinator, session: SessionDep, services: ServicesDep) -> Response:
    """Start training a candidate in the background; the request returns at once."""
    wb = workbench(services)
    if wb.status == "training":
        return RedirectResponse("/admin/nlu#model", 303)
    wb.status, wb.error, wb.candidate, wb.metrics = "training", "", None, {}
    wb.started_at, wb.started_by = services.clock(), operator.login
    wb.task = asyncio.create_task(_run(wb, _live_model(services)))
    audit(session, operator.login, "nlu.retrain", None)
    await session.commit()
    return RedirectResponse("/admin/nlu#model", 303)


@router.post("/activate")
async def nlu_activate(operator: Coordinator, session: SessionDep, services: ServicesDep) -> Response:
    """The candidate becomes the live model: saved to the model file, swapped into the running app."""
    from app.nlu_gateway import EmbeddedClassifier

    wb = workbench(services)
    if wb.status != "ready" or wb.candidate is None:
        return RedirectResponse("/admin/nlu?error=no_candidate#model", 303)
    await asyncio.to_thread(wb.candidate.save, services.settings.model_path)
    live = services.classifier
    if hasattr(live, "model") and not isinstance(live, EmbeddedClassifier):
        live.model = wb.candidate  # a Rasa server stays first; the candidate becomes its fallback
    else:
        services.classifier = EmbeddedClassifier(wb.candidate)  # new requests read services.classifier
    audit(session, operator.login, "nlu.activate", None, macro_f1=(wb.metrics.get("candidate") or {}).get("macro_f1"))
    await session.commit()
    wb.status, wb.candidate, wb.metrics = "idle", None, {}
    return RedirectResponse("/admin/nlu?activated=1#model", 303)


@router.post("/discard")
async def nlu_discard(operator: Coordinator, session: SessionDep, services: ServicesDep) -> Response:
    wb = workbench(services)
    if wb.status == "training" and wb.task is not None:
        wb.task.cancel()  # the thread finishes on its own; its result is dropped
    wb.status, wb.candidate, wb.metrics, wb.error = "idle", None, {}, ""
    audit(session, operator.login, "nlu.discard", None)
    await session.commit()
    return RedirectResponse("/admin/nlu#model", 303)


def cue_files(wb: Workbench) -> dict[str, dict[str, Any]]:
    """language → {"base": package cue file, "extra": coordinators' additions}."""
    return {lang: {"base": _read(wb.base_dir / "urgency" / f"{lang}.yml"), "extra": _read(wb.extra_dir / "urgency" / f"{lang}.yml")}
            for lang in TRAIN_LANGS}  # fmt: skip


@router.get("/cues")
async def nlu_cues(request: Request, _: Coordinator, services: ServicesDep, language: str = "ru") -> Response:
    wb = workbench(services)
    lang = language if language in TRAIN_LANGS else "ru"
    files = cue_files(wb)[lang]
    categories = list((files["base"].get("cues") or {}).keys())
    categories += [c for c in (files["extra"].get("cues") or {}) if c not in categories]
    return render(request, "admin_nlu_cues.html", {
        "cue_lang": lang, "train_langs": TRAIN_LANGS, "base": files["base"], "extra": files["extra"],
        "categories": categories, "lists": CUE_LISTS,
    })  # fmt: skip


@router.post("/cues")
async def nlu_save_cues(request: Request, operator: Coordinator, session: SessionDep, services: ServicesDep) -> Response:
    """Replace the coordinators' additions for one language (package cues are not removable here)."""
    form = await request.form()
    lang = str(form.get("language") or "")
    if lang not in TRAIN_LANGS:
        return RedirectResponse("/admin/nlu/cues", 303)

    def words(name: str) -> list[str]:
        raw = str(form.get(name) or "").replace(",", "\n")
        return list(dict.fromkeys(" ".join(w.lower().split())[:80] for w in raw.splitlines() if w.strip()))

    wb = workbench(services)
    # Only the package's categories: the model's urgency features are built per known category.
    known = (cue_files(wb)[lang]["base"].get("cues") or {}).keys()
    cues = {cat: words(f"cat_{cat}") for cat in known}
    doc = {"language": lang, "cues": {k: v for k, v in cues.items() if v}, **{n: words(f"list_{n}") for n in CUE_LISTS}}
    _write_yaml(wb.extra_dir / "urgency" / f"{lang}.yml", doc)
    audit(session, operator.login, "nlu.cues.update", lang, count=sum(len(v) for v in doc["cues"].values()))
    await session.commit()
    return RedirectResponse(f"/admin/nlu/cues?language={lang}&saved=1", 303)
