"""The opt-in check-in: one neutral line when a consented follow-up comes due, only where the channel allows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml
from sqlalchemy import select, update

from app.oncall.checkins import KEY
from app.outbox.service import open_item
from app.platform import languages as registry
from app.platform.db import session_scope
from app.platform.models import Case, CaseFollowUp, Contact, OutboxItem, utcnow
from app.privacy.service import erase_contact
from app.scripts.service import SEED_DIR
from tests.conftest import PG_URL
from tests.pages import person_writes, services_of, signed_in

URGENT = "Помогите срочно, меня заперли на складе, паспорт забрали"
ADDRESSES = {"telegram": "5550001", "sms": "+77015550123", "whatsapp": "whatsapp:+77015550123", "webchat": "w-session-1",
             "voice": "+77015550177"}  # fmt: skip


async def _follow_up(client, channel: str, *, checkin: bool = True) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A person writes on ``channel``; an operator takes the case and schedules a follow-up in an hour."""
    outcome = await person_writes(client, URGENT, channel=channel, external_id=ADDRESSES[channel])
    token = await signed_in(client, "dilnoza", languages=("ru", "uz"))
    await client.post(f"/console/case/{outcome.case_alias}/take", data={"csrf": token})
    due = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    form = {"csrf": token, "due_at": due, **({"checkin": "1"} if checkin else {})}
    planned = await client.post(f"/console/case/{outcome.case_alias}/follow-ups", data=form)
    assert "record=saved" in planned.headers["location"]
    return outcome.case_alias, token


async def _comes_due(client) -> None:  # type: ignore[no-untyped-def]
    async with session_scope(services_of(client).sessionmaker) as session:
        await session.execute(update(CaseFollowUp).values(due_at=utcnow() - timedelta(minutes=5)))


async def _task(client) -> CaseFollowUp:  # type: ignore[no-untyped-def]
    async with session_scope(services_of(client).sessionmaker) as session:
        task = await session.scalar(select(CaseFollowUp))
        assert task is not None
        return task


async def _queued_check_ins(client, alias: str) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    """(text, template) of every line queued to the person after the case's own replies, oldest first."""
    services = services_of(client)
    async with session_scope(services.sessionmaker) as session:
        case = await session.scalar(select(Case).where(Case.alias == alias))
        rows = (await session.scalars(select(OutboxItem).where(OutboxItem.case_id == case.id)
                                      .order_by(OutboxItem.next_attempt_at))).all()  # fmt: skip
        messages = [open_item(services.vault, row) for row in rows if row.address_enc]  # sent ones are purged
    checkins = {services.scripts.get(KEY, lang, v) for lang in ("ru", "uz", "uz-Cyrl") for v in ("chat", "sms")}
    return [(m.text, m.extra.get("template")) for m in messages if m.text in checkins or m.extra.get("template")]


async def test_a_consented_follow_up_sends_one_neutral_check_in_on_telegram_when_due(client, recording_senders) -> None:  # type: ignore[no-untyped-def]
    alias, _ = await _follow_up(client, "telegram")
    services = services_of(client)
    text = services.scripts.get(KEY, "ru")
    assert await services.checkins.run_due() == 0, "not due yet"
    await _comes_due(client)
    assert await services.checkins.run_due() == 1
    assert await services.checkins.run_due() == 0, "at most once per follow-up"
    await services.jobs.drain()
    sent = [m for m in recording_senders["telegram"].sent if m.text == text]
    assert len(sent) == 1 and sent[0].address == ADDRESSES["telegram"]
    task = await _task(client)
    assert task.checkin_result == "sent" and task.checkin_at is not None and task.done_at is None
    page = await client.get(f"/console/case/{alias}?lang=ru")
    assert "проверка отправлена" in page.text and text in page.text, "the operator sees the line in the conversation"
    console = await client.get("/console?lang=en")
    assert f"/console/case/{alias}#record" in console.text and "check-in sent" in console.text, "still due for the operator"


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: several instances claim due check-ins with SKIP LOCKED")
async def test_two_instances_running_the_job_at_once_send_one_check_in(client) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from app.oncall.checkins import CheckIns

    alias, _ = await _follow_up(client, "telegram")
    services = services_of(client)
    await _comes_due(client)
    other = CheckIns(services.sessionmaker, services.oncall, services.events, webchat_open=lambda _: False,
                     skip_locked=True)  # fmt: skip
    counts = await asyncio.gather(services.checkins.run_due(), other.run_due())
    assert sorted(counts) == [0, 1]
    assert len(await _queued_check_ins(client, alias)) == 1


async def test_no_consent_no_check_in(client, recording_senders) -> None:  # type: ignore[no-untyped-def]
    await _follow_up(client, "telegram", checkin=False)
    await _comes_due(client)
    services = services_of(client)
    assert await services.checkins.run_due() == 0
    await services.jobs.drain()
    assert services.scripts.get(KEY, "ru") not in [m.text for m in recording_senders["telegram"].sent]
    assert (await _task(client)).checkin_at is None


async def test_a_follow_up_done_before_it_is_due_sends_nothing(client) -> None:  # type: ignore[no-untyped-def]
    alias, token = await _follow_up(client, "telegram")
    task = await _task(client)
    await client.post(f"/console/case/{alias}/follow-ups/{task.id}/done", data={"csrf": token})
    await _comes_due(client)
    assert await services_of(client).checkins.run_due() == 0
    assert await _queued_check_ins(client, alias) == []


async def test_sms_gets_the_short_check_in_but_not_after_stop(client, recording_senders) -> None:  # type: ignore[no-untyped-def]
    await _follow_up(client, "sms")
    services = services_of(client)
    await _comes_due(client)
    assert await services.checkins.run_due() == 1
    await services.jobs.drain()
    assert services.scripts.get(KEY, "ru", "sms") in [m.text for m in recording_senders["sms"].sent]

    async with session_scope(services.sessionmaker) as session:
        await session.execute(update(CaseFollowUp).values(checkin_at=None, checkin_result=None))
        await session.execute(update(Contact).values(stopped=True))
    assert await services.checkins.run_due() == 0
    assert (await _task(client)).checkin_result == "stopped"
    await services.jobs.drain()
    short = services.scripts.get(KEY, "ru", "sms")
    assert [m.text for m in recording_senders["sms"].sent].count(short) == 1, "only the one before STOP"


async def test_whatsapp_inside_the_window_gets_the_line_itself(client) -> None:  # type: ignore[no-untyped-def]
    alias, _ = await _follow_up(client, "whatsapp")
    await _comes_due(client)
    assert await services_of(client).checkins.run_due() == 1
    assert await _queued_check_ins(client, alias) == [(services_of(client).scripts.get(KEY, "ru"), None)]
    assert (await _task(client)).checkin_result == "sent"


async def test_whatsapp_outside_the_window_sends_the_approved_template_and_holds_the_line(client) -> None:  # type: ignore[no-untyped-def]
    alias, _ = await _follow_up(client, "whatsapp")
    services = services_of(client)
    async with session_scope(services.sessionmaker) as session:
        await session.execute(update(Contact).values(last_seen=utcnow() - timedelta(hours=25)))
    await _comes_due(client)
    assert await services.checkins.run_due() == 1
    assert await _queued_check_ins(client, alias) == [("", "new_message"), (services.scripts.get(KEY, "ru"), None)]
    async with session_scope(services.sessionmaker) as session:
        held = await session.scalar(select(OutboxItem).order_by(OutboxItem.next_attempt_at.desc()))
        assert held is not None and held.next_attempt_at > utcnow() + timedelta(days=7), "waits for the person"
    assert (await _task(client)).checkin_result == "held"


async def test_web_chat_gets_the_check_in_only_while_the_page_is_open(client, recording_senders) -> None:  # type: ignore[no-untyped-def]
    alias, _ = await _follow_up(client, "webchat")
    services = services_of(client)
    await _comes_due(client)
    services.checkins.webchat_open = lambda session_id: False  # the tab was closed: the session is gone
    assert await services.checkins.run_due() == 0
    assert (await _task(client)).checkin_result == "gone"
    assert await _queued_check_ins(client, alias) == []

    async with session_scope(services.sessionmaker) as session:
        await session.execute(update(CaseFollowUp).values(checkin_at=None, checkin_result=None))
    services.checkins.webchat_open = lambda session_id: session_id == ADDRESSES["webchat"]
    assert await services.checkins.run_due() == 1
    await services.jobs.drain()
    assert services.scripts.get(KEY, "ru") in [m.text for m in recording_senders["webchat"].sent]


async def test_a_phone_call_never_gets_a_check_in(client) -> None:  # type: ignore[no-untyped-def]
    alias, token = await _follow_up(client, "voice", checkin=False)
    page = await client.get(f"/console/case/{alias}?lang=en")
    assert "The person agreed to a check-in message" not in page.text, "not offered on a call"
    due = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    refused = await client.post(f"/console/case/{alias}/follow-ups", data={"csrf": token, "due_at": due, "checkin": "1"})
    assert "record=invalid" in refused.headers["location"]
    async with session_scope(services_of(client).sessionmaker) as session:  # consent recorded some other way
        await session.execute(update(CaseFollowUp).values(checkin_consent=True))
    await _comes_due(client)
    assert await services_of(client).checkins.run_due() == 0
    assert (await _task(client)).checkin_result == "not_allowed"
    assert await _queued_check_ins(client, alias) == []


async def test_nothing_is_sent_after_the_person_erased_the_conversation(client, recording_senders) -> None:  # type: ignore[no-untyped-def]
    await _follow_up(client, "telegram")
    services = services_of(client)
    async with session_scope(services.sessionmaker) as session:
        contact = await session.scalar(select(Contact))
        await erase_contact(session, services.vault, contact, utcnow(), final_text="", channel="telegram",
                            address=ADDRESSES["telegram"])  # fmt: skip
    await _comes_due(client)
    assert await services.checkins.run_due() == 0
    await services.jobs.drain()
    assert services.scripts.get(KEY, "ru") not in [m.text for m in recording_senders["telegram"].sent]


async def test_a_case_closed_as_erased_gets_no_check_in(client) -> None:  # type: ignore[no-untyped-def]
    alias, _ = await _follow_up(client, "telegram")
    async with session_scope(services_of(client).sessionmaker) as session:
        await session.execute(update(Case).values(status="closed", outcome="erased", erased=True))
    await _comes_due(client)
    assert await services_of(client).checkins.run_due() == 0
    assert (await _task(client)).checkin_result == "erased"
    assert await _queued_check_ins(client, alias) == []


async def test_after_the_safe_word_the_case_gets_no_check_in(client) -> None:  # type: ignore[no-untyped-def]
    alias, _ = await _follow_up(client, "telegram")
    async with session_scope(services_of(client).sessionmaker) as session:
        await session.execute(update(Contact).values(state={"silent_case": alias}))
    await _comes_due(client)
    assert await services_of(client).checkins.run_due() == 0
    assert (await _task(client)).checkin_result == "silent"


async def test_uzbek_written_in_cyrillic_gets_the_cyrillic_check_in(client, recording_senders) -> None:  # type: ignore[no-untyped-def]
    await _follow_up(client, "telegram")
    services = services_of(client)
    async with session_scope(services.sessionmaker) as session:
        await session.execute(update(Case).values(language="uz"))
        await session.execute(update(Contact).values(state={"script": "cyrl"}))
    await _comes_due(client)
    assert await services.checkins.run_due() == 1
    await services.jobs.drain()
    cyrillic = services.scripts.get(KEY, "uz-Cyrl")
    assert cyrillic != services.scripts.get(KEY, "uz") and "Ассалому" in cyrillic
    assert cyrillic in [m.text for m in recording_senders["telegram"].sent]


# Words that would tell whoever holds the phone what the conversation is about.
GIVEAWAYS = ("помощ", "линия", "эксплуат", "торгов", "паспорт", "көмек", "желі", "yordam", "liniya", "жардам", "линия",
             "кумак", "хат", "help", "traffick", "exploit", "passport", "hotline", "polic", "полиц", "red crescent",
             "полумесяц")  # fmt: skip


@pytest.mark.parametrize("lang", registry.codes())
def test_the_check_in_text_is_neutral_in_every_language(lang: str) -> None:
    texts = yaml.safe_load((SEED_DIR / f"{lang}.yml").read_text(encoding="utf-8"))["texts"][KEY]
    assert set(texts) == {"chat", "sms"}
    for text in texts.values():
        assert not [word for word in GIVEAWAYS if word in text.lower()], text
        assert "{" not in text


def test_every_check_in_outcome_reads_in_every_ui_language() -> None:
    from app.casework.picklists import LABELS
    from app.oncall.checkins import RESULTS
    from app.web.i18n import ui_languages

    keys = ["checkin_consent", "checkin_hint", "checkin_agreed", *(f"checkin_{r}" for r in RESULTS)]
    assert [(key, lang) for key in keys for lang in ui_languages() if not LABELS.get(key, {}).get(lang)] == []
