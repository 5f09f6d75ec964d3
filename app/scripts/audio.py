"""Voice prompts recorded by coordinators: Twilio has no Kazakh or Uzbek voice, so people's own
recordings are played (``<Play>``) where they exist, and Russian ``<Say>`` is only the fallback."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import func, select

from app.auth.deps import Coordinator
from app.platform import languages as registry
from app.platform.audit import audit
from app.platform.db import after_commit
from app.platform.deps import SessionDep, SettingsDep
from app.platform.errors import NotFound
from app.platform.models import ScriptText
from app.scripts.deps import ScriptsDep
from app.web.forms import FormStr
from app.web.session import verify_csrf

router = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)], include_in_schema=False)
media = APIRouter(include_in_schema=False)
MAX_BYTES = 5 * 1024 * 1024
TYPES = {"audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/wav": "wav", "audio/x-wav": "wav", "audio/wave": "wav"}


def audio_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "audio"


@router.post("/scripts/{key}/audio")
async def upload_audio(key: str, operator: Coordinator, session: SessionDep, settings: SettingsDep, scripts: ScriptsDep,
                       language: FormStr = "",
                       file: Annotated[UploadFile | None, File()] = None) -> Response:  # fmt: skip
    """Store the recording under an unguessable name and publish its URL as ``audio.<key>``."""
    back = f"/admin/scripts/{key}"
    ext = TYPES.get((file.content_type or "").lower()) if file else None
    if file is None or not registry.is_supported(language) or ext is None:
        return RedirectResponse(f"{back}?error=bad_audio#audio", 303)
    body = await file.read(MAX_BYTES + 1)
    if not body or len(body) > MAX_BYTES:
        return RedirectResponse(f"{back}?error=bad_audio#audio", 303)
    folder = audio_dir(settings.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(12)}.{ext}"
    (folder / name).write_bytes(body)
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
async def audio_file(name: str, settings: SettingsDep) -> Response:
    """Twilio fetches prompts from here; names are random, the folder holds nothing else."""
    path = audio_dir(settings.data_dir) / name
    if "/" in name or name.startswith(".") or not path.is_file():
        raise NotFound("no such recording")
    return FileResponse(path, media_type="audio/mpeg" if name.endswith(".mp3") else "audio/wav")
