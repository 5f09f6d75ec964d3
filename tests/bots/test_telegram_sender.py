"""The real aiogram Bot, pointed at the loopback Bot API, delivers and maps failures for the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bots.messages import Button, OutboundMessage, SendError
from bots.telegram import TelegramSender, parse_update, poll
from tests.fakes.telegram_api import FakeTelegramAPI

CHAT = "700100200"


@pytest.fixture
async def sender(fake_telegram: FakeTelegramAPI) -> AsyncIterator[TelegramSender]:
    s = TelegramSender(fake_telegram.token, fake_telegram.base_url, timeout=2)
    yield s
    await s.close()


def out(**kw: object) -> OutboundMessage:
    return OutboundMessage(channel="telegram", address=CHAT, **kw)  # type: ignore[arg-type]


async def test_send_delivers_protected_text_with_inline_keyboard(fake_telegram, sender) -> None:
    buttons = ((Button("Русский", "lang:ru"), Button("Қазақша", "lang:kk")), (Button("O'zbekcha", "lang:uz"),))
    result = await sender.send(out(text="Выберите язык", buttons=buttons))
    (params,) = fake_telegram.calls_for("sendMessage")
    assert params["chat_id"] == CHAT and params["text"] == "Выберите язык"
    assert params["protect_content"] == "true"
    assert params["reply_markup"] == {"inline_keyboard": [
        [{"text": "Русский", "callback_data": "lang:ru"}, {"text": "Қазақша", "callback_data": "lang:kk"}],
        [{"text": "O'zbekcha", "callback_data": "lang:uz"}]]}  # fmt: skip
    assert result.external_message_id is not None and result.external_message_id.isdigit()
    assert fake_telegram.sent_texts(CHAT) == ["Выберите язык"]


async def test_send_without_buttons_sends_no_keyboard(fake_telegram, sender) -> None:
    await sender.send(out(text="ok"))
    assert "reply_markup" not in fake_telegram.calls_for("sendMessage")[0]


async def test_each_send_gets_a_new_message_id(sender) -> None:
    first = await sender.send(out(text="a"))
    second = await sender.send(out(text="b"))
    assert int(second.external_message_id) > int(first.external_message_id)  # type: ignore[arg-type]


async def test_edit_replaces_text_of_target_message(fake_telegram, sender) -> None:
    result = await sender.send(out(action="edit", text="Готово", target_message_ids=("1234",)))
    (params,) = fake_telegram.calls_for("editMessageText")
    assert (params["chat_id"], params["message_id"], params["text"]) == (CHAT, "1234", "Готово")
    assert result.external_message_id == "1234"


async def test_repeated_edit_counts_as_done(fake_telegram, sender) -> None:
    fake_telegram.fail_next("editMessageText", 400, description="Bad Request: message is not modified")
    result = await sender.send(out(action="edit", text="same", target_message_ids=("5",)))
    assert result.external_message_id == "5"


async def test_delete_goes_in_chunks_of_100(fake_telegram, sender) -> None:
    ids = tuple(str(i) for i in range(1, 251))
    result = await sender.send(out(action="delete", target_message_ids=ids))
    chunks = [p["message_ids"] for p in fake_telegram.calls_for("deleteMessages")]
    assert [len(c) for c in chunks] == [100, 100, 50]
    assert [i for c in chunks for i in c] == list(range(1, 251))
    assert result.not_done == ()


async def test_delete_reports_messages_telegram_refuses(fake_telegram, sender) -> None:
    fake_telegram.undeletable = {(CHAT, 3), (CHAT, 150)}
    ids = tuple(str(i) for i in range(1, 201))
    result = await sender.send(out(action="delete", target_message_ids=ids))
    assert result.not_done == ("3", "150")
    assert (CHAT, 4) in fake_telegram.deleted and (CHAT, 3) not in fake_telegram.deleted


async def test_delete_retry_does_not_report_already_deleted_messages(fake_telegram, sender) -> None:
    fake_telegram.deleted = {(CHAT, 1), (CHAT, 2)}
    fake_telegram.undeletable = {(CHAT, 9)}
    result = await sender.send(out(action="delete", target_message_ids=("1", "2", "9")))
    assert result.not_done == ("9",)


async def test_too_many_requests_is_retryable_after_telegrams_delay(fake_telegram, sender) -> None:
    fake_telegram.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(SendError) as err:
        await sender.send(out(text="x"))
    assert err.value.retryable and err.value.retry_after == 7


@pytest.mark.parametrize("status", [500, 502])
async def test_server_errors_are_retryable(fake_telegram, sender, status: int) -> None:
    fake_telegram.fail_next("sendMessage", status)
    with pytest.raises(SendError) as err:
        await sender.send(out(text="x"))
    assert err.value.retryable and err.value.retry_after is None


@pytest.mark.parametrize("status", [400, 403])
async def test_blocked_bot_and_bad_requests_are_not_retried(fake_telegram, sender, status: int) -> None:
    fake_telegram.fail_next("sendMessage", status)
    with pytest.raises(SendError) as err:
        await sender.send(out(text="secret words"))
    assert not err.value.retryable
    assert CHAT not in str(err.value) and "secret words" not in str(err.value)


async def test_timeout_is_retryable(fake_telegram) -> None:
    quick = TelegramSender(fake_telegram.token, fake_telegram.base_url, timeout=0.3)
    fake_telegram.delay(1.0)
    try:
        with pytest.raises(SendError) as err:
            await quick.send(out(text="x"))
        assert err.value.retryable
    finally:
        fake_telegram.delay(0)
        await quick.close()


async def test_unreachable_api_is_retryable() -> None:
    gone = TelegramSender("1:x", "http://127.0.0.1:9", timeout=1)
    try:
        with pytest.raises(SendError) as err:
            await gone.send(out(text="x"))
        assert err.value.retryable
    finally:
        await gone.close()


async def test_failure_recovers_after_injected_faults(fake_telegram, sender) -> None:
    fake_telegram.fail_next("sendMessage", 500, times=2)
    for _ in range(2):
        with pytest.raises(SendError):
            await sender.send(out(text="x"))
    assert (await sender.send(out(text="x"))).external_message_id


async def test_unsupported_action_is_not_retried(sender) -> None:
    with pytest.raises(SendError) as err:
        await sender.send(out(action="call"))
    assert not err.value.retryable


async def test_answer_callback_reaches_telegram(fake_telegram, sender) -> None:
    await sender.answer_callback("cb-1", "Принято")
    (params,) = fake_telegram.calls_for("answerCallbackQuery")
    assert params["callback_query_id"] == "cb-1" and params["text"] == "Принято"


async def test_set_webhook_registers_url_secret_and_update_kinds(fake_telegram, sender) -> None:
    await sender.set_webhook("https://help.example/telegram/webhook", "s3cret")
    hook = fake_telegram.webhook
    assert hook["url"] == "https://help.example/telegram/webhook" and hook["secret_token"] == "s3cret"
    assert hook["allowed_updates"] == ["message", "callback_query"]


async def test_poll_hands_raw_updates_that_parse_like_webhooks(fake_telegram) -> None:
    fake_telegram.webhook = {"url": "https://old"}
    fake_telegram.push_update(fake_telegram.make_text_update(11, "привет", update_id=500))
    fake_telegram.push_update(fake_telegram.make_callback_update(11, "lang:kk", message_id=3, update_id=501))
    received: list[bytes] = []
    stop = asyncio.Event()

    async def handle(raw: bytes) -> None:
        received.append(raw)
        if len(received) == 2:
            stop.set()

    await asyncio.wait_for(poll(fake_telegram.token, fake_telegram.base_url, handle, timeout=1, stop=stop), 10)
    first, second = (parse_update(raw) for raw in received)
    assert first.inbound is not None and first.inbound.text == "привет" and first.update_id == 500
    assert second.inbound is not None and second.inbound.command == "lang:kk" and second.callback_query_id
    assert fake_telegram.webhook == {}  # polling removed the webhook first
    offsets = [p.get("offset") for p in fake_telegram.calls_for("getUpdates")]
    assert "502" in offsets
