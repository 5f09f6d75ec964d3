"""Coordinators teach the NLU: see the examples, add examples and urgency cues, retrain a candidate,
compare it with the live model, activate or discard it (``/admin/nlu``).

The data and the candidate are ``app.understanding.workbench``; the live model
is the ``LiveClassifier`` every conversation reads, so an activated candidate
answers the next message without a restart.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Coordinator
from app.platform.audit import audit
from app.platform.db import after_commit
from app.platform.deps import ClockDep, SessionDep, SettingsDep, provided
from app.understanding.gateway import LiveClassifier
from app.understanding.sharing import ModelSync, load_extras, publish_model, save_extras
from app.understanding.workbench import (
    CUE_LISTS,
    MAX_EXAMPLE,
    Workbench,
    add_examples,
    cue_files,
    examples_table,
    train_candidate,
    train_languages,
    write_yaml,
)
from app.web.forms import FormStr
from app.web.session import verify_csrf
from app.web.templating import render

router = APIRouter(prefix="/admin/nlu", dependencies=[Depends(verify_csrf)], include_in_schema=False)
WorkbenchDep = Annotated[Workbench, Depends(provided("workbench"))]
LiveDep = Annotated[LiveClassifier, Depends(provided("nlu"))]
SyncDep = Annotated[ModelSync, Depends(provided("model_sync"))]


@router.post("/examples")
async def nlu_add_examples(operator: Coordinator, session: SessionDep, wb: WorkbenchDep, intent: FormStr = "",
                           language: FormStr = "", examples: FormStr = "", urgent: FormStr = "") -> Response:  # fmt: skip
    from nlu.prediction import INTENTS

    texts = [" ".join(line.split())[:MAX_EXAMPLE] for line in examples.splitlines() if line.strip()]
    if intent not in INTENTS or language not in train_languages() or not texts:
        return RedirectResponse("/admin/nlu?error=bad_example", 303)
    await load_extras(session, wb)  # what coordinators added on other instances first, so none is lost
    added = add_examples(wb, language, intent, texts, urgent in ("1", "on", "true"))
    await save_extras(session, wb)
    audit(session, operator.login, "nlu.example.add", intent, language=language, count=added)
    return RedirectResponse(f"/admin/nlu?added={added}", 303)


@router.post("/retrain")
async def nlu_retrain(operator: Coordinator, session: SessionDep, wb: WorkbenchDep, live: LiveDep,
                      clock: ClockDep) -> Response:  # fmt: skip
    """Start training a candidate in the background; the request returns at once."""
    if wb.status == "training":
        return RedirectResponse("/admin/nlu#model", 303)
    await load_extras(session, wb)
    wb.status, wb.error, wb.candidate, wb.metrics = "training", "", None, {}
    wb.started_at, wb.started_by = clock(), operator.login
    wb.task = asyncio.create_task(train_candidate(wb, live.live_model()))
    audit(session, operator.login, "nlu.retrain", None)
    return RedirectResponse("/admin/nlu#model", 303)


@router.post("/activate")
async def nlu_activate(operator: Coordinator, session: SessionDep, wb: WorkbenchDep, live: LiveDep,
                       settings: SettingsDep, sync: SyncDep) -> Response:  # fmt: skip
    """The candidate becomes the live model: saved to the model file, swapped into this worker, stored in
    the database as the active version, which every other worker and instance loads within seconds."""
    if wb.status != "ready" or wb.candidate is None:
        return RedirectResponse("/admin/nlu?error=no_candidate#model", 303)
    await asyncio.to_thread(wb.candidate.save, settings.model_path)
    live.activate(wb.candidate)  # the next message is classified by the candidate
    name = await publish_model(session, await asyncio.to_thread(settings.model_path.read_bytes))
    after_commit(session, lambda: sync.mark_local(name, settings.model_path))
    after_commit(session, lambda: sync.notify(name))
    audit(session, operator.login, "nlu.activate", None, macro_f1=(wb.metrics.get("candidate") or {}).get("macro_f1"))
    wb.status, wb.candidate, wb.metrics = "idle", None, {}
    return RedirectResponse("/admin/nlu?activated=1#model", 303)


@router.post("/discard")
async def nlu_discard(operator: Coordinator, session: SessionDep, wb: WorkbenchDep) -> Response:
    if wb.status == "training" and wb.task is not None:
        wb.task.cancel()  # the thread finishes on its own; its result is dropped
    wb.status, wb.candidate, wb.metrics, wb.error = "idle", None, {}, ""
    audit(session, operator.login, "nlu.discard", None)
    return RedirectResponse("/admin/nlu#model", 303)


@router.get("/cues")
async def nlu_cues(request: Request, _: Coordinator, session: SessionDep, wb: WorkbenchDep,
                   language: str = "ru") -> Response:  # fmt: skip
    lang = language if language in train_languages() else "ru"
    await load_extras(session, wb)
    files = cue_files(wb)[lang]
    categories = list((files["base"].get("cues") or {}).keys())
    categories += [c for c in (files["extra"].get("cues") or {}) if c not in categories]
    return render(request, "admin_nlu_cues.html", {
        "cue_lang": lang, "train_langs": train_languages(), "base": files["base"], "extra": files["extra"],
        "categories": categories, "lists": CUE_LISTS,
    })  # fmt: skip


@router.post("/cues")
async def nlu_save_cues(request: Request, operator: Coordinator, session: SessionDep, wb: WorkbenchDep) -> Response:
    """Replace the coordinators' additions for one language (package cues are not removable here)."""
    form = await request.form()
    lang = str(form.get("language") or "")
    if lang not in train_languages():
        return RedirectResponse("/admin/nlu/cues", 303)

    def words(name: str) -> list[str]:
        raw = str(form.get(name) or "").replace(",", "\n")
        return list(dict.fromkeys(" ".join(w.lower().split())[:80] for w in raw.splitlines() if w.strip()))

    # Only the package's categories: the model's urgency features are built per known category.
    known = (cue_files(wb)[lang]["base"].get("cues") or {}).keys()
    cues = {cat: words(f"cat_{cat}") for cat in known}
    kept = {k: v for k, v in cues.items() if v}
    doc: dict[str, Any] = {"language": lang, "cues": kept, **{n: words(f"list_{n}") for n in CUE_LISTS}}
    await load_extras(session, wb)
    write_yaml(wb.extra_dir / "urgency" / f"{lang}.yml", doc)
    await save_extras(session, wb)
    audit(session, operator.login, "nlu.cues.update", lang, count=sum(len(v) for v in kept.values()))
    return RedirectResponse(f"/admin/nlu/cues?language={lang}&saved=1", 303)


# After /cues: "/{intent}" would otherwise swallow it.
@router.get("")
async def nlu_overview(request: Request, _: Coordinator, session: SessionDep, wb: WorkbenchDep, live: LiveDep,
                       error: str = "", added: str = "", activated: str = "") -> Response:  # fmt: skip
    """Every intent's training examples per language, the coordinators' additions marked, and the model panel."""
    from nlu.prediction import INTENTS

    await load_extras(session, wb)
    table = examples_table(wb)
    return render(request, "admin_nlu.html", {
        "table": table, "intents": sorted(table), "nlu_langs": train_languages(), "all_intents": INTENTS,
        "train_langs": train_languages(), "wb": wb, "error": error, "added": added, "activated": activated,
        "live_kind": type(live.current).__name__,
    })  # fmt: skip


@router.get("/{intent}")
async def nlu_intent(request: Request, intent: str, _: Coordinator, session: SessionDep, wb: WorkbenchDep) -> Response:
    await load_extras(session, wb)
    table = examples_table(wb)
    if intent not in table:
        return render(request, "error.html", {"message": "error.not_found_text", "status": 404}, 404)
    return render(request, "admin_nlu_intent.html", {"intent": intent, "by_lang": table[intent], "nlu_langs": train_languages()})
