"""The WhatsApp webhook: Twilio's incoming-WhatsApp form, signed like SMS, stored once per MessageSid.

A separate URL from SMS (``/webhooks/twilio/whatsapp``, set as the WhatsApp
sender's webhook in Twilio), so the two channels never share a contact: the
same number on SMS and on WhatsApp is two pseudonyms. Status callbacks for
both come to ``/webhooks/twilio/status``; a failed WhatsApp message (63016,
outside the window) becomes a dead letter there like an undelivered SMS.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.channels.routes import EMPTY_TWIML, twilio_form, twiml
from app.inbound.accept import REFUSALS, IntakeDep, refuse
from app.platform.deps import SettingsDep
from app.platform.metrics import WEBHOOK_LATENCY
from bots.errors import InvalidRequest
from bots.twilio_whatsapp import parse_whatsapp

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.post("/twilio/whatsapp", summary="Twilio incoming WhatsApp message", response_class=Response,
             responses=REFUSALS)  # fmt: skip
async def twilio_whatsapp(request: Request, intake: IntakeDep, settings: SettingsDep) -> Response:
    await intake.guard_ip(request)
    with WEBHOOK_LATENCY.labels("whatsapp").time():
        form = await twilio_form(request, settings)
        try:
            inbound = parse_whatsapp(form)
        except InvalidRequest as exc:
            raise refuse(exc) from exc
        if inbound.command or await intake.admit_or_notify(inbound):
            await intake.accept(inbound)
    return twiml(EMPTY_TWIML)  # replies go through the outbox (REST), never inline
