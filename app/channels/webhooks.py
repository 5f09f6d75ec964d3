"""Provider webhooks: verify first, parse, store the delivery, answer 200 at once.

The slow work (NLU, replies, alerts) runs in the job loop from the stored
delivery, so a provider retry is stored once and a crash after the 200 loses
nothing. A failure to store answers 5xx so the provider retries.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from app.db import session_scope
from app.deliveries import store_delivery
from app.deps import ServicesDep
from app.errors import HelplineError
from app.metrics import WEBHOOK_LATENCY
from app.models import OutboxItem
from app.ratelimit import limiter_of, send_notice
from app.services import Services
from bots.errors import InvalidRequest
from bots.messages import InboundMessage
from bots.telegram import parse_update, verify_secret
from bots.twilio_rest import verify_twilio_signature
from bots.twilio_sms import parse_sms, parse_status_callback

log = logging.getLogger("helpline.webhooks")
router = APIRouter(prefix="/webhooks", tags=["webhooks"])
MAX_BODY = 256 * 1024
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
FAILED_STATUSES = {"failed", "undelivered"}
_ERROR = {"content": {"application/json": {"schema": {"type": "object", "properties": {
    "error": {"type": "string"}, "message": {"type": "string"}}, "required": ["error", "message"]}}}}  # fmt: skip
REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed request", **_ERROR}, 403: {"description": "Wrong signature or secret", **_ERROR},
    413: {"description": "Body too large", **_ERROR}, 422: {"description": "Invalid parameters", **_ERROR},
    429: {"description": "Too many requests", **_ERROR},
    503: {"description": "Storage unavailable: the provider retries", **_ERROR},
}  # fmt: skip


def refuse(exc: InvalidRequest) -> HelplineError:
    return HelplineError(exc.message, status_code=exc.status, code="invalid_request" if exc.status != 403 else "forbidden")


async def read_body(request: Request) -> bytes:
    """The body, refused before reading when it claims to be too large."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise HelplineError("request body too large", status_code=413, code="too_large")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HelplineError("request body too large", status_code=413, code="too_large")
    return body


def _not_unicode(value: str | None) -> bool:
    try:
        (value or "").encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


async def guard_ip(request: Request, services: Services) -> None:
    """Refuse a flood from one address (429) before any work, signature checks included."""
    limiter = limiter_of(services)
    ip = limiter.ip_of(request.client.host if request.client else None, request.headers)
    if not await limiter.allow_ip(ip, webhook=True):
        raise HelplineError("too many requests", status_code=429, code="rate_limited")


async def admitted(services: Services, inbound: InboundMessage) -> bool:
    """Per-contact limit with urgent messages exempt; a limited person gets one calm line."""
    allowed, notice = await limiter_of(services).admit(services, inbound)
    if notice:
        await send_notice(services, inbound, notice)
    return allowed


async def accept(services: Services, inbound: InboundMessage, meta: dict[str, Any] | None = None) -> bool:
    """Store a delivery once and wake the job loop; False for a provider retry of a stored one.

    The database being away answers 503, so the provider keeps the update and retries it;
    text that is not valid Unicode (a lone surrogate in JSON) is a 400 and is not stored.
    """
    if any(_not_unicode(v) for v in (inbound.text, inbound.external_id, inbound.external_message_id, inbound.command)):
        raise HelplineError("text is not valid Unicode", status_code=400, code="invalid_request")
    try:
        async with session_scope(services.sessionmaker) as session:
            stored = await store_delivery(session, services.vault, inbound, meta)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("delivery not stored: %s", type(exc).__name__)
        raise HelplineError("storage unavailable, retry later", status_code=503, code="unavailable") from exc
    if stored:
        services.jobs.wake()
    return stored is not None


@router.post("/telegram", summary="Telegram Bot API webhook", responses=REFUSALS)
async def telegram_webhook(request: Request, services: ServicesDep) -> dict[str, bool]:
    settings = services.settings
    await guard_ip(request, services)
    expected = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else ""
    with WEBHOOK_LATENCY.labels("telegram").time():
        try:
            verify_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token"), expected)
            parsed = parse_update(await read_body(request))
        except InvalidRequest as exc:
            raise refuse(exc) from exc
        if parsed.inbound is None:
            return {"ok": True}  # an update kind we do not handle (edited message, poll…)
        meta = {"callback_query_id": parsed.callback_query_id, "callback_message_id": parsed.callback_message_id}
        if parsed.inbound.text and not parsed.callback_query_id and not await admitted(services, parsed.inbound):
            return {"ok": True}  # limited: 200 so Telegram does not redeliver it
        await accept(services, parsed.inbound, meta)
        if parsed.callback_query_id:
            _answer_callback(services, parsed.callback_query_id)
    return {"ok": True}


def _answer_callback(services: Services, callback_query_id: str) -> None:
    """Stop the button's spinner now; the real answer follows as a message."""
    sender = services.senders.get("telegram")
    answer = getattr(sender, "answer_callback", None)
    if answer is None:
        return

    async def run() -> None:
        try:
            await answer(callback_query_id)
        except Exception as exc:  # noqa: BLE001 - cosmetic: the spinner stops by itself
            log.info("callback answer failed: %s", type(exc).__name__)

    task = asyncio.create_task(run())
    services.extras.setdefault("background", set()).add(task)
    task.add_done_callback(services.extras["background"].discard)


async def twilio_form(request: Request, services: Services) -> dict[str, str]:
    """The form of a Twilio request whose signature matches PUBLIC_URL + path (+ query)."""
    token = services.settings.twilio_auth_token
    body = await read_body(request)
    from urllib.parse import parse_qsl

    try:
        form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
    except UnicodeDecodeError as exc:
        raise HelplineError("form is not UTF-8", status_code=400) from exc
    url = services.settings.public_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    try:
        verify_twilio_signature(token.get_secret_value() if token else "", url, form,
                                request.headers.get("X-Twilio-Signature"))  # fmt: skip
    except InvalidRequest as exc:
        raise refuse(exc) from exc
    return form


def twiml(body: str) -> Response:
    return Response(content=body, media_type="application/xml")


@router.post("/twilio/sms", summary="Twilio incoming SMS", response_class=Response, responses=REFUSALS)
async def twilio_sms(request: Request, services: ServicesDep) -> Response:
    await guard_ip(request, services)
    with WEBHOOK_LATENCY.labels("sms").time():
        form = await twilio_form(request, services)
        try:
            inbound = parse_sms(form)
        except InvalidRequest as exc:
            raise refuse(exc) from exc
        if await admitted(services, inbound):
            await accept(services, inbound)
    return twiml(EMPTY_TWIML)  # replies go through the outbox (REST), never inline


@router.post("/twilio/status", summary="Twilio message status callback", response_class=Response,
             status_code=204, responses=REFUSALS)  # fmt: skip
async def twilio_status(request: Request, services: ServicesDep) -> Response:
    await guard_ip(request, services)
    form = await twilio_form(request, services)
    try:
        status = parse_status_callback(form)
    except InvalidRequest as exc:
        raise refuse(exc) from exc
    if status.status in FAILED_STATUSES:
        await _record_failure(services, status.message_sid, status.status, status.error_code)
    return Response(status_code=204)


async def _record_failure(services: Services, sid: str, status: str, code: str | None) -> None:
    """A message Twilio could not deliver is a dead letter coordinators can see."""
    async with services.sessionmaker() as session:
        await session.execute(
            update(OutboxItem)
            .where(OutboxItem.provider_ref == sid)
            .values(status="dead", last_error=f"delivery {status}" + (f" (error {code})" if code else ""))
        )
        await session.commit()
    log.warning("sms delivery failed", extra={"status": status})


