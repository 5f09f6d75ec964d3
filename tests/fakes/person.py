"""A person on a real channel, for tests: one turn in through the app's own endpoint, what they read out.

``TelegramPerson`` posts Bot API updates to ``/webhooks/telegram`` and reads what
the real aiogram sender delivered to the loopback Bot API; ``WebChatPerson``
opens ``/chat/ws`` on the real ASGI app, as the page's script does, and reads the
frames pushed to it; ``SmsPerson`` posts signed Twilio forms and reads the SMS
the real twilio client sent. Each ``say``/``press`` runs the job loop to the end
(delivery handling, outbox) and returns only what arrived during that turn, so
a dialogue runner can check each turn's replies (``channel: telegram|webchat|sms``).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

import httpx
from pydantic import SecretStr
from sqlalchemy import select

from app.main import create_app
from app.platform.models import Case, Contact
from app.platform.settings import Settings
from app.scripts.service import seed_database
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, FakeTwilioAPI, signed_form

TURN_TIMEOUT_S = 30.0
WEBHOOK_SECRET = "webhook-secret-for-tests"
HOTLINE = "+77170000000"
PUBLIC_URL = "https://helpline.example.org"


def wired_settings(settings: Settings, telegram: FakeTelegramAPI, twilio: FakeTwilioAPI) -> Settings:
    """``settings`` with Telegram and Twilio pointed at the loopback fakes."""
    # model_copy does not validate: secrets go in as SecretStr, as the settings class would make them.
    return settings.model_copy(update={
        "telegram_token": SecretStr(telegram.token), "telegram_webhook_secret": SecretStr(WEBHOOK_SECRET),
        "telegram_api_base": telegram.base_url, "twilio_account_sid": DEFAULT_ACCOUNT_SID,
        "twilio_auth_token": SecretStr(DEFAULT_AUTH_TOKEN), "twilio_phone_number": HOTLINE,
        "twilio_api_base": twilio.base_url, "public_url": PUBLIC_URL,
    })  # fmt: skip


@dataclass
class Read:
    """One thing the person reads: a message with its buttons (label, data) and the language the server named."""

    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)
    lang: str | None = None


@dataclass
class Turn:
    """What one turn put on the person's screen; ``cleared`` when the conversation was wiped from it."""

    replies: list[Read] = field(default_factory=list)
    cleared: bool = False

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.replies]

    @property
    def buttons(self) -> list[tuple[str, str]]:
        return [b for r in self.replies for b in r.buttons]


class Person(Protocol):
    channel: str

    async def say(self, text: str) -> Turn: ...

    async def press(self, data: str) -> Turn: ...

    async def case(self) -> Case | None: ...


class _Base:
    channel: str

    def __init__(self, services: Any) -> None:
        self.services = services

    @property
    def address(self) -> str:
        raise NotImplementedError

    async def case(self) -> Case | None:
        """The person's newest case (None once they erased themselves)."""
        pseudonym = self.services.vault.pseudonym(self.channel, self.address)
        async with self.services.sessionmaker() as session:
            contact = await session.scalar(select(Contact).where(Contact.pseudonym == pseudonym))
            if contact is None:
                return None
            return await session.scalar(select(Case).where(Case.contact_id == contact.id)
                                        .order_by(Case.created_at.desc()).limit(1))  # fmt: skip


class TelegramPerson(_Base):
    """A private chat with the bot; ``language_code`` is what the person's Telegram app reports."""

    channel = "telegram"

    def __init__(self, http: httpx.AsyncClient, services: Any, api: FakeTelegramAPI, chat_id: int, *,
                 secret: str, language_code: str | None = "ru") -> None:  # fmt: skip
        super().__init__(services)
        self.http, self.api, self.chat_id, self.language_code = http, api, chat_id, language_code
        self.headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
        self._seen = len(api.calls)
        self._last_bot_message = 1

    @property
    def address(self) -> str:
        return str(self.chat_id)

    async def say(self, text: str) -> Turn:
        update = self.api.make_text_update(self.chat_id, text)
        update["message"]["from"]["language_code"] = self.language_code
        return await self._post(update)

    async def press(self, data: str) -> Turn:
        return await self._post(self.api.make_callback_update(self.chat_id, data, message_id=self._last_bot_message))

    async def _post(self, update: dict[str, Any]) -> Turn:
        response = await self.http.post("/webhooks/telegram", content=json.dumps(update), headers=self.headers)
        assert response.status_code == 200, response.text
        await self.services.jobs.drain()
        turn = Turn()
        calls, self._seen = self.api.calls[self._seen:], len(self.api.calls)
        for method, params in calls:
            if str(params.get("chat_id")) != self.address:
                continue
            if method == "sendMessage":
                markup = params.get("reply_markup") or {}
                markup = json.loads(markup) if isinstance(markup, str) else markup
                buttons = [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]
                turn.replies.append(Read(str(params.get("text", "")), buttons))
                self._last_bot_message += 1
            elif method in ("deleteMessage", "deleteMessages"):
                turn.cleared = True
        return turn


class SmsPerson(_Base):
    """A phone texting the hotline number through Twilio's signed webhook."""

    channel = "sms"
    _sids = itertools.count(1)

    def __init__(self, http: httpx.AsyncClient, services: Any, api: FakeTwilioAPI, phone: str, *, hotline: str,
                 public_url: str, auth_token: str = DEFAULT_AUTH_TOKEN) -> None:  # fmt: skip
        super().__init__(services)
        self.http, self.api, self.phone, self.hotline = http, api, phone, hotline
        self.url, self.auth_token = public_url.rstrip("/") + "/webhooks/twilio/sms", auth_token
        self._seen = len(api.sent_sms(phone))

    @property
    def address(self) -> str:
        return self.phone

    async def say(self, text: str) -> Turn:
        params = {"From": self.phone, "To": self.hotline, "MessageSid": f"SMperson{next(self._sids):08d}", "Body": text}
        headers, form = signed_form(self.auth_token, self.url, params)
        response = await self.http.post("/webhooks/twilio/sms", data=form, headers=headers)
        assert response.status_code == 200, response.text
        await self.services.jobs.drain()
        sent = self.api.sent_sms(self.phone)
        new, self._seen = sent[self._seen:], len(sent)
        return Turn([Read(m.get("Body", "")) for m in new])

    async def press(self, data: str) -> Turn:
        raise AssertionError("SMS has no buttons: say the word instead")


class WebChatPerson(_Base):
    """A browser tab with the chat page open: the real ``/chat/ws`` socket on the app, driven over ASGI.

    Use as ``async with WebChatPerson(app) as person``; ``session`` is the id the
    server issued (or ``session=`` one to resume, as a reload does).
    """

    channel = "webchat"

    def __init__(self, app: Any, *, session: str | None = None, lang: str | None = None) -> None:
        super().__init__(app.state.container)
        self.app, self.lang = app, lang
        self.session: str = ""
        self._asked = session
        self._to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._frames: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._ids = itertools.count(1)
        self.closed: int | None = None

    @property
    def address(self) -> str:
        return self.session

    async def __aenter__(self) -> WebChatPerson:
        query = f"session={quote(self._asked)}" if self._asked else ""
        scope = {"type": "websocket", "asgi": {"version": "3.0"}, "scheme": "ws", "path": "/chat/ws", "raw_path": b"/chat/ws",
                 "query_string": query.encode(), "root_path": "", "headers": [(b"host", b"testserver")],
                 "client": ("127.0.0.1", 50000), "server": ("testserver", 80), "subprotocols": []}  # fmt: skip
        await self._to_app.put({"type": "websocket.connect"})
        self._task = asyncio.create_task(self.app(scope, self._to_app.get, self._from_app))
        first = await self._next()
        assert first.get("type") == "session", first
        self.session = str(first["session"])
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._to_app.put({"type": "websocket.disconnect", "code": 1000})
        if self._task is not None:
            await asyncio.wait_for(self._task, TURN_TIMEOUT_S)

    async def _from_app(self, message: dict[str, Any]) -> None:
        if message["type"] == "websocket.send":
            await self._frames.put(json.loads(message["text"]))
        elif message["type"] == "websocket.close":
            self.closed = int(message.get("code", 1000))
            await self._frames.put({"type": "closed"})

    async def _next(self) -> dict[str, Any]:
        return await asyncio.wait_for(self._frames.get(), TURN_TIMEOUT_S)

    async def say(self, text: str) -> Turn:
        frame: dict[str, Any] = {"type": "message", "text": text, "id": f"p{next(self._ids)}"}
        if self.lang:
            frame["lang"] = self.lang
        return await self.send(frame)

    async def press(self, data: str) -> Turn:
        return await self.send({"type": "command", "command": data, "id": f"p{next(self._ids)}"})

    async def send(self, frame: dict[str, Any]) -> Turn:
        """One frame as the page sends it; returns what reached the page once the job loop is done."""
        await self._to_app.put({"type": "websocket.receive", "text": json.dumps(frame, ensure_ascii=False)})
        # The socket handles frames in order: the answer to a frame it refuses means ours was taken in.
        await self._to_app.put({"type": "websocket.receive", "text": "[]"})
        turn = Turn()
        while (got := await self._next())["type"] != "error":
            self._read(got, turn)
        await self.services.jobs.drain()
        while not self._frames.empty():
            self._read(self._frames.get_nowait(), turn)
        return turn

    async def read(self) -> Turn:
        """What reached the page without the person writing (an operator, a timer), once the job loop is done."""
        await self.services.jobs.drain()
        turn = Turn()
        while not self._frames.empty():
            self._read(self._frames.get_nowait(), turn)
        return turn

    @staticmethod
    def _read(frame: dict[str, Any], turn: Turn) -> None:
        if frame["type"] == "message":
            buttons = [(b["label"], b["data"]) for row in frame.get("buttons", []) for b in row]
            turn.replies.append(Read(frame["text"], buttons, frame.get("lang")))
        elif frame["type"] == "delete":
            turn.cleared = True
            turn.replies.clear()  # the page wipes what it showed before this frame too


@dataclass
class ChannelWorld:
    """The real app, its lifespan running, wired to the loopback Bot API and Twilio: hands out people."""

    app: Any
    http: httpx.AsyncClient
    telegram: FakeTelegramAPI
    twilio: FakeTwilioAPI
    _chats: itertools.count = field(default_factory=lambda: itertools.count(700_500_001))
    _phones: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def services(self) -> Any:
        return self.app.state.container

    @asynccontextmanager
    async def person(self, channel: str, *, phone: str | None = None, language_code: str | None = "ru",
                     lang: str | None = None) -> AsyncIterator[Person]:  # fmt: skip
        """A new person on ``channel`` (telegram | webchat | sms); ``lang`` is the page's picker for the web chat."""
        if channel == "telegram":
            yield TelegramPerson(self.http, self.services, self.telegram, next(self._chats), secret=WEBHOOK_SECRET,
                                 language_code=language_code)  # fmt: skip
        elif channel == "sms":
            number = phone or f"+7701{next(self._phones):07d}"
            yield SmsPerson(self.http, self.services, self.twilio, number, hotline=HOTLINE, public_url=PUBLIC_URL)
        elif channel == "webchat":
            async with WebChatPerson(self.app, lang=lang) as page:
                yield page
        else:
            raise ValueError(f"no such channel for a person: {channel}")


@asynccontextmanager
async def channel_world(settings: Settings, telegram: FakeTelegramAPI, twilio: FakeTwilioAPI) -> AsyncIterator[ChannelWorld]:
    """Seed, build and start the app as ``helpline serve`` does, minus the network in front of it."""
    wired = wired_settings(settings, telegram, twilio)
    await seed_database(wired.database_url)
    app = create_app(wired)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL) as http:
            http.services = app.state.container  # type: ignore[attr-defined]
            http.app = app  # type: ignore[attr-defined]
            yield ChannelWorld(app, http, telegram, twilio)
