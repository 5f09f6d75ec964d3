"""The WhatsApp webhook: Twilio's incoming-WhatsApp form, signed like SMS, stored once per MessageSid.

A separate URL from SMS (``/webhooks/twilio/whatsapp``, set as the WhatsApp
sender's webhook in Twilio), so the two channels never share a contact: the
same number on SMS and on WhatsApp is two pseudonyms. Status callbacks for
both come to ``/webhooks/twilio/status``; a failed WhatsApp message (63016,
outside the window) becomes a dead letter there like an undelivered SMS.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.channels.routes import accept_twilio_message
from app.inbound.accept import REFUSALS, IntakeDep
from app.platform.deps import SettingsDep
from bots.twilio_whatsapp import parse_whatsapp

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.post("/twilio/whatsapp", summary="Twilio incoming WhatsApp message", response_class=Response,
             responses=REFUSALS)  # fmt: skip
async def twilio_whatsapp(request: Request, intake: IntakeDep, settings: SettingsDep) -> Response:
    return await accept_twilio_message(request, intake, settings, parse_whatsapp, "whatsapp")
