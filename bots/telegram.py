"""Telegram: webhook updates -> InboundMessage, OutboundMessage -> Bot API calls (via aiogram).

Parsing is separate from sending so the app can verify, store and acknowledge a
webhook delivery before any outgoing call is made.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    AiogramError,
    ClientDecodeError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import CallbackQuery, Message, Update
from pydantic import ValidationError

from bots.errors import InvalidRequest
from bots.jsonbody import load_json
from bots.messages import Attachment, Channel, InboundMessage, OutboundMessage, SendError, SendResult, typed_command
from bots.telegram_ui import chat_id_value, fit_text, inline_keyboard

log = logging.getLogger(__name__)

# A language hint is passed on when it looks like a code; the app decides whether it speaks it.
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
MAX_UPDATE_BYTES = 256 * 1024
DELETE_CHUNK = 100  # deleteMessages accepts 1-100 ids
ALLOWED_UPDATES = ["message", "callback_query"]
# A revoked token needs a person to fix the configuration; retry slowly meanwhile.
UNAUTHORIZED_RETRY_S = 300.0


@dataclass(frozen=True, slots=True)
class ParsedUpdate:
    """One webhook/polled update: what the core needs plus what the app must answer.

    ``callback_query_id`` must be answered (answerCallbackQuery) or the button
    spins on the person's screen; ``chat_id`` is where that answer's chat is.
    """

    update_id: int
    inbound: InboundMessage | None = None
    callback_query_id: str | None = None
    chat_id: str | None = None
    from_user_id: str | None = None
    # The bot's message that carried the pressed button (to edit it away).
    callback_message_id: str | None = None


def verify_secret(header_value: str | None, expected: str) -> None:
    """Check X-Telegram-Bot-Api-Secret-Token in constant time."""
    if not expected:
        raise InvalidRequest(403, "webhook secret not configured")
    if header_value is None or not hmac.compare_digest(header_value.encode(), expected.encode()):
        raise InvalidRequest(403, "bad webhook secret")


def parse_update(body: bytes, *, max_bytes: int = MAX_UPDATE_BYTES) -> ParsedUpdate:
    """Validate a raw Update with aiogram's model and translate it; InvalidRequest(400/413) if not one."""
    data = load_json(body, max_bytes=max_bytes, what="update")
    if not isinstance(data, dict):
        raise InvalidRequest(400, "update is not an object")
    try:
        update = Update.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequest(400, f"not a Telegram update ({exc.error_count()} errors)") from exc
    if update.message is not None:
        return _from_message(update.update_id, update.message)
    if update.callback_query is not None:
        return _from_callback(update.update_id, update.callback_query)
    return ParsedUpdate(update_id=update.update_id)


def _language(code: str | None) -> str | None:
    lang = (code or "").lower().replace("_", "-").split("-")[0]
    return lang if LANGUAGE_CODE.match(lang) else None


def _attachments(message: Message) -> tuple[Attachment, ...]:
    """Metadata only: the file itself stays at Telegram, referenced by file_id."""
    if message.location is not None:
        loc = message.location
        return (Attachment(kind="location", latitude=loc.latitude, longitude=loc.longitude),)
    if message.photo:
        biggest = message.photo[-1]
        return (Attachment(kind="photo", mime_type="image/jpeg", size=biggest.file_size, ref=biggest.file_id),)
    media_kinds: tuple[tuple[Literal["voice", "audio", "video", "document"], Any], ...] = (
        ("voice", message.voice),
        ("audio", message.audio),
        ("video", message.video),
        ("document", message.document),
    )
    for kind, media in media_kinds:
        if media is not None:
            return (Attachment(kind=kind, mime_type=media.mime_type, size=media.file_size, ref=media.file_id),)
    if message.video_note is not None:
        note = message.video_note
        return (Attachment(kind="video", mime_type="video/mp4", size=note.file_size, ref=note.file_id),)
    if message.sticker is not None:
        st = message.sticker
        mime = "video/webm" if st.is_video else "application/x-tgsticker" if st.is_animated else "image/webp"
        return (Attachment(kind="sticker", mime_type=mime, size=st.file_size, ref=st.file_id),)
    return ()


def _from_message(update_id: int, message: Message) -> ParsedUpdate:
    chat_id = str(message.chat.id)
    user_id = str(message.from_user.id) if message.from_user else None
    if message.chat.type != "private":
        # Groups and channels are not conversations with a person: ignore, never store.
        return ParsedUpdate(update_id=update_id, chat_id=chat_id, from_user_id=user_id)
    text = message.text or message.caption or ""
    command = typed_command(text) if message.text else None
    attachments = _attachments(message)
    if not text and not attachments:
        attachments = (Attachment(kind="other"),)  # contact, poll, dice...: something came
    inbound = InboundMessage(
        channel="telegram",
        external_id=chat_id,
        external_message_id=f"tg:{update_id}",
        text="" if command else text,
        language_hint=_language(message.from_user.language_code if message.from_user else None),
        attachments=attachments,
        command=command,
        received_at=message.date,
        chat_message_id=str(message.message_id),
    )
    return ParsedUpdate(update_id=update_id, inbound=inbound, chat_id=chat_id, from_user_id=user_id)


def _from_callback(update_id: int, query: CallbackQuery) -> ParsedUpdate:
    user_id = str(query.from_user.id)
    chat_id = str(query.message.chat.id) if query.message is not None else user_id
    message_id = str(query.message.message_id) if query.message is not None else None
    inbound = None
    if query.data:
        inbound = InboundMessage(
            channel="telegram",
            external_id=chat_id,
            external_message_id=f"tg:{update_id}",
            language_hint=_language(query.from_user.language_code),
            command=query.data,
        )
    return ParsedUpdate(
        update_id=update_id,
        inbound=inbound,
        callback_query_id=query.id,
        chat_id=chat_id,
        from_user_id=user_id,
        callback_message_id=message_id,
    )


def to_send_error(exc: Exception) -> SendError:
    """Decide whether the outbox should try again; the message never holds ids or texts."""
    name = type(exc).__name__
    detail = getattr(exc, "message", "")
    if isinstance(exc, TelegramRetryAfter):
        return SendError(f"telegram {name}", retryable=True, retry_after=float(exc.retry_after))
    if isinstance(exc, TelegramEntityTooLarge | TelegramMigrateToChat):
        return SendError(f"telegram {name}: {detail}", retryable=False)
    if isinstance(exc, TelegramUnauthorizedError):
        return SendError(f"telegram {name}", retryable=True, retry_after=UNAUTHORIZED_RETRY_S)
    if isinstance(exc, TelegramForbiddenError | TelegramBadRequest | TelegramNotFound):
        return SendError(f"telegram {name}: {detail}", retryable=False)
    # Server errors, network failures, timeouts, a 409 and anything unclassified: try again later.
    return SendError(f"telegram {name}", retryable=True)


def _session(api_base: str | None, timeout: float) -> AiohttpSession:
    if api_base:
        return AiohttpSession(api=TelegramAPIServer.from_base(api_base), timeout=timeout)
    return AiohttpSession(timeout=timeout)


class TelegramSender:
    """Delivers OutboundMessages to Telegram with a real aiogram Bot; built once in the app's lifespan."""

    channel: Channel = "telegram"

    def __init__(self, token: str, api_base: str | None = None, *, timeout: float = 20.0) -> None:
        self.bot = Bot(token, session=_session(api_base, timeout))

    async def send(self, message: OutboundMessage) -> SendResult:
        """Dispatch on ``message.action``: send, edit or delete."""
        try:
            if message.action == "send":
                return await self._send(message)
            if message.action == "edit":
                return await self._edit(message)
            if message.action == "delete":
                return await self._delete(message)
        except (TimeoutError, AiogramError, OSError) as exc:
            raise to_send_error(exc) from exc
        raise SendError(f"telegram cannot {message.action}", retryable=False)

    async def _send(self, message: OutboundMessage) -> SendResult:
        if not message.text:
            raise SendError("telegram: empty text", retryable=False)
        sent = await self.bot.send_message(
            chat_id=chat_id_value(message.address),
            text=fit_text(message.text),
            reply_markup=inline_keyboard(message.buttons),
            protect_content=message.protect_content,
        )
        return SendResult(external_message_id=str(sent.message_id))

    async def _edit(self, message: OutboundMessage) -> SendResult:
        if not message.target_message_ids or not message.text:
            raise SendError("telegram: edit needs a target and a text", retryable=False)
        target = message.target_message_ids[0]
        try:
            await self.bot.edit_message_text(
                chat_id=chat_id_value(message.address),
                message_id=int(target),
                text=fit_text(message.text),
                reply_markup=inline_keyboard(message.buttons),
            )
        except TelegramBadRequest as exc:
            if "not modified" not in exc.message:  # the same edit delivered twice is done
                raise
        return SendResult(external_message_id=target)

    async def _delete(self, message: OutboundMessage) -> SendResult:
        """Delete in chunks of 100; ids Telegram refuses (older than 48 h) come back in ``not_done``."""
        chat_id = chat_id_value(message.address)
        ids = [int(i) for i in message.target_message_ids if i.isdigit()]
        not_done = [i for i in message.target_message_ids if not i.isdigit()]
        for start in range(0, len(ids), DELETE_CHUNK):
            chunk = ids[start : start + DELETE_CHUNK]
            try:
                await self.bot.delete_messages(chat_id=chat_id, message_ids=chunk)
            except TelegramBadRequest:
                # One undeletable id fails the batch: find which, one by one.
                not_done.extend(await self._delete_each(chat_id, chunk))
        return SendResult(not_done=tuple(not_done))

    async def _delete_each(self, chat_id: int | str, ids: list[int]) -> list[str]:
        failed: list[str] = []
        for message_id in ids:
            try:
                await self.bot.delete_message(chat_id=chat_id, message_id=message_id)
            except TelegramBadRequest as exc:
                if "not found" not in exc.message:  # already gone counts as deleted (e.g. on retry)
                    failed.append(str(message_id))
        return failed

    async def answer_callback(self, callback_query_id: str, text: str | None = None) -> None:
        """Stop the button's spinner; a failure here is never worth retrying."""
        try:
            await self.bot.answer_callback_query(callback_query_id=callback_query_id, text=text)
        except (TimeoutError, AiogramError, OSError) as exc:
            raise to_send_error(exc) from exc

    async def set_webhook(self, url: str, secret: str, *, drop_pending_updates: bool = False) -> None:
        """Register the app's webhook with the secret Telegram will echo in every delivery."""
        try:
            await self.bot.set_webhook(
                url=url,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=drop_pending_updates,
            )
        except (TimeoutError, AiogramError, OSError) as exc:
            raise to_send_error(exc) from exc

    async def close(self) -> None:
        await self.bot.session.close()


async def poll(
    token: str,
    api_base: str | None,
    handle: Callable[[bytes], Awaitable[None]],
    *,
    timeout: int = 25,
    stop: asyncio.Event | None = None,
    backoff: float = 1.0,
) -> None:
    """Development long polling: hand every update to ``handle`` as JSON bytes, like a webhook body.

    Removes any webhook first (getUpdates is refused while one is set). Runs until
    ``stop`` is set or the task is cancelled.
    """
    bot = Bot(token, session=_session(api_base, timeout + 10))
    offset: int | None = None
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        while stop is None or not stop.is_set():
            try:
                updates = await bot.get_updates(offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES)
            except TelegramRetryAfter as exc:
                await asyncio.sleep(exc.retry_after)
                continue
            except (TimeoutError, TelegramServerError, TelegramNetworkError, ClientDecodeError, OSError):
                log.warning("telegram polling failed; retrying")
                await asyncio.sleep(backoff)
                continue
            for update in updates:
                offset = update.update_id + 1
                raw = update.model_dump_json(exclude_none=True, by_alias=True).encode()
                try:
                    await handle(raw)
                except Exception as exc:  # noqa: BLE001 - one bad update must not stop polling
                    log.error("polled update not handled", extra={"error": type(exc).__name__})
        if offset is not None:  # confirm what was handled, so a restart does not replay it
            await bot.get_updates(offset=offset, timeout=0, limit=1, allowed_updates=ALLOWED_UPDATES)
    finally:
        await bot.session.close()
