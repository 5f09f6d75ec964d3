"""The core entry point: dedupe, language, replies through the outbox, erasure."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from app.conversations.service import handle_inbound
from app.platform.db import session_scope
from app.platform.models import Case, Contact, DailyCount, Message, OutboxItem
from bots.messages import InboundMessage


def person(text: str = "", *, chat: str = "700100200", msg: str | None = None, channel: str = "telegram",
           command: str | None = None, chat_ref: str | None = None) -> InboundMessage:  # fmt: skip
    return InboundMessage(channel=channel, external_id=chat, external_message_id=msg or f"tg:{uuid.uuid4().hex}",
                          text=text, command=command, chat_message_id=chat_ref)  # fmt: skip


async def say(services, message: InboundMessage):  # type: ignore[no-untyped-def]
    async with session_scope(services.sessionmaker) as session:
        return await handle_inbound(session, message, services.core)


async def test_same_inbound_delivered_twice_is_stored_and_answered_once(services, recording_senders) -> None:
    first = await say(services, person("Здравствуйте", msg="tg:1"))
    second = await say(services, person("Здравствуйте", msg="tg:1"))
    await services.jobs.drain()
    assert not first.duplicate and second.duplicate
    async with services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in")) == 1
    assert len(recording_senders["telegram"].sent) == 1


async def test_reply_goes_through_the_outbox_and_leaves_no_content_behind(services, recording_senders) -> None:
    await say(services, person("привет"))
    async with services.sessionmaker() as session:
        pending = (await session.scalars(select(OutboxItem))).all()
        assert [p.status for p in pending] == ["pending"]
    await services.jobs.drain()
    sent = recording_senders["telegram"].sent
    assert sent and sent[0].address == "700100200" and sent[0].protect_content
    async with services.sessionmaker() as session:
        item = await session.scalar(select(OutboxItem))
        assert item.status == "sent" and item.address_enc == "" and item.payload_enc == ""
        bot = await session.scalar(select(Message).where(Message.sender == "bot"))
        assert bot.chat_ref == "101"  # the provider's id, kept for /erase


async def test_person_writing_kazakh_gets_kazakh_back_without_choosing(services) -> None:
    outcome = await say(services, person("Сәлеметсіз бе, маған көмек керек"))
    assert outcome.language == "kk"
    reply = outcome.replies[0].text
    assert reply == services.scripts.get(outcome.intent, "kk")


async def test_chosen_language_sticks_to_the_case(services) -> None:
    await say(services, person(command="lang:uz"))
    outcome = await say(services, person("привет"))
    assert outcome.language == "uz"


async def test_urgent_message_marks_case_and_puts_it_in_the_queue(services) -> None:
    outcome = await say(services, person("меня заперли помогите срочно"))
    assert outcome.urgent
    assert any(e.name == "case.waiting" and e.data["urgent"] for e in outcome.events)
    async with services.sessionmaker() as session:
        case = await session.scalar(select(Case))
        assert case.status == "waiting" and case.urgent and case.urgent_reason


async def test_delete_data_asks_then_leaves_no_message_or_address_behind(services, recording_senders) -> None:
    await say(services, person("у меня забрали паспорт", chat_ref="11"))
    await services.jobs.drain()
    ask = await say(services, person("удалите мою переписку", chat_ref="13"))
    assert ask.replies[0].buttons, "erasure needs a confirmation"
    await services.jobs.drain()
    await say(services, person(command="erase:yes", chat_ref="15"))
    await services.jobs.drain()
    async with services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Message)) == 0
        assert await session.scalar(select(func.count()).select_from(Contact)) == 0
        case = await session.scalar(select(Case))
        assert case.contact_id is None and case.erased
        leftovers = (await session.scalars(select(OutboxItem.address_enc))).all()
        assert all(a == "" for a in leftovers)
        assert await session.scalar(select(func.sum(DailyCount.count))) >= 2  # anonymous counts stay
    deletes = [m for m in recording_senders["telegram"].sent if m.action == "delete"]
    assert deletes and {"11", "13", "15"} <= set(deletes[0].target_message_ids)
    assert recording_senders["telegram"].sent[-1].action == "send"  # one neutral closing line


async def test_erase_can_be_cancelled(services) -> None:
    await say(services, person("удалите мои данные"))
    outcome = await say(services, person(command="erase:no"))
    assert outcome.replies[0].text == services.scripts.get("erase_cancelled", outcome.language)
    async with services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Contact)) == 1


async def test_sms_stop_keyword_is_honoured(services) -> None:
    outcome = await say(services, person(channel="sms", chat="+998901112233", command="stop", msg="sms:1"))
    async with services.sessionmaker() as session:
        contact = await session.scalar(select(Contact))
        assert contact.stopped and contact.country == "UZ"
    assert outcome.replies


async def test_safe_word_answers_innocently_and_escalates_silently(services) -> None:
    await say(services, person(command="safeword:olma"))
    outcome = await say(services, person("Olma"))
    assert outcome.urgent
    assert outcome.replies[0].text == services.scripts.get("innocent_recipe", outcome.language)


async def test_after_stop_no_more_sms_is_sent_until_start(services) -> None:
    number = "+77015550000"
    await say(services, person(channel="sms", chat=number, command="stop", msg="sms:a"))
    quiet = await say(services, person("привет", channel="sms", chat=number, msg="sms:b"))
    assert quiet.replies == []
    back = await say(services, person(channel="sms", chat=number, command="start", msg="sms:c"))
    assert back.replies and back.replies[0].text == services.scripts.get("sms_started", back.language, "sms")


async def test_unclear_language_is_answered_and_the_choice_is_offered(services) -> None:
    outcome = await say(services, person("???"))
    assert outcome.replies[0].text  # answered at once, in the best guess
    assert any(b.data == "lang:kk" for reply in outcome.replies for row in reply.buttons for b in row)
