"""Telegram and Twilio failing: the outbox backs off and delivers later, a hopeless message becomes a
dead letter coordinators see, and an urgent alert still reaches the operator by SMS when Telegram is dead."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.oncall.roster_store import import_roster
from app.platform.db import session_scope
from app.platform.models import OutboxItem, utcnow
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.reliability.conftest import post_signed, sms

ROSTER = """
operators:
  - {login: aigerim, name: Aigerim, role: operator, languages: [ru], telegram_chat_id: 5550001, phone: "+77010000001"}
schedules:
  - name: hotline
    timezone: Asia/Almaty
    layers:
      - {rotation: daily, handoff: "09:00", start: "2026-01-01", members: [aigerim]}
escalation_policies:
  - name: urgent
    default: true
    steps:
      - {notify: {schedule: hotline}, via: [telegram, sms, console], wait_seconds: 60}
    repeat: 0
"""


async def _make_due(services) -> None:  # type: ignore[no-untyped-def]
    """Skip the backoff wait: every pending row is due now."""
    async with session_scope(services.sessionmaker) as session:
        await session.execute(update(OutboxItem).where(OutboxItem.status == "pending")
                              .values(next_attempt_at=utcnow() - timedelta(seconds=1)))  # fmt: skip


async def test_an_urgent_alert_goes_by_sms_while_telegram_is_down(client, fake_telegram: FakeTelegramAPI,
                                                                  fake_twilio: FakeTwilioAPI) -> None:  # type: ignore[no-untyped-def]
    services = client.services
    async with session_scope(services.sessionmaker) as session:
        await import_roster(session, services.vault, ROSTER, actor="test")
    fake_telegram.fail_next("sendMessage", 500, times=1000)
    response = await post_signed(client, "/webhooks/twilio/sms", sms("+998901112233", "нас заперли, помогите срочно", "SMu1"))
    assert response.status_code == 200
    await services.jobs.drain()
    assert [m for m in fake_twilio.sent_sms("+77010000001")], "the SMS leg of the alert was sent"
    async with services.sessionmaker() as session:
        telegram_alert = (await session.scalars(select(OutboxItem).where(OutboxItem.channel == "telegram",
                                                                           OutboxItem.kind == "alert"))).one()  # fmt: skip
    assert telegram_alert.status == "pending" and telegram_alert.attempts >= 1  # backing off, not lost


async def test_rate_limited_and_failing_sends_back_off_and_arrive_later(client, fake_telegram: FakeTelegramAPI) -> None:  # type: ignore[no-untyped-def]
    services = client.services
    fake_telegram.fail_next("sendMessage", 429, retry_after=30)
    fake_telegram.fail_next("sendMessage", 502)
    import json

    from tests.reliability.conftest import TG_HEADERS

    await client.post("/webhooks/telegram", content=json.dumps(fake_telegram.make_text_update(60001, "привет")),
                      headers=TG_HEADERS)  # fmt: skip
    await services.jobs.drain()
    async with services.sessionmaker() as session:
        row = (await session.scalars(select(OutboxItem))).one()
    assert row.status == "pending" and row.next_attempt_at > utcnow() + timedelta(seconds=20), (row.attempts, row.last_error, fake_telegram.calls_for("sendMessage"))  # retry_after honoured
    for _ in range(3):
        await _make_due(services)
        await services.jobs.drain()
    assert fake_telegram.sent_texts(60001), "delivered once Telegram was back"


async def test_a_message_that_never_gets_through_becomes_a_visible_dead_letter(client, fake_telegram: FakeTelegramAPI) -> None:  # type: ignore[no-untyped-def]
    import json
    from datetime import date

    from app.statistics.service import compute
    from tests.reliability.conftest import TG_HEADERS

    services = client.services
    fake_telegram.fail_next("sendMessage", 500, times=1000)
    await client.post("/webhooks/telegram", content=json.dumps(fake_telegram.make_text_update(60002, "привет")),
                      headers=TG_HEADERS)  # fmt: skip
    for _ in range(services.settings.outbox_max_attempts + 1):
        await _make_due(services)
        await services.jobs.drain()
    async with services.sessionmaker() as session:
        row = (await session.scalars(select(OutboxItem))).one()
        stats = await compute(session, date.today(), 4)
    assert row.status == "dead" and row.attempts == services.settings.outbox_max_attempts
    assert stats.dead_count == 1 and stats.dead[0].channel == "telegram"  # what the coordinators' page shows
