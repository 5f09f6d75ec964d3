"""SMS through Twilio: webhook forms -> InboundMessage, OutboundMessage -> Messages/Calls API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from twilio.base.exceptions import TwilioRestException

from bots.errors import InvalidRequest
from bots.messages import Attachment, Channel, InboundMessage, OutboundMessage, SendError, SendResult, typed_command
from bots.sms_text import fit_sms, is_gsm7, sms_segments
from bots.twilio_rest import RetryableResponse, make_client, to_send_error, verify_twilio_signature

__all__ = ["DeliveryStatus", "TwilioSMSSender", "fit_sms", "is_gsm7", "parse_sms", "parse_status_callback",
           "sms_segments", "verify_twilio_signature"]  # fmt: skip

MAX_SMS_BODY = 1600  # Twilio's own limit for one concatenated message
# Keyword -> (command, language hint). Matched against the whole body, case-insensitively.
KEYWORDS: dict[str, tuple[str, str | None]] = {
    "stop": ("stop", None), "stopall": ("stop", None), "unsubscribe": ("stop", None),
    "стоп": ("stop", "ru"), "toxta": ("stop", "uz"), "to'xta": ("stop", "uz"),
    "start": ("start", None), "unstop": ("start", None), "старт": ("start", "ru"), "boshlash": ("start", "uz"),
    "help": ("help", None),
}  # fmt: skip
CALL_NOT_IN_PROGRESS = 21220  # hanging up a call that already ended

@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """A Twilio status callback: queued, sent, delivered, undelivered, failed..."""

    message_sid: str
    status: str
    error_code: str | None = None


def _required(form: Mapping[str, str], *names: str) -> str:
    for name in names:
        if form.get(name):
            return form[name]
    raise InvalidRequest(400, f"missing {names[0]}")


def _media_kind(mime: str) -> str:
    major = mime.split("/", 1)[0]
    return {"image": "photo", "audio": "audio", "video": "video"}.get(major, "document")


def _typed(body: str) -> str | None:
    """A slash command as on every channel; "SAFEWORD olma" also without the slash (awkward on a phone)."""
    command = typed_command(body)
    if command is None and (bare := typed_command(body, slash=False)) and bare.partition(":")[0] == "safeword":
        command = bare
    return command


def parse_sms(form: Mapping[str, str]) -> InboundMessage:
    """Translate Twilio's incoming-SMS form; opt-out/opt-in/help keywords become commands."""
    sender = _required(form, "From")
    sid = _required(form, "MessageSid", "SmsSid")
    body = form.get("Body", "").strip()
    if len(body) > MAX_SMS_BODY:
        raise InvalidRequest(413, "SMS body too long")
    keyword = KEYWORDS.get(body.casefold().strip(" .!"))
    typed = None if keyword else _typed(body)
    try:
        media_count = min(int(form.get("NumMedia", "0") or 0), 10)
    except ValueError as exc:
        raise InvalidRequest(400, "bad NumMedia") from exc
    attachments = tuple(
        Attachment(kind=_media_kind(mime), mime_type=mime, ref=form.get(f"MediaUrl{i}"))  # type: ignore[arg-type]
        for i in range(media_count)
        for mime in [form.get(f"MediaContentType{i}", "application/octet-stream")]
    )
    return InboundMessage(
        channel="sms",
        external_id=sender,
        external_message_id=f"sms:{sid}",
        text="" if keyword or typed else body,
        command=keyword[0] if keyword else typed,
        language_hint=keyword[1] if keyword else None,
        attachments=attachments,
    )


def parse_status_callback(form: Mapping[str, str]) -> DeliveryStatus:
    """Translate a message status callback (the outbox links it by ``message_sid``)."""
    return DeliveryStatus(
        message_sid=_required(form, "MessageSid", "SmsSid"),
        status=_required(form, "MessageStatus", "SmsStatus"),
        error_code=form.get("ErrorCode") or None,
    )


class TwilioSMSSender:
    """Sends SMS (and places/ends operator alert calls) with the real twilio Client.

    ``api_base`` replaces https://api.twilio.com for every request (the fake in tests).
    """

    channel: Channel = "sms"

    def __init__(self, account_sid: str, auth_token: str, from_number: str, api_base: str | None = None,
                 status_callback_url: str | None = None, *, timeout: float = 15.0) -> None:  # fmt: skip
        self.client = make_client(account_sid, auth_token, api_base, timeout)
        self.from_number = from_number
        self.status_callback_url = status_callback_url

    async def send(self, message: OutboundMessage) -> SendResult:
        """``send`` an SMS; ``call``/``hangup`` are accepted too so voice alerts can share the sender."""
        if message.action == "send":
            if not message.text:
                raise SendError("sms: empty text", retryable=False)
            try:
                created = await self.client.messages.create_async(
                    to=message.address,
                    from_=self.from_number,
                    body=message.text,
                    status_callback=message.status_callback or self.status_callback_url,
                )
            except (RetryableResponse, TwilioRestException) as exc:
                raise to_send_error(exc) from exc
            return SendResult(external_message_id=created.sid)
        if message.action == "call":
            extra = message.extra
            sid = await self.call(message.address, twiml_url=extra.get("twiml_url"), twiml=extra.get("twiml"),
                                  status_callback=message.status_callback)
            return SendResult(external_message_id=sid)
        if message.action == "hangup":
            for call_sid in message.target_message_ids:
                await self.hangup(call_sid)
            return SendResult()
        raise SendError(f"sms cannot {message.action}", retryable=False)

    async def call(self, to: str, twiml_url: str | None = None, twiml: str | None = None, *,
                   status_callback: str | None = None, timeout: int = 20) -> str:  # fmt: skip
        """Ring ``to`` from the hotline number and run ``twiml_url`` (or inline ``twiml``); returns the CallSid."""
        if not (twiml_url or twiml):
            raise SendError("call needs twiml_url or twiml", retryable=False)
        kwargs: dict[str, object] = {"url": twiml_url} if twiml_url else {"twiml": twiml}
        if status_callback:
            kwargs["status_callback"] = status_callback
        try:
            created = await self.client.calls.create_async(to=to, from_=self.from_number, timeout=timeout, **kwargs)
        except (RetryableResponse, TwilioRestException) as exc:
            raise to_send_error(exc) from exc
        return str(created.sid)

    async def hangup(self, call_sid: str) -> None:
        """End a call (e.g. other operators' alerts once one accepted); an already ended call is fine."""
        try:
            await self.client.calls(call_sid).update_async(status="completed")
        except TwilioRestException as exc:
            if exc.code == CALL_NOT_IN_PROGRESS or exc.status == 404:
                return
            raise to_send_error(exc) from exc
        except RetryableResponse as exc:
            raise to_send_error(exc) from exc

    async def close(self) -> None:
        await self.client.http_client.close()  # type: ignore[attr-defined]
