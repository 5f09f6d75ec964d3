"""The anonymous web chat: one page, one WebSocket, no login, no third-party anything.

The page keeps a random session id in sessionStorage only (gone when the tab
closes, or at once with the quick-exit button). Frames go through the same
delivery store and core as every other channel.
"""

from __future__ import annotations

import html
import json
import logging
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse

from app.inbound.accept import IntakeDep
from app.platform import languages as registry
from app.platform.deps import provided
from app.platform.errors import HelplineError
from app.web.i18n import translate
from bots.errors import InvalidRequest
from bots.webchat import parse_frame

log = logging.getLogger("helpline.webchat")
router = APIRouter(tags=["web chat"])
TEMPLATE = (Path(__file__).parent / "templates" / "chat.html").read_text(encoding="utf-8")
CHROME_KEYS = ("title", "exit", "placeholder", "hint", "offline")
NEUTRAL = (Path(__file__).parent / "templates" / "neutral.html").read_text(encoding="utf-8")
# The page sockets: the local hub, or its Redis-backed cluster wrapper (same interface).
HubDep = Annotated[Any, Depends(provided("webchat"))]
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@router.get("/chat", response_class=HTMLResponse, summary="The anonymous web chat page")
async def chat_page() -> HTMLResponse:
    return HTMLResponse(chat_page_html(), headers=SECURITY_HEADERS)


@router.get("/weather", response_class=HTMLResponse, summary="The neutral page the quick-exit button opens")
async def neutral_page() -> HTMLResponse:
    return HTMLResponse(NEUTRAL, headers=SECURITY_HEADERS)


def chat_page_html() -> str:
    """The page with its language picker and chrome for every registry language (names escaped, JSON inert)."""
    options = "".join(f'<option value="{html.escape(x.code)}">{html.escape(x.name)}</option>' for x in registry.registry())
    chrome = {x.code: {"dir": x.direction, **{k: translate(x.code, f"chat.{k}") for k in CHROME_KEYS}}
              for x in registry.registry()}  # fmt: skip
    data = json.dumps(chrome, ensure_ascii=False).replace("<", "\\u003c")
    return TEMPLATE.replace("__LANGUAGE_OPTIONS__", options).replace("__UI__", data)


def _valid_session(value: str | None) -> str:
    if value and 16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum():
        return value
    return secrets.token_urlsafe(24)


@router.websocket("/chat/ws")
async def chat_socket(websocket: WebSocket, intake: IntakeDep, hub: HubDep) -> None:
    session_id = _valid_session(websocket.query_params.get("session"))
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
