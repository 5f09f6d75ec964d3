"""Coordinators edit the bot's texts: list, edit drafts, preview, publish, versions, rollback.

Each key is shown with when its text is sent (``scripts.about.<key>`` in every UI language), so a
coordinator need not know the code's names to find the text they mean.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select

from app.auth.deps import Coordinator
from app.platform import languages as registry
from app.platform.db import after_commit
from app.platform.deps import SessionDep, SessionmakerDep, provided
from app.platform.errors import HelplineError
from app.platform.models import ScriptText
from app.scripts import edits
from app.scripts.deps import ScriptsDep
from app.scripts.service import VARIANTS, unfinished, unfinished_texts
from app.web.forms import FormStr
from app.web.i18n import translate
from app.web.session import verify_csrf
from app.web.templating import render, ui_language

router = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)], include_in_schema=False)
CoreDep = Annotated[edits.Core, Depends(provided("conversation"))]


def about(key: str, lang: str) -> str:
    """When the text under ``key`` is sent, in ``lang``; empty for a key nobody has described yet."""
    if key.startswith("label."):
        return translate(lang, "scripts.about.label")
    if key.startswith("numbers."):
        return translate(lang, "scripts.about.numbers", country=key.split(".", 1)[1])
    name = f"scripts.about.{key.removeprefix('audio.')}"
    text = translate(lang, name)
    return "" if text == name else text


@router.get("")
async def admin_home(_: Coordinator) -> Response:
    return RedirectResponse("/admin/scripts", 303)


@router.get("/scripts")
async def scripts_list(request: Request, _: Coordinator, session: SessionDep, q: str = "") -> Response:
    rows = (await session.scalars(select(ScriptText).where(ScriptText.status.in_(("published", "draft"))))).all()
    table: dict[str, dict[str, dict[str, object]]] = defaultdict(lambda: {lang: {} for lang in registry.codes()})
    needle, lang = q.strip().lower(), ui_language(request)
    for row in rows:
        if needle and needle not in row.key.lower() and needle not in row.text.lower() \
                and needle not in about(row.key, lang).lower():  # fmt: skip
            continue
        cell = table[row.key].setdefault(row.language, {})
        if row.status == "draft":
            cell["draft"] = True
        elif row.variant == "chat" or "text" not in cell:
            cell["text"] = row.text
        if row.status == "published" and unfinished(row.text, row.needs_review):
            cell["review"] = True
    keys = sorted(table, key=lambda k: (not k.startswith("numbers."), k.startswith("label."), k))
    waiting = await unfinished_texts(session)
    return render(request, "admin_scripts.html", {"table": table, "keys": keys, "q": q, "unfinished": waiting,
                                                  "about": {key: about(key, lang) for key in keys}})  # fmt: skip


async def _key_page(request: Request, session: SessionDep, key: str, *, error: str = "", preview=None,
                    preview_form: dict | None = None, status_code: int = 200) -> Response:  # type: ignore[no-untyped-def]
    rows = await edits.rows_for(session, key)
    if not rows:
        return render(request, "error.html", {"message": "error.not_found_text", "status": 404}, 404)
    cells: dict[tuple[str, str], dict[str, object]] = {}
    for lang in registry.codes():
        for variant in VARIANTS:
            cells[(lang, variant)] = {"published": None, "draft": None, "versions": 0}
    for row in rows:
        cell = cells.setdefault((row.language, row.variant), {"published": None, "draft": None, "versions": 0})
        cell["versions"] = int(cell["versions"]) + 1  # type: ignore[call-overload]
        if row.status == "published" and cell["published"] is None:
            cell["published"] = row
        if row.status == "draft" and cell["draft"] is None:
            cell["draft"] = row
    for (_lang, variant), cell in cells.items():
        shown = cell["draft"] or cell["published"]
        cell["segments"] = edits.segments(shown.text) if variant == "sms" and shown else 0  # type: ignore[attr-defined]
    audio: dict[str, str] = {}
    for row in await edits.rows_for(session, f"audio.{key}"):
        if row.status == "published" and row.language not in audio:
            audio[row.language] = row.text  # newest first, as rows_for orders them
    has_voice = any(cells[(lang, "voice")]["published"] for lang in registry.codes())
    return render(request, "admin_script_key.html", {
        "key": key, "cells": cells, "variants": VARIANTS, "error": error, "preview": preview,
        "about": about(key, ui_language(request)),
        "audio": audio, "has_voice": has_voice,
        "preview_form": preview_form or {"language": "ru", "variant": "chat", "message": ""},
        "has_drafts": any(c["draft"] for c in cells.values()),
    }, status_code)  # fmt: skip


@router.get("/scripts/{key}")
async def script_key(request: Request, key: str, _: Coordinator, session: SessionDep, error: str = "") -> Response:
    return await _key_page(request, session, key, error=error)


def _to_key(key: str, error: str = "", anchor: str = "") -> RedirectResponse:
    suffix = f"?error={quote(error)}" if error else ""
    return RedirectResponse(f"/admin/scripts/{quote(key)}{suffix}{anchor}", 303)


@router.post("/scripts/{key}/draft")
async def save_draft(key: str, operator: Coordinator, session: SessionDep, language: FormStr = "",
                     variant: FormStr = "chat", text: FormStr = "") -> Response:  # fmt: skip
    if not await edits.rows_for(session, key):
        return _to_key(key, "not_found_text")
    try:
        await edits.save_draft(session, key, language, variant, text, operator.login)
    except HelplineError:
        await session.rollback()
        return _to_key(key, "bad_text")
    return _to_key(key, anchor=f"#{language}-{variant}")


@router.post("/scripts/{key}/discard")
async def discard(key: str, operator: Coordinator, session: SessionDep, language: FormStr = "",
                  variant: FormStr = "chat") -> Response:  # fmt: skip
    await edits.discard_draft(session, key, language, variant, operator.login)
    return _to_key(key, anchor=f"#{language}-{variant}")


@router.post("/scripts/{key}/publish")
async def publish(key: str, operator: Coordinator, session: SessionDep, scripts: ScriptsDep,
                  language: FormStr = "", variant: FormStr = "chat") -> Response:  # fmt: skip
    try:
        await edits.publish(session, key, language, variant, operator.login)
    except HelplineError:
        await session.rollback()
        return _to_key(key, "no_draft")
    after_commit(session, lambda: scripts.reload(session))  # the bot answers with the new text from now on
    return _to_key(key, anchor=f"#{language}-{variant}")


@router.post("/scripts/{key}/preview")
async def preview(request: Request, key: str, _: Coordinator, session: SessionDep, sessionmaker: SessionmakerDep,
                  scripts: ScriptsDep, core: CoreDep, language: FormStr = "ru", variant: FormStr = "chat",
                  message: FormStr = "") -> Response:  # fmt: skip
    form = {"language": language, "variant": variant, "message": message}
    lines = [line.strip() for line in message.splitlines() if line.strip()][:5]
    if not lines or not registry.is_supported(language) or variant not in VARIANTS:
        return await _key_page(request, session, key, error="bad_preview", preview_form=form, status_code=400)
    turns = await edits.preview(sessionmaker, scripts, core, language, variant, lines)
    return await _key_page(request, session, key, preview=turns, preview_form=form)


@router.get("/scripts/{key}/{language}/{variant}/versions")
async def versions(request: Request, key: str, language: str, variant: str, _: Coordinator,
                   session: SessionDep) -> Response:  # fmt: skip
    rows = [r for r in await edits.rows_for(session, key) if r.language == language and r.variant == variant]
    if not rows:
        return render(request, "error.html", {"message": "error.not_found_text", "status": 404}, 404)
    diffs = []
    for newer, older in zip(rows, rows[1:] + [None]):
        diff = Markup(edits.diff_html(older.text, newer.text, f"v{older.version}", f"v{newer.version}")) if older else None
        diffs.append((newer, diff, edits.segments(newer.text) if variant == "sms" else 0))
    return render(request, "admin_versions.html", {"key": key, "language": language, "variant": variant,
                                                   "versions": diffs})  # fmt: skip


@router.post("/scripts/rollback")
async def rollback(operator: Coordinator, session: SessionDep, scripts: ScriptsDep, version_id: FormStr = "") -> Response:
    if not version_id.isdigit():
        return RedirectResponse("/admin/scripts", 303)
    try:
        row = await edits.rollback(session, int(version_id), operator.login)
    except HelplineError:
        await session.rollback()
        return RedirectResponse("/admin/scripts", 303)
    target = f"/admin/scripts/{quote(row.key)}/{row.language}/{row.variant}/versions"
    after_commit(session, lambda: scripts.reload(session))
    return RedirectResponse(target, 303)
