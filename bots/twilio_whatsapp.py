"""WhatsApp through Twilio: webhook forms -> InboundMessage, OutboundMessage -> Messages API.

Twilio carries WhatsApp on the same Messages API, signatures and status
callbacks as SMS; addresses carry a ``whatsapp:`` prefix. The provider sits
behind :class:`WhatsAppProvider` (send a text, send an approved Content
template), so another provider (Meta's Cloud API) is one class, not a new
channel. The profile name and ``WaId`` Twilio sends are dropped here and
never reach the core, the database or the logs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Protocol

from twilio.base.exceptions import TwilioRestException

from bots.errors import InvalidRequest
from bots.messages import Attachment, Channel, InboundMessage, OutboundMessage, SendError, SendResult
from bots.twilio_rest import RetryableResponse, make_client, to_send_error
from bots.twilio_sms import KEYWORDS
from bots.whatsapp_text import MAX_BODY, with_options

__all__ = ["OUTSIDE_WINDOW", "TwilioWhatsApp", "WhatsAppProvider", "WhatsAppSender", "parse_whatsapp"]

PREFIX = "whatsapp:"
OUTSIDE_WINDOW = "63016"  # Twilio: free-form message outside the 24-hour customer service window
# A quick-reply button's payload is one of our own commands ("lang:kk", "erase:yes").
PAYLOAD_RE = re.compile(r"^[a-z_]{1,24}(?::[A-Za-z0-9_-]{1,32})?$")
MEDIA_KINDS = {"image": "photo", "audio": "voice", "video": "video"}


def _required(form: Mapping[str, str], *names: str) -> str:
    for name in names:
        if form.get(name):
            return form[name]
    raise InvalidRequest(400, f"missing {names[0]}")


def _coordinate(form: Mapping[str, str], name: str, bound: float) -> float | None:
    raw = form.get(name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise InvalidRequest(400, f"bad {name}") from exc
    if not -bound <= value <= bound:
        raise InvalidRequest(400, f"bad {name}")
    return value


def _media(form: Mapping[str, str]) -> tuple[Attachment, ...]:
    """What was attached, by kind only: WhatsApp media is never fetched or stored."""
    try:
        count = min(int(form.get("NumMedia", "0") or 0), 10)
    except ValueError as exc:
        raise InvalidRequest(400, "bad NumMedia") from exc
    kinds = []
    for i in range(count):
        mime = form.get(f"MediaContentType{i}", "application/octet-stream")
        kinds.append(Attachment(kind=MEDIA_KINDS.get(mime.split("/", 1)[0], "document"), mime_type=mime))  # type: ignore[arg-type]
    return tuple(kinds)


def parse_whatsapp(form: Mapping[str, str]) -> InboundMessage:
    """Translate Twilio's incoming-WhatsApp form: text, quick-reply button, shared location or media."""
    sender = _required(form, "From")
    if not sender.startswith(PREFIX) or not sender[len(PREFIX):].lstrip("+").isdigit():
        raise InvalidRequest(400, "From is not a WhatsApp address")
    sid = _required(form, "MessageSid", "SmsMessageSid")
    body = form.get("Body", "").strip()
    if len(body) > 4096:
        raise InvalidRequest(413, "WhatsApp body too long")
    inbound = InboundMessage(channel="whatsapp", external_id=sender, external_message_id=f"whatsapp:{sid}", text=body)
    payload = form.get("ButtonPayload", "").strip()
    if payload:
        if not PAYLOAD_RE.match(payload):
            raise InvalidRequest(400, "unknown button payload")
        return InboundMessage(channel="whatsapp", external_id=sender, external_message_id=inbound.external_message_id,
                              command=payload)  # fmt: skip
    keyword = KEYWORDS.get(body.casefold().strip(" .!"))
    if keyword:
        return InboundMessage(channel="whatsapp", external_id=sender, external_message_id=inbound.external_message_id,
                              command=keyword[0], language_hint=keyword[1])  # fmt: skip
    latitude, longitude = _coordinate(form, "Latitude", 90), _coordinate(form, "Longitude", 180)
    if latitude is not None and longitude is not None:
        # The place's name and address Twilio may add are not kept: the operator needs the point only.
        location = Attachment(kind="location", latitude=latitude, longitude=longitude)
        return InboundMessage(channel="whatsapp", external_id=sender, external_message_id=inbound.external_message_id,
                              attachments=(location,))  # fmt: skip
    media = _media(form)
    if media:
        return InboundMessage(channel="whatsapp", external_id=sender, external_message_id=inbound.external_message_id,
                              text=body, attachments=media)  # fmt: skip
    return inbound


class WhatsAppProvider(Protocol):
    """What the WhatsApp channel needs from a provider: a free-form text, or an approved template."""

    async def send_text(self, to: str, body: str, *, status_callback: str | None = None) -> str: ...

    async def send_template(self, to: str, template_id: str, variables: Mapping[str, str], *,
                            status_callback: str | None = None) -> str: ...  # fmt: skip

    async def close(self) -> None: ...


class TwilioWhatsApp:
    """:class:`WhatsAppProvider` on Twilio's Messages API with the real twilio Client.

    ``sender`` is the approved WhatsApp sender (``whatsapp:+…``); ``api_base``
    replaces https://api.twilio.com (the fake in tests).
    """

    def __init__(self, account_sid: str, auth_token: str, sender: str, api_base: str | None = None, *,
                 timeout: float = 15.0) -> None:  # fmt: skip
        self.client = make_client(account_sid, auth_token, api_base, timeout)
        self.sender = sender if sender.startswith(PREFIX) else PREFIX + sender

    async def _create(self, **kwargs: object) -> str:
        try:
            created = await self.client.messages.create_async(from_=self.sender, **kwargs)  # type: ignore[arg-type]
        except (RetryableResponse, TwilioRestException) as exc:
            raise to_send_error(exc) from exc
        return str(created.sid)

    async def send_text(self, to: str, body: str, *, status_callback: str | None = None) -> str:
        return await self._create(to=to, body=body, status_callback=status_callback)

    async def send_template(self, to: str, template_id: str, variables: Mapping[str, str], *,
                            status_callback: str | None = None) -> str:  # fmt: skip
        extra: dict[str, object] = {"content_variables": json.dumps(dict(variables))} if variables else {}
        return await self._create(to=to, content_sid=template_id, status_callback=status_callback, **extra)

    async def close(self) -> None:
        await self.client.http_client.close()  # type: ignore[attr-defined]


class WhatsAppSender:
    """The outbox's WhatsApp sender: free-form replies, or the approved template when the core asks for it.

    A message whose ``extra`` has ``template`` (the 24-hour window is closed)
    goes as the Content template configured for ``extra["language"]``; an
    operator alert (``extra["alert"]``) as the alert template when one is
    configured; buttons go as an approved quick-reply template when one is
    configured for them (``quick_reply_for``), else as numbered lines.
    WhatsApp cannot edit or delete a sent message.
    """

    channel: Channel = "whatsapp"

    def __init__(self, provider: WhatsAppProvider, templates: Mapping[str, str] | None = None,
                 status_callback_url: str | None = None, alert_template: str | None = None,
                 button_templates: Mapping[str, str] | None = None) -> None:  # fmt: skip
        self.provider = provider
        self.templates = dict(templates or {})
        self.status_callback_url = status_callback_url
        self.alert_template = alert_template
        self.button_templates = dict(button_templates or {})

    def quick_reply_for(self, message: OutboundMessage) -> str | None:
        """The quick-reply template for these buttons ("erase:kk", else "erase"), if one is configured.

        A button set is named by its commands' common prefix (``erase:yes``, ``erase:no`` → ``erase``);
        the template's button ids must be those commands, so a press comes back as ``ButtonPayload``.
        """
        names = {button.data.partition(":")[0] for row in message.buttons for button in row}
        if len(names) != 1:
            return None
        name = names.pop()
        return self.button_templates.get(f"{name}:{message.extra.get('language', '')}") or self.button_templates.get(name)

    def template_for(self, language: str | None) -> str | None:
        """The ContentSid for ``language``, else the Russian one (read across the region)."""
        return self.templates.get(language or "") or self.templates.get("ru")

    async def send(self, message: OutboundMessage) -> SendResult:
        if message.action != "send":
            raise SendError(f"whatsapp cannot {message.action}", retryable=False)
        callback = message.status_callback or self.status_callback_url
        if message.extra.get("template"):
            template = self.template_for(message.extra.get("language"))
            if template is None:
                raise SendError("whatsapp: window closed and no approved template configured", retryable=False)
            sid = await self.provider.send_template(message.address, template, {}, status_callback=callback)
            return SendResult(external_message_id=sid)
        if message.extra.get("alert") and self.alert_template:
            # An operator alert as the approved template: {{1}} the case alias, {{2}} the case's language.
            variables = {"1": message.extra["alert"], "2": message.extra.get("case_language", "?")}
            sid = await self.provider.send_template(message.address, self.alert_template, variables,
                                                    status_callback=callback)  # fmt: skip
            return SendResult(external_message_id=sid)
        quick_reply = self.quick_reply_for(message) if message.buttons and message.text else None
        if quick_reply is not None:
            sid = await self.provider.send_template(message.address, quick_reply, {"1": message.text[:1024]},
                                                    status_callback=callback)  # fmt: skip
            return SendResult(external_message_id=sid)
        body = with_options(message.text, message.buttons)
        if not body:
            raise SendError("whatsapp: empty text", retryable=False)
        return SendResult(external_message_id=await self.provider.send_text(message.address, body[:MAX_BODY],
                                                                            status_callback=callback))  # fmt: skip

    async def close(self) -> None:
        await self.provider.close()
