"""A loopback HTTP server that plays Telegram's Bot API, so the real aiogram Bot can be tested."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.http import LoopbackServer

DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"
# Fields aiogram sends JSON-encoded inside form data.
JSON_FIELDS = frozenset({"reply_markup", "message_ids", "allowed_updates", "entities", "reply_parameters",
                         "link_preview_options"})  # fmt: skip
ERROR_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: can't use getUpdates method while webhook is active",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    times: int
    description: str | None


class FakeTelegramAPI(LoopbackServer):
    """Serves ``/bot<token>/<method>``, records every call, and fails on demand."""

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        super().__init__()
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.deleted: set[tuple[str, int]] = set()
        # (chat_id, message_id) Telegram refuses to delete, e.g. older than 48 h.
        self.undeletable: set[tuple[str, int]] = set()
        self.webhook: dict[str, Any] = {}
        self._next_message_id = 1000
        self._faults: dict[str, list[_Fault]] = {}
        self._delay = 0.0
        self._updates: list[dict[str, Any]] = []
        self._update_added = asyncio.Event()
        self._next_update_id = 1
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle)

    # ----- test controls -------------------------------------------------------------------------
    def fail_next(self, method: str, status: int = 500, *, retry_after: int | None = None, times: int = 1,
                  description: str | None = None) -> None:  # fmt: skip
        """The next ``times`` calls of ``method`` answer with ``status`` (429 carries retry_after)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        self._faults.setdefault(method.lower(), []).append(_Fault(status, retry_after, times, description))

    def delay(self, seconds: float) -> None:
        """Every later request waits this long before answering (0 to stop)."""
        self._delay = seconds

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates."""
        self._updates.append(update)
        self._update_added.set()

    def calls_for(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name.lower() == method.lower()]

    def sent_texts(self, chat_id: int | str) -> list[str]:
        return [p["text"] for p in self.calls_for("sendMessage") if str(p.get("chat_id")) == str(chat_id)]

    # ----- update builders -------------------------------------------------------------------------
    def _update(self, update_id: int | None, **body: Any) -> dict[str, Any]:
        if update_id is None:
            update_id = self._next_update_id
        self._next_update_id = max(self._next_update_id, update_id) + 1
        return {"update_id": update_id, **body}

    def _message(self, chat_id: int, language_code: str | None = "ru", **body: Any) -> dict[str, Any]:
        self._next_message_id += 1
        user: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": "Test"}
        if language_code:
            user["language_code"] = language_code
        return {"message_id": self._next_message_id, "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "Test"}, "from": user, **body}  # fmt: skip

    def make_text_update(self, chat_id: int, text: str, update_id: int | None = None,
                         language_code: str | None = "ru") -> dict[str, Any]:  # fmt: skip
        return self._update(update_id, message=self._message(chat_id, language_code, text=text))

    def make_callback_update(self, chat_id: int, data: str, message_id: int,
                             update_id: int | None = None) -> dict[str, Any]:  # fmt: skip
        message = {"message_id": message_id, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
                   "from": {"id": self.bot_id, "is_bot": True, "first_name": "Helpline"}, "text": "..."}  # fmt: skip
        query = {"id": f"cb{message_id}{chat_id}", "chat_instance": "ci1", "data": data, "message": message,
                 "from": {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": "kk"}}  # fmt: skip
        return self._update(update_id, callback_query=query)

    def make_location_update(self, chat_id: int, latitude: float, longitude: float,
                             update_id: int | None = None) -> dict[str, Any]:  # fmt: skip
        location = {"latitude": latitude, "longitude": longitude}
        return self._update(update_id, message=self._message(chat_id, location=location))

    def make_photo_update(self, chat_id: int, caption: str | None = None, update_id: int | None = None,
                          file_size: int = 54_321) -> dict[str, Any]:  # fmt: skip
        sizes = [{"file_id": f"small{chat_id}", "file_unique_id": "s1", "width": 90, "height": 90, "file_size": 1_234},
                 {"file_id": f"big{chat_id}", "file_unique_id": "b1", "width": 1280, "height": 960,
                  "file_size": file_size}]  # fmt: skip
        extra = {"caption": caption} if caption else {}
        return self._update(update_id, message=self._message(chat_id, photo=sizes, **extra))

    # ----- the API ---------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json() if request.can_read_body else {}
            params.update(body or {})
        elif request.can_read_body:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        for key in JSON_FIELDS & params.keys():
            if isinstance(params[key], str):
                params[key] = json.loads(params[key])
        return params

    def _error(self, status: int, description: str | None = None, retry_after: int | None = None) -> web.Response:
        text = description or ERROR_DESCRIPTIONS.get(status, "Error").format(retry_after=retry_after)
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": text}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=status)

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method.lower())
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault

    async def _handle(self, request: web.Request) -> web.Response:
        if self._delay:
            await asyncio.sleep(self._delay)
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._error(401)
        params = await self._params(request)
        self.calls.append((method, params))
        fault = self._take_fault(method)
        if fault is not None:
            return self._error(fault.status, fault.description, fault.retry_after)
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return self._error(404)
        result = await handler(params)
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    def _bot_message(self, chat_id: str, message_id: int, text: str, params: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": message_id, "date": int(time.time()), "text": text,
            "chat": {"id": int(chat_id), "type": "private"},
            "from": {"id": self.bot_id, "is_bot": True, "first_name": "Helpline"},
        }  # fmt: skip
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        if params.get("protect_content") in ("true", True):
            message["has_protected_content"] = True
        return message

    async def _m_getme(self, params: dict[str, Any]) -> Any:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Helpline", "username": "helpline_test_bot"}

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        if not params.get("text") or "chat_id" not in params:
            return self._error(400, "Bad Request: message text is empty")
        self._next_message_id += 1
        return self._bot_message(params["chat_id"], self._next_message_id, params["text"], params)

    async def _m_editmessagetext(self, params: dict[str, Any]) -> Any:
        return self._bot_message(params["chat_id"], int(params["message_id"]), params.get("text", ""), params)

    def _delete(self, chat_id: str, ids: Iterable[int]) -> web.Response | bool:
        keys = [(str(chat_id), int(i)) for i in ids]
        if any(k in self.undeletable for k in keys):
            return self._error(400, "Bad Request: message can't be deleted for everyone")
        self.deleted.update(keys)
        return True

    async def _m_deletemessage(self, params: dict[str, Any]) -> Any:
        key = (str(params["chat_id"]), int(params["message_id"]))
        if key in self.deleted:
            return self._error(400, "Bad Request: message to delete not found")
        return self._delete(key[0], [key[1]])

    async def _m_deletemessages(self, params: dict[str, Any]) -> Any:
        ids = params.get("message_ids") or []
        if not 1 <= len(ids) <= 100:
            return self._error(400, "Bad Request: too many messages to delete")
        return self._delete(params["chat_id"], ids)

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_sendchataction(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_setwebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = params
        return True

    async def _m_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}

    async def _m_deletewebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    async def _m_getupdates(self, params: dict[str, Any]) -> Any:
        if self.webhook:
            return self._error(409)
        offset = int(params.get("offset", 0))
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._update_added.clear()
            try:
                await asyncio.wait_for(self._update_added.wait(), timeout=min(float(params.get("timeout", 0)), 2.0))
            except TimeoutError:
                pass
        return list(self._updates[: int(params.get("limit", 100))])
