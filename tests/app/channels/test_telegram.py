"""Telegram end to end: webhook in through the app, real aiogram out to the fake Bot API."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from app.platform.models import Contact, InboundDelivery, Message
from tests.app.channels.conftest import SECRET
from tests.fakes.telegram_api import FakeTelegramAPI

CHAT = 700100200
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}


async def post_update(client, update: dict, headers: dict | None = None):  # type: ignore[no-untyped-def]
    return await client.post("/webhooks/telegram", content=json.dumps(update), headers=HEADERS if headers is None else {"Content-Type": "application/json", **headers})


async def test_update_in_gives_a_protected_send_message_out(client, fake_telegram: FakeTelegramAPI) -> None:
    response = await post_update(client, fake_telegram.make_text_update(CHAT, "Здравствуйте"))
    assert response.status_code == 200
    await client.services.jobs.drain()
    sent = fake_telegram.calls_for("sendMessage")
    assert len(sent) == 1 and str(sent[0]["chat_id"]) == str(CHAT)
    assert str(sent[0].get("protect_content")).lower() == "true"


async def test_wrong_secret_is_refused_and_nothing_is_stored_or_sent(client, fake_telegram: FakeTelegramAPI) -> None:
    for headers in ({"X-Telegram-Bot-Api-Secret-Token": "nope"}, {}):
        response = await post_update(client, fake_telegram.make_text_update(CHAT, "привет"), headers)
        assert response.status_code == 403
    await client.services.jobs.drain()
    async with client.services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(InboundDelivery)) == 0
    assert fake_telegram.calls_for("sendMessage") == []


async def test_malformed_update_is_a_clean_400(client) -> None:
    response = await client.post("/webhooks/telegram", content=b"{not json", headers=HEADERS)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


async def test_duplicate_delivery_is_answered_once(client, fake_telegram: FakeTelegramAPI) -> None:
    update = fake_telegram.make_text_update(CHAT, "привет", update_id=777)
    assert (await post_update(client, update)).status_code == 200
    assert (await post_update(client, update)).status_code == 200
    await client.services.jobs.drain()
    assert len(fake_telegram.calls_for("sendMessage")) == 1


async def test_bot_api_500_then_429_is_retried_and_delivered_later(client, fake_telegram: FakeTelegramAPI) -> None:
    from datetime import timedelta

    from app.outbox.worker import OutboxWorker
    from app.platform.models import OutboxItem, utcnow

    services = client.services

    async def status() -> str:
        async with services.sessionmaker() as session:
            return (await session.scalar(select(OutboxItem))).status

    fake_telegram.fail_next("sendMessage", 500)
    await post_update(client, fake_telegram.make_text_update(CHAT, "привет"))
    await services.jobs.drain()
    assert len(fake_telegram.calls_for("sendMessage")) == 1 and await status() == "pending"
    fake_telegram.fail_next("sendMessage", 429, retry_after=7)
    later = OutboxWorker(services.sessionmaker, services.vault, services.senders, clock=lambda: utcnow() + timedelta(seconds=5))
    await later.run_once()
    assert len(fake_telegram.calls_for("sendMessage")) == 2 and await status() == "pending"
    await later.run_once()
    assert len(fake_telegram.calls_for("sendMessage")) == 2, "retry_after=7 is honoured"
    much_later = OutboxWorker(services.sessionmaker, services.vault, services.senders,
                              clock=lambda: utcnow() + timedelta(seconds=20))  # fmt: skip
    await much_later.run_once()
    assert len(fake_telegram.calls_for("sendMessage")) == 3 and await status() == "sent"


async def test_erase_deletes_the_chat_messages_and_leaves_no_data(client, fake_telegram: FakeTelegramAPI) -> None:
    await post_update(client, fake_telegram.make_text_update(CHAT, "у меня забрали паспорт"))
    await client.services.jobs.drain()
    await post_update(client, fake_telegram.make_text_update(CHAT, "/erase"))
    await client.services.jobs.drain()
    confirm = fake_telegram.calls_for("sendMessage")[-1]
    assert "erase:yes" in json.dumps(confirm, ensure_ascii=False)
    await post_update(client, fake_telegram.make_callback_update(CHAT, "erase:yes", message_id=3))
    await client.services.jobs.drain()
    deleted = fake_telegram.calls_for("deleteMessages") + fake_telegram.calls_for("deleteMessage")
    assert deleted, "the chat history is deleted at Telegram"
    async with client.services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Message)) == 0
        assert await session.scalar(select(func.count()).select_from(Contact)) == 0
    assert fake_telegram.calls_for("answerCallbackQuery")


async def test_shared_location_is_kept_for_the_operator(client, fake_telegram: FakeTelegramAPI) -> None:
    from app.platform.models import Case

    await post_update(client, fake_telegram.make_location_update(CHAT, 43.2389, 76.8897))
    await client.services.jobs.drain()
    async with client.services.sessionmaker() as session:
        case = await session.scalar(select(Case))
    assert case.location_enc and "43.2" not in case.location_enc


async def test_set_webhook_command_registers_the_public_url_with_its_secret(channel_settings, fake_telegram) -> None:
    import asyncio
    import os
    import sys

    env = {**os.environ, "HELPLINE_DATABASE_URL": channel_settings.database_url, "HELPLINE_DATA_DIR": str(channel_settings.data_dir),
           "HELPLINE_TELEGRAM_TOKEN": fake_telegram.token, "HELPLINE_TELEGRAM_WEBHOOK_SECRET": SECRET,
           "HELPLINE_TELEGRAM_API_BASE": fake_telegram.base_url, "HELPLINE_PUBLIC_URL": "https://helpline.example.org"}  # fmt: skip
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "app.cli", "telegram", "set-webhook", env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    call = fake_telegram.calls_for("setWebhook")[0]
    assert call["url"] == "https://helpline.example.org/webhooks/telegram" and call["secret_token"] == SECRET


async def test_erase_says_what_telegram_would_not_delete(client, fake_telegram: FakeTelegramAPI) -> None:
    first = fake_telegram.make_text_update(CHAT, "у меня забрали паспорт")
    await post_update(client, first)
    await client.services.jobs.drain()
    fake_telegram.undeletable.add((str(CHAT), int(first["message"]["message_id"])))  # older than 48 hours
    await post_update(client, fake_telegram.make_text_update(CHAT, "/erase"))
    await client.services.jobs.drain()
    await post_update(client, fake_telegram.make_callback_update(CHAT, "erase:yes", message_id=3))
    await client.services.jobs.drain()
    partial = client.services.scripts.get("erase_partial", "ru")
    assert partial in fake_telegram.sent_texts(CHAT)


async def test_the_danger_question_has_yes_no_buttons_and_yes_escalates(client, fake_telegram: FakeTelegramAPI) -> None:
    from app.platform.models import Case

    await post_update(client, fake_telegram.make_text_update(CHAT, "у меня забрали паспорт"))
    await client.services.jobs.drain()
    question = fake_telegram.calls_for("sendMessage")[-1]
    assert question["text"] == client.services.scripts.get("danger_check", "ru")
    assert all(data in json.dumps(question, ensure_ascii=False) for data in ("danger:yes", "danger:no"))
    await post_update(client, fake_telegram.make_callback_update(CHAT, "danger:yes", message_id=3))
    await client.services.jobs.drain()
    async with client.services.sessionmaker() as session:
        case = await session.scalar(select(Case))
        assert case.urgent and case.status == "waiting" and case.urgent_reason == "danger_answer"


async def test_the_fast_path_answers_every_kind_of_request_as_the_framework_route_does(client, fake_telegram) -> None:  # type: ignore[no-untyped-def]
    """The webhook is taken before the framework's routing; the route it stands in for answers alike."""
    import httpx

    from app.channels.routes import TelegramFastPath

    app = client.app
    routed = type(app)(routes=[])  # the same app's routes and handlers, without the fast path
    routed.router = app.router
    routed.state = app.state
    routed.exception_handlers = app.exception_handlers
    routed.user_middleware = [m for m in app.user_middleware if m.cls is not TelegramFastPath]
    assert len(routed.user_middleware) == len(app.user_middleware) - 1
    requests = [
        (json.dumps(fake_telegram.make_text_update(CHAT, "Здравствуйте", update_id=9001)), HEADERS),
        (json.dumps(fake_telegram.make_text_update(CHAT, "Здравствуйте", update_id=9001)), HEADERS),  # a retry
        (json.dumps(fake_telegram.make_text_update(CHAT, "привет", update_id=9002)), {**HEADERS, "X-Telegram-Bot-Api-Secret-Token": "nope"}),
        ("{not json", HEADERS),
        (json.dumps({"update_id": 9003, "edited_message": {}}), HEADERS),
        ("x" * (300 * 1024), HEADERS),
    ]  # fmt: skip
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=routed), base_url=str(client.base_url)) as plain:
        for body, headers in requests:
            fast, slow = (await client.post("/webhooks/telegram", content=body, headers=headers),
                          await plain.post("/webhooks/telegram", content=body, headers=headers))  # fmt: skip
            assert (fast.status_code, fast.json()) == (slow.status_code, slow.json()), body[:40]
