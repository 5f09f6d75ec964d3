"""The one inbound and one outbound message type every channel adapter speaks.

Adapters turn their channel's traffic into :class:`InboundMessage` and deliver
:class:`OutboundMessage`; the core never sees aiogram or twilio objects, and the
adapters never see cases, scripts or routing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

Channel = Literal["telegram", "sms", "voice", "webchat", "cli", "whatsapp"]
CHANNELS: tuple[Channel, ...] = ("telegram", "sms", "voice", "webchat", "cli", "whatsapp")


@dataclass(frozen=True, slots=True)
class Attachment:
    """Metadata of something the person sent besides text; never its content."""

    kind: Literal["photo", "voice", "audio", "video", "document", "sticker", "location", "recording", "other"]
    mime_type: str | None = None
    size: int | None = None
    # A shared location is the one attachment whose content matters to an operator.
    latitude: float | None = None
    longitude: float | None = None
    # Provider reference (Telegram file_id, Twilio recording URL); stored encrypted only.
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """What a person sent, as the core needs it.

    ``external_id`` is the delivery address on the channel (chat id, phone
    number, web-chat session); the core pseudonymises and encrypts it at once.
    ``command`` carries bot commands and button presses (``start``, ``erase``,
    ``lang:kk``, ``erase_confirm``), ``text`` what the person typed or said.
    """

    channel: Channel
    external_id: str
    external_message_id: str
    text: str = ""
    language_hint: str | None = None
    attachments: tuple[Attachment, ...] = ()
    command: str | None = None
    received_at: datetime | None = None
    # The channel's id of the person's message inside the chat (Telegram
    # message_id), kept so that /erase can delete it later.
    chat_message_id: str | None = None


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """Something to deliver to a person or an operator on one channel.

    ``action`` is ``send`` for a new message, ``edit`` to replace the text of
    ``target_message_ids[0]``, ``delete`` to remove ``target_message_ids``,
    ``call`` to ring ``address`` (voice alerts), ``hangup`` to end ``target_message_ids``.
    """

    channel: Channel
    address: str
    text: str = ""
    action: Literal["send", "edit", "delete", "call", "hangup"] = "send"
    buttons: tuple[tuple[Button, ...], ...] = ()
    target_message_ids: tuple[str, ...] = ()
    protect_content: bool = True
    status_callback: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SendResult:
    """What the provider answered: its id(s) for what was sent, and what failed."""

    external_message_id: str | None = None
    not_done: tuple[str, ...] = ()


class SendError(Exception):
    """A delivery that failed; ``retryable`` tells the outbox whether to try again."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class Sender(Protocol):
    """What every channel adapter offers the outbox worker."""

    channel: Channel

    async def send(self, message: OutboundMessage) -> SendResult: ...

    async def close(self) -> None: ...
