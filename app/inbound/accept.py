"""Accepting a delivery: refuse what must not be stored, store the rest once, answer at once.

Every webhook and the web-chat socket go through here: body size before
reading, a flood from one address before any work (signature checks
included), the per-contact limit with urgent messages exempt, then
``Intake.accept`` stores the delivery (encrypted, once per provider id, by
group commit with the requests arriving at the same time, with
the priority the door's cue triage gives it, so workers take urgent messages
ahead of a crowd) and wakes the job loop. An address that has shown a valid
provider secret or signature is the provider itself and is not throttled per
address (a surge of real messages all comes from Telegram's or Twilio's few
addresses); unverified floods still are. The slow work (NLU, replies, alerts) runs later from the
stored row, so a provider retry is stored once and a crash after the 200
loses nothing. A failure to store answers 503 so the provider retries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.inbound.deliveries import delivery_row
from app.inbound.ratelimit import Limiter
from app.inbound.writer import GroupWriter
from app.outbox.service import enqueue
from app.platform.db import after_commit, session_scope
from app.platform.deps import provided
from app.platform.errors import HelplineError
from app.platform.identity import Vault
from bots.errors import InvalidRequest
from bots.messages import InboundMessage, OutboundMessage

log = logging.getLogger("helpline.webhooks")
MAX_BODY = 256 * 1024
_ERROR = {"content": {"application/json": {"schema": {"type": "object", "properties": {
    "error": {"type": "string"}, "message": {"type": "string"}}, "required": ["error", "message"]}}}}  # fmt: skip
REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed request", **_ERROR}, 403: {"description": "Wrong signature or secret", **_ERROR},
    413: {"description": "Body too large", **_ERROR}, 422: {"description": "Invalid parameters", **_ERROR},
    429: {"description": "Too many requests", **_ERROR},
    503: {"description": "Storage unavailable: the provider retries", **_ERROR},
}  # fmt: skip


def refuse(exc: InvalidRequest) -> HelplineError:
    """An adapter's refusal (bad signature, malformed body) as the HTTP error the provider sees."""
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


def not_unicode(value: str | None) -> bool:
    """True for text that cannot be stored (a lone surrogate that came in as JSON)."""
    try:
        (value or "").encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class Intake:
    """The way in's front door: rate limits, then one stored delivery per provider message."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], vault: Vault, limiter: Limiter,
                 wake: Callable[[], None], triage: Callable[[str], bool] | None = None,
                 urgent: Callable[[], None] | None = None) -> None:  # fmt: skip
        self.sessionmaker = sessionmaker
        self.vault = vault
        self.limiter = limiter
        self.wake = wake
        self.triage = triage or (lambda _text: False)  # cue matching only: orders the queue, decides nothing
        self.urgent = urgent  # tells this process's worker an urgent delivery is waiting
        self.writer = GroupWriter(sessionmaker)

    def _ip(self, request: Request) -> str:
        return self.limiter.ip_of(request.client.host if request.client else None, request.headers)

    async def guard_ip(self, request: Request) -> None:
        """Refuse a flood from one address (429) before any work, signature checks included.

        A verified provider address passes: its flood is a surge of real people's messages.
        """
        ip = self._ip(request)
        if self.limiter.is_provider(ip):
            return
        if not await self.limiter.allow_ip(ip, webhook=True):
            raise HelplineError("too many requests", status_code=429, code="rate_limited")

    def verified(self, request: Request) -> None:
        """The request carried a valid provider secret or signature: its address is the provider's."""
        self.limiter.trust_provider(self._ip(request))

    async def admitted(self, inbound: InboundMessage, ip: str | None = None) -> tuple[bool, str | None]:
        """Per-contact limit with urgent messages exempt: (store it?, the calm notice or None)."""
        return await self.limiter.admit(inbound, ip)

    async def admit_or_notify(self, inbound: InboundMessage) -> bool:
        """Like ``admitted``, for channels that answer later: a limited person gets one calm line by the outbox."""
        allowed, notice = await self.admitted(inbound)
        if notice:
            await self.send_notice(inbound, notice)
        return allowed

    async def send_notice(self, inbound: InboundMessage, text: str) -> None:
        """Queue the calm notice through the outbox, like any reply (never inline, never to voice)."""
        async with session_scope(self.sessionmaker) as session:
            enqueue(session, self.vault, OutboundMessage(channel=inbound.channel, address=inbound.external_id,
                                                         text=text), kind="system")  # fmt: skip
            after_commit(session, self.wake)

    async def accept(self, inbound: InboundMessage, meta: dict[str, Any] | None = None) -> bool:
        """Store a delivery once and wake the job loop; False for a provider retry of a stored one.

        The database being away answers 503, so the provider keeps the update and retries it;
        text that is not valid Unicode (a lone surrogate in JSON) is a 400 and is not stored.
        """
        if any(not_unicode(v) for v in (inbound.text, inbound.external_id, inbound.external_message_id, inbound.command)):
            raise HelplineError("text is not valid Unicode", status_code=400, code="invalid_request")
        try:
            priority = 1 if inbound.text and self.triage(inbound.text) else 0
            stored = await self.writer.store(delivery_row(self.vault, inbound, meta, priority=priority))
        except (SQLAlchemyError, OSError) as exc:
            log.warning("delivery not stored: %s", type(exc).__name__)
            raise HelplineError("storage unavailable, retry later", status_code=503, code="unavailable") from exc
        if stored:
            if priority and self.urgent is not None:
                self.urgent()
            self.wake()
        return stored


IntakeDep = Annotated[Intake, Depends(provided("intake"))]
