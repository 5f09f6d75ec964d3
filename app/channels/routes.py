"""Provider webhooks: verify first, parse, hand the delivery to ``app.inbound.accept``, answer 200 at once.

The slow work (NLU, replies, alerts) runs in the job loop from the stored
delivery, so a provider retry is stored once and a crash after the 200 loses
nothing. A failure to store answers 5xx so the provider retries.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.inbound.accept import REFUSALS, Intake, IntakeDep, read_body, refuse
from app.platform.deps import SessionDep, SettingsDep, provided
from app.platform.errors import HelplineError, error_response
from app.platform.metrics import WEBHOOK_LATENCY
from app.platform.models import OutboxItem
from app.platform.settings import Settings
from bots.errors import InvalidRequest
from bots.messages import InboundMessage, Sender
from bots.twilio_rest import verify_twilio_signature
from bots.twilio_sms import parse_sms, parse_status_callback

log = logging.getLogger("helpline.webhooks")
router = APIRouter(prefix="/webhooks", tags=["webhooks"])
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
FAILED_STATUSES = {"failed", "undelivered"}


class CallbackAnswers:
    """Stops a pressed button's spinner at once, in the background; the real answer follows as a message."""

    def __init__(self, sender: Sender | None) -> None:
        self.sender = sender
        self._tasks: set[asyncio.Task[None]] = set()

    def answer(self, callback_query_id: str) -> None:
        answer = getattr(self.sender, "answer_callback", None)
        if answer is None:
            return

        async def run() -> None:
            try:
                await answer(callback_query_id)
            except Exception as exc:  # noqa: BLE001 - cosmetic: the spinner stops by itself
                log.info("callback answer failed: %s", type(exc).__name__)

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


CallbacksDep = Annotated[CallbackAnswers, Depends(provided("callbacks"))]


# The webhook's answer, built once: a Response is passed through as it is, where a returned dict
# would be validated and serialised on every request of a surge.
_OK = b'{"ok":true}'
_OK_DOC: dict[int | str, dict[str, Any]] = {200: {"description": "Stored (or deliberately ignored)", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}}}}}  # fmt: skip


def ok() -> Response:
    return Response(_OK, media_type="application/json")


@router.post("/telegram", summary="Telegram Bot API webhook", responses={**_OK_DOC, **REFUSALS}, response_model=None)
async def telegram_webhook(request: Request, intake: IntakeDep, settings: SettingsDep,
                           callbacks: CallbacksDep) -> Response:  # fmt: skip
    """Documents the webhook; its requests are taken by ``TelegramFastPath`` before the framework's routing."""
    return await take_telegram_update(request, intake, settings, callbacks)


async def take_telegram_update(request: Request, intake: Intake, settings: Settings, callbacks: CallbackAnswers) -> Response:
    """One Telegram update: flood limit, secret, parse, per-person limit, stored; refusals raise HelplineError."""
    from bots.telegram import parse_update, verify_secret  # aiogram's types take seconds to import: not at start

    await intake.guard_ip(request)
    expected = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else ""
    with WEBHOOK_LATENCY.labels("telegram").time():
        try:
            verify_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token"), expected)
            intake.verified(request)
            parsed = parse_update(await read_body(request))
        except InvalidRequest as exc:
            raise refuse(exc) from exc
        if parsed.inbound is None:
            return ok()  # an update kind we do not handle (edited message, poll…)
        meta = {"callback_query_id": parsed.callback_query_id, "callback_message_id": parsed.callback_message_id}
        if parsed.inbound.text and not parsed.callback_query_id and not await intake.admit_or_notify(parsed.inbound):
            return ok()  # limited: 200 so Telegram does not redeliver it
        await intake.accept(parsed.inbound, meta)
        if parsed.callback_query_id:
            callbacks.answer(parsed.callback_query_id)
    return ok()


class TelegramFastPath:
    """``POST /webhooks/telegram`` as plain ASGI, ahead of the framework's routing and dependencies.

    In a surge it is nearly every request, and the framework's path around the same work cost about as
    much again (measured in-process on PostgreSQL: ~780 µs of CPU a request through the route, ~450 µs
    here, with the same checks). Same checks, answers and refusal bodies as the route above, which stays
    for the API description and for an app built without this wrapper.
    """

    PATH = "/webhooks/telegram"
    _ROUTE = SimpleNamespace(path=PATH)  # what RequestMetrics labels the request with

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        container = getattr(getattr(scope.get("app"), "state", None), "container", None)
        if scope["type"] != "http" or scope["path"] != self.PATH or scope["method"] != "POST" or container is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = self._ROUTE
        request = Request(scope, receive)
        try:
            response = await take_telegram_update(request, container.intake, container.settings, container.callbacks)
        except HelplineError as exc:
            response = error_response(exc)
        await response(scope, receive, send)


async def twilio_form(request: Request, settings: Settings) -> dict[str, str]:
    """The form of a Twilio request whose signature matches PUBLIC_URL + path (+ query)."""
    token = settings.twilio_auth_token
    body = await read_body(request)
    try:
        form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
    except UnicodeDecodeError as exc:
        raise HelplineError("form is not UTF-8", status_code=400) from exc
    url = settings.public_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    try:
        verify_twilio_signature(token.get_secret_value() if token else "", url, form,
                                request.headers.get("X-Twilio-Signature"))  # fmt: skip
    except InvalidRequest as exc:
        raise refuse(exc) from exc
    intake = getattr(getattr(request.app.state, "container", None), "intake", None)
    if intake is not None:
        intake.verified(request)  # Twilio's own address: not throttled per address from now on
    return form


def twiml(body: str) -> Response:
    return Response(content=body, media_type="application/xml")


async def accept_twilio_message(request: Request, intake: Intake, settings: Settings,
                                parse: Callable[[Mapping[str, str]], InboundMessage], channel: str) -> Response:  # fmt: skip
    """An incoming SMS or WhatsApp message: verified, parsed, limited (never STOP or a button), stored once."""
    await intake.guard_ip(request)
    with WEBHOOK_LATENCY.labels(channel).time():
        form = await twilio_form(request, settings)
        try:
            inbound = parse(form)
        except InvalidRequest as exc:
            raise refuse(exc) from exc
        if inbound.command or await intake.admit_or_notify(inbound):
            await intake.accept(inbound)
    return twiml(EMPTY_TWIML)  # replies go through the outbox (REST), never inline


@router.post("/twilio/sms", summary="Twilio incoming SMS", response_class=Response, responses=REFUSALS)
async def twilio_sms(request: Request, intake: IntakeDep, settings: SettingsDep) -> Response:
    return await accept_twilio_message(request, intake, settings, parse_sms, "sms")


@router.post("/twilio/status", summary="Twilio message status callback", response_class=Response,
             status_code=204, responses=REFUSALS)  # fmt: skip
async def twilio_status(request: Request, intake: IntakeDep, settings: SettingsDep, session: SessionDep) -> Response:
    await intake.guard_ip(request)
    form = await twilio_form(request, settings)
    try:
        status = parse_status_callback(form)
    except InvalidRequest as exc:
        raise refuse(exc) from exc
    if status.status in FAILED_STATUSES:
        await _record_failure(session, status.message_sid, status.status, status.error_code)
    return Response(status_code=204)


async def _record_failure(session: AsyncSession, sid: str, status: str, code: str | None) -> None:
    """A message Twilio could not deliver is a dead letter coordinators can see."""
    await session.execute(
        update(OutboxItem)
        .where(OutboxItem.provider_ref == sid)
        .values(status="dead", last_error=f"delivery {status}" + (f" (error {code})" if code else ""))
    )
    log.warning("message delivery failed", extra={"status": status})


