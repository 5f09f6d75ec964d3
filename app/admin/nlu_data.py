"""The NLU training examples per intent and language, with the coordinators' additions marked.

Package examples are read once (they change only with a deployment); the
coordinators' file (``app.admin.nlu_admin``) is small and read on each view.
The forms on these pages (add, retrain, activate, discard, cues) are in ``nlu_admin``.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.admin.nlu_admin import TRAIN_LANGS, workbench
from app.auth.deps import Coordinator
from app.deps import ServicesDep
from app.web.templating import render

router = APIRouter(prefix="/admin/nlu", include_in_schema=False)
LANGS = ("ru", "kk", "uz", "en")
Table = dict[str, dict[str, list[tuple[str, bool, bool]]]]  # intent → language → [(text, urgent, added)]


def data_dir() -> Path:
    import nlu

    return Path(nlu.__file__).parent / "data"


@cache
def _package_examples(base: Path) -> tuple[tuple[str, str, str, bool], ...]:
    from nlu.data_io import load_dir

    return tuple((e.intent, e.language, e.text, e.urgent) for e in load_dir(base, LANGS))


def _examples(services: object) -> Table:
    from nlu.data_io import load_dir

    wb = workbench(services)  # type: ignore[arg-type]
    table: Table = defaultdict(lambda: defaultdict(list))
    for intent, lang, text, urgent in _package_examples(wb.base_dir):
        table[intent][lang].append((text, urgent, False))
    for example in load_dir(wb.extra_dir, LANGS) if wb.extra_dir.exists() else []:
        table[example.intent][example.language].append((example.text, example.urgent, True))
    return {intent: dict(by_lang) for intent, by_lang in table.items()}


@router.get("")
async def nlu_overview(request: Request, _: Coordinator, services: ServicesDep, error: str = "", added: str = "",
                       activated: str = "") -> Response:  # fmt: skip
    from nlu.prediction import INTENTS

    table = _examples(services)
    wb = workbench(services)
    return render(request, "admin_nlu.html", {
        "table": table, "intents": sorted(table), "nlu_langs": LANGS, "all_intents": INTENTS,
        "train_langs": TRAIN_LANGS, "wb": wb, "error": error, "added": added, "activated": activated,
        "live_kind": type(services.classifier).__name__,
    })  # fmt: skip


@router.get("/{intent}")
async def nlu_intent(request: Request, intent: str, _: Coordinator, services: ServicesDep) -> Response:
    table = _examples(services)
    if intent not in table:
        return render(request, "error.html", {"message": "error.not_found_text", "status": 404}, 404)
    return render(request, "admin_nlu_intent.html", {"intent": intent, "by_lang": table[intent], "nlu_langs": LANGS})
