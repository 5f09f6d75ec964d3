"""The anonymous web chat: one page, one WebSocket, no login, no third-party anything.

The page keeps a session id the server issued (random, signed) in sessionStorage
only: gone when the tab closes, at once with the quick-exit button, and after an
erasure. Frames go through the same
delivery store and core as every other channel.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse

from app.conversations.language import ANSWERABLE
from app.inbound.accept import IntakeDep
from app.platform import languages as registry
from app.platform.deps import VaultDep, provided
from app.platform.errors import HelplineError
from app.platform.identity import Vault
from bots.errors import InvalidRequest
from bots.webchat import parse_frame

log = logging.getLogger("helpline.webchat")
router = APIRouter(tags=["web chat"])
HERE = Path(__file__).parent
# Native names of the languages a person may pick; the picker offers only those the bot answers in.
LANGUAGE_NAMES = registry.names()
LANGUAGE_OPTIONS = "".join(f'<option value="{lang}">{LANGUAGE_NAMES.get(lang, lang)}</option>' for lang in ANSWERABLE)
PAGE = (HERE / "templates" / "chat.html").read_text(encoding="utf-8").replace(
    "<!-- languages: the ones the bot understands and answers in (app/channels/webchat.py) -->", LANGUAGE_OPTIONS
)
NEUTRAL = (HERE / "templates" / "neutral.html").read_text(encoding="utf-8")
# The page's script and styles are files, so its CSP allows no inline code at all.
ASSETS: dict[str, tuple[str, str]] = {
    "/chat/chat.js": ("chat.js", "text/javascript; charset=utf-8"),
    "/chat/chat.css": ("chat.css", "text/css; charset=utf-8"),
    "/weather/weather.js": ("weather.js", "text/javascript; charset=utf-8"),
    "/weather/weather.css": ("weather.css", "text/css; charset=utf-8"),
}
ASSET_BODIES = {path: (HERE / "static" / name).read_bytes() for path, (name, _) in ASSETS.items()}
# The page sockets: the local hub, or its Redis-backed cluster wrapper (same interface).
HubDep = Annotated[Any, Depends(provided("webchat"))]
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")  # fmt: skip
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",  # nothing of the chat stays in the browser's cache either
}
SESSION_RE = re.compile(r"^[A-Za-z0-9_-]{24}\.[0-9a-f]{24}$")


@router.get("/chat", response_class=HTMLResponse, summary="The anonymous web chat page")
async def chat_page() -> HTMLResponse:
    return HTMLResponse(PAGE, headers=SECURITY_HEADERS)


@router.get("/weather", response_class=HTMLResponse, summary="The neutral page the quick-exit button opens")
async def neutral_page() -> HTMLResponse:
    return HTMLResponse(NEUTRAL, headers=SECURITY_HEADERS)


def _asset(path: str) -> Callable[[], Awaitable[Response]]:
    async def serve() -> Response:
        return Response(ASSET_BODIES[path], media_type=ASSETS[path][1], headers=SECURITY_HEADERS)

    return serve


for _path in ASSETS:
    router.add_api_route(_path, _asset(_path), methods=["GET"], include_in_schema=False)


def _signature(vault: Vault, token: str) -> str:
    return vault.fingerprint(f"webchat-session:{token}")[:24]


def issue_session(vault: Vault) -> str:
    """A session id only this server can make: random, with its keyed signature."""
    token = secrets.token_urlsafe(18)
    return f"{token}.{_signature(vault, token)}"


def checked_session(vault: Vault, value: str | None) -> str:
    """The page's session when this server issued it; a fresh one for anything else.

    A client-chosen id (``aaaaaaaaaaaaaaaa``) or a guessed one never joins
    somebody's conversation: it is replaced, and the page stores the new one.
    """
    if value and SESSION_RE.match(value):
        token, _, signature = value.partition(".")
        if hmac.compare_digest(signature, _signature(vault, token)):
            return value
    return issue_session(vault)


@router.websocket("/chat/ws")
async def chat_socket(websocket: WebSocket, intake: IntakeDep, hub: HubDep, vault: VaultDep) -> None:
    session_id = checked_session(vault, websocket.query_params.get("session"))
    limiter = intake.limiter
    ip = limiter.ip_of(websocket.client.host if websocket.client else None, websocket.headers)
    if not await limiter.allow_ip(ip):
        await websocket.close(code=1013)  # try again later: one address opening sockets in a loop
        return
    await websocket.accept()
    await websocket.send_text(json.dumps({"type": "session", "session": session_id}))
    await hub.connect(session_id, websocket.send_text)
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            raw: str | bytes = text if text is not None else message.get("bytes") or b""
            try:
                inbound = parse_frame(raw, session_id)
            except InvalidRequest as exc:
                await websocket.send_text(json.dumps({"type": "error", "message": exc.message}))
                continue
            allowed, notice = await intake.admitted(inbound, ip)
            if notice:
                await websocket.send_text(json.dumps({"type": "message", "id": None, "text": notice}, ensure_ascii=False))
            if not allowed:
                continue
            try:
                await intake.accept(inbound)
            except HelplineError as exc:
                await websocket.send_text(json.dumps({"type": "error", "message": exc.message}))
                continue
            if inbound.command == "erase:yes":
                hub.forget(session_id)
    except WebSocketDisconnect:
        pass
    finally:
        hub.disconnect(session_id, websocket.send_text)
