"""A read-only look at the NLU training examples, per intent and language, for coordinators."""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import Coordinator
from app.web.templating import render

router = APIRouter(prefix="/admin/nlu", include_in_schema=False)
LANGS = ("ru", "kk", "uz", "en")


def data_dir() -> Path:
    import nlu

    return Path(nlu.__file__).parent / "data"


@cache
def _examples() -> dict[str, dict[str, list[tuple[str, bool]]]]:
    """intent → language → [(text, urgent)]; read once, the files change only with a deployment."""
    from nlu.data_io import load_dir

    table: dict[str, dict[str, list[tuple[str, bool]]]] = defaultdict(lambda: defaultdict(list))
    for example in load_dir(data_dir(), LANGS):
        table[example.intent][example.language].append((example.text, example.urgent))
    return {intent: dict(by_lang) for intent, by_lang in table.items()}


@router.get("")
async def nlu_overview(request: Request, _: Coordinator) -> Response:
    table = _examples()
    return render(request, "admin_nlu.html", {"table": table, "intents": sorted(table), "nlu_langs": LANGS})


@router.get("/{intent}")
async def nlu_intent(request: Request, intent: str, _: Coordinator) -> Response:
    table = _examples()
    if intent not in table:
        return render(request, "error.html", {"message": "error.not_found_text", "status": 404}, 404)
    return render(request, "admin_nlu_intent.html", {"intent": intent, "by_lang": table[intent], "nlu_langs": LANGS})
