"""Voice prompts recorded by coordinators: Twilio has no Kazakh or Uzbek voice, so people's own
recordings are played (``<Play>``) where they exist, and Russian ``<Say>`` is only the fallback."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from app.auth.deps import Coordinator, load_operator
from app.platform.audit import audit
from app.platform.db import after_commit
from app.platform.deps import ClockDep, SessionDep, SettingsDep
from app.platform.errors import NotFound
from app.platform.models import ScriptText
from app.platform.shared import get_file, put_file
from app.scripts.audiofile import CONTENT_TYPES, link_valid, sniff_audio
from app.scripts.deps import ScriptsDep
from app.scripts.service import LANGUAGES
from app.web.forms import FormStr
from app.web.session import has_role, verify_csrf

router = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)], include_in_schema=False)
media = APIRouter(include_in_schema=False)
MAX_BYTES = 5 * 1024 * 1024
TYPES = {"audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/wav": "wav", "audio/x-wav": "wav", "audio/wave": "wav"}


@router.post("/scripts/{key}/audio")
async def upload_audio(key: str, operator: Coordinator, session: SessionDep, settings: SettingsDep, scripts: ScriptsDep,
                       language: FormStr = "",
                       file: Annotated[UploadFile | None, File()] = None) -> Response:  # fmt: skip
    """Store the recording in the database under an unguessable name (so every instance serves it) and
    publish its URL as ``audio.<key>``."""
    back = f"/admin/scripts/{key}"
    if file is None or language not in LANGUAGES or (file.content_type or "").lower() not in TYPES:
        return RedirectResponse(f"{back}?error=bad_audio#audio", 303)
    body = await file.read(MAX_BYTES + 1)
    ext = sniff_audio(body) if body and len(body) <= MAX_BYTES else None  # the bytes decide, not the label
    if ext is None:
        audit(session, operator.login, "script.audio_refused", f"audio.{key}", declared=(file.content_type or "")[:40])
        return RedirectResponse(f"{back}?error=bad_audio#audio", 303)
    name = f"{secrets.token_urlsafe(12)}.{ext}"
    await put_file(session, f"audio/{name}", body, CONTENT_TYPES[ext])
    url = settings.public_url.rstrip("/") + f"/media/audio/{name}"
    audio_key = f"audio.{key}"
    version = await session.scalar(select(func.max(ScriptText.version)).where(
        ScriptText.key == audio_key, ScriptText.language == language, ScriptText.variant == "voice")) or 0  # fmt: skip
    session.add(ScriptText(key=audio_key, language=language, variant="voice", version=version + 1, status="published",
                           text=url, author=operator.login))  # fmt: skip
    audit(session, operator.login, "script.audio", audio_key, language=language, bytes=len(body))
    after_commit(session, lambda: scripts.reload(session))  # callers hear the recording from the next call on
    return RedirectResponse(f"{back}#audio", 303)


@media.get("/media/audio/{name}")
async def audio_file(request: Request, name: str, settings: SettingsDep, session: SessionDep,
                     clock: ClockDep) -> Response:  # fmt: skip
    """Twilio fetches prompts from here, on whichever instance it reaches, with a signed, expiring link; a
    signed-in coordinator may too.

    Served as a download of a fixed audio type with ``nosniff``, so even a file
    that slipped in could never run as a page on our origin.
    """
    kind = name.rsplit(".", 1)[-1]
    valid_name = "/" not in name and not name.startswith(".") and kind in CONTENT_TYPES
    stored = await get_file(session, f"audio/{name}") if valid_name else None
    if stored is None:
        raise NotFound("no such recording")
    secret = settings.secret_key.get_secret_value() if settings.secret_key else ""
    if not link_valid(name, request.url.query, secret, clock()):
        operator = await load_operator(request, session)
        if operator is None or not has_role(operator, "coordinator"):
            raise NotFound("no such recording")
    return Response(stored.content, media_type=CONTENT_TYPES[kind], headers={  # type: ignore[index]
        "X-Content-Type-Options": "nosniff", "Content-Disposition": f'attachment; filename="prompt.{kind}"',
        "Content-Security-Policy": "default-src 'none'; sandbox", "Cache-Control": "private, max-age=300"})  # fmt: skip
