"""Web chat: JSON frames from the page -> InboundMessage, OutboundMessage -> frames to the page.

The hub holds only live connections and a few undelivered frames in memory; a
restart loses the buffer, which the page covers by reloading the conversation.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import logging
import re
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable

from bots.errors import InvalidRequest
from bots.jsonbody import load_json
from bots.messages import Channel, InboundMessage, OutboundMessage, SendError, SendResult, typed_command

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4000
MAX_FRAME_BYTES = 32 * 1024  # 4,000 characters even when every one is \uXXXX-escaped
# The page's language choice is passed on when it looks like a code; the app decides whether it speaks it.
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
# Commands and our own button data ("erase", "lang:kk", "erase:yes"); nothing else is accepted.
COMMAND_RE = re.compile(r"^[a-z_]{1,32}(:[A-Za-z0-9_.\-]{1,40}){0,3}$")
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")

SendFunction = Callable[[str], Awaitable[None]]


def _message_id(session_id: str, client_id: str) -> str:
    """Stable per (session, page message) for dedupe, without writing the session id into it."""
    return "web:" + hashlib.sha256(f"{session_id}\n{client_id}".encode()).hexdigest()[:32]


def parse_frame(data: str | bytes, session_id: str) -> InboundMessage:
    """Translate one frame from the page; InvalidRequest(400/413) for anything else."""
    frame = load_json(data, max_bytes=MAX_FRAME_BYTES, what="frame")
    if not isinstance(frame, dict):
        raise InvalidRequest(400, "frame is not an object")
    client_id = frame.get("id")
    if client_id is None:
        client_id = uuid.uuid4().hex  # the page sent no id: no dedupe for this one
    if not isinstance(client_id, str | int) or not CLIENT_ID_RE.match(str(client_id)):
        raise InvalidRequest(400, "bad message id")
    lang = frame.get("lang")
    hint = lang if isinstance(lang, str) and LANGUAGE_CODE.match(lang) else None
    common = {"channel": "webchat", "external_id": session_id, "language_hint": hint,
              "external_message_id": _message_id(session_id, str(client_id))}  # fmt: skip
    kind = frame.get("type")
    if kind == "message":
        text = frame.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InvalidRequest(400, "message without text")
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidRequest(413, "message too long")
        typed = typed_command(text)  # "/safeword olma" typed in the box works as on every channel
        if typed is not None:
            return InboundMessage(command=typed, **common)  # type: ignore[arg-type]
        return InboundMessage(text=text.strip(), **common)  # type: ignore[arg-type]
    if kind == "command":
        command = frame.get("command")
        if not isinstance(command, str) or not COMMAND_RE.match(command):
            raise InvalidRequest(400, "unknown command")
        return InboundMessage(command=command, **common)  # type: ignore[arg-type]
    raise InvalidRequest(400, "unknown frame type")


def render_frame(message: OutboundMessage, message_id: str | None = None) -> str:
    """The JSON the page receives: message (with buttons), edit or delete."""
    if message.action == "edit":
        target = message.target_message_ids[0] if message.target_message_ids else None
        frame: dict[str, object] = {"type": "edit", "id": target, "text": message.text}
    elif message.action == "delete":
        frame = {"type": "delete", "ids": list(message.target_message_ids)}
    else:
        frame = {"type": "message", "id": message_id, "text": message.text}
    if message.extra.get("lang"):
        frame["lang"] = message.extra["lang"]  # the page's title, placeholder and buttons follow the conversation
    if message.buttons and message.action != "delete":
        frame["buttons"] = [[{"label": b.label, "data": b.data} for b in row] for row in message.buttons]
    return json.dumps(frame, ensure_ascii=False)


class WebChatHub:
    """In-process registry of open pages; implements ``Sender`` for the ``webchat`` channel.

    A frame for a page that is not connected waits in a small per-session buffer
    (at most ``buffer_size`` frames, ``buffer_ttl`` seconds) and is flushed when the
    page reconnects. Runs in one process: with several app instances, the
    websocket and the outbox worker must share one (or the hub needs a pub/sub).
    """

    channel: Channel = "webchat"

    def __init__(self, *, buffer_size: int = 20, max_buffered_sessions: int = 10_000, buffer_ttl: float = 3600.0,
                 send_timeout: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.buffer_size = buffer_size
        self.max_buffered_sessions = max_buffered_sessions
        self.buffer_ttl = buffer_ttl
        self.send_timeout = send_timeout
        self.clock = clock
        self._connections: dict[str, set[SendFunction]] = {}
        self._buffers: dict[str, deque[tuple[float, str]]] = {}
        self._ids = itertools.count(1)

    def is_connected(self, session_id: str) -> bool:
        return bool(self._connections.get(session_id))

    def buffered(self, session_id: str) -> int:
        return len(self._buffers.get(session_id, ()))

    async def connect(self, session_id: str, send: SendFunction) -> None:
        """Register a page (e.g. ``websocket.send_text`` or ``queue.put``) and flush what waited for it."""
        self._connections.setdefault(session_id, set()).add(send)
        waiting = self._buffers.pop(session_id, deque())
        now = self.clock()
        while waiting:
            stamp, frame = waiting[0]
            if now - stamp <= self.buffer_ttl and not await self._push(send, frame):
                self.disconnect(session_id, send)
                self._buffers[session_id] = waiting  # keep what did not get through, in order
                return
            waiting.popleft()

    def disconnect(self, session_id: str, send: SendFunction) -> None:
        conns = self._connections.get(session_id)
        if conns is not None:
            conns.discard(send)
            if not conns:
                del self._connections[session_id]

    def forget(self, session_id: str) -> None:
        """Drop everything held for a session (after /erase)."""
        self._buffers.pop(session_id, None)

    async def _push(self, send: SendFunction, frame: str) -> bool:
        try:
            await asyncio.wait_for(send(frame), timeout=self.send_timeout)
        except Exception as exc:  # noqa: BLE001 - a dead socket is just a disconnected page
            log.info("webchat push failed", extra={"error": type(exc).__name__})
            return False
        return True

    async def send(self, message: OutboundMessage) -> SendResult:
        """Deliver to every open tab of the session, else buffer; retryable SendError if the buffer is full."""
        message_id = f"w{next(self._ids)}" if message.action == "send" else None
        frame = render_frame(message, message_id)
        delivered = False
        for send in list(self._connections.get(message.address, ())):
            if await self._push(send, frame):
                delivered = True
            else:
                self.disconnect(message.address, send)
        if not delivered:
            self._buffer(message.address, frame)
        if message.action == "delete":
            return SendResult()
        return SendResult(external_message_id=message_id or (message.target_message_ids or (None,))[0])

    def _buffer(self, session_id: str, frame: str) -> None:
        buffer = self._buffers.get(session_id)
        if buffer is None:
            self._expire()
            if len(self._buffers) >= self.max_buffered_sessions:
                raise SendError("webchat: too many sessions waiting", retryable=True)
            buffer = self._buffers[session_id] = deque()
        if len(buffer) >= self.buffer_size:
            raise SendError("webchat: page not connected and its buffer is full", retryable=True)
        buffer.append((self.clock(), frame))

    def _expire(self) -> None:
        now = self.clock()
        for session_id in [s for s, b in self._buffers.items() if not b or now - b[-1][0] > self.buffer_ttl]:
            del self._buffers[session_id]

    async def close(self) -> None:
        self._connections.clear()
        self._buffers.clear()
