"""Erase and retention reach Twilio: call records and voicemail recordings are deleted through its REST API
(the real twilio library against a loopback server playing Twilio), retried through the outbox until done."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update

from app.platform.models import Case, Contact, OutboxItem
from app.privacy.service import erase_contact, purge
from tests.app.channels.test_twilio import post_signed
from tests.fakes.twilio_api import DEFAULT_ACCOUNT_SID, FakeTwilioAPI

CALLER = "+77019998877"


async def _voicemail(client, fake_twilio: FakeTwilioAPI) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    call, recording = "CA" + secrets.token_hex(16), "RE" + secrets.token_hex(16)
    url = f"https://api.twilio.com/2010-04-01/Accounts/{DEFAULT_ACCOUNT_SID}/Recordings/{recording}"
    await post_signed(client, "/webhooks/twilio/voice", {"CallSid": call, "From": CALLER})
    await post_signed(client, "/webhooks/twilio/voice/language", {"CallSid": call, "From": CALLER, "Digits": "1"})
    await post_signed(client, "/webhooks/twilio/voice/menu?lang=ru&n=0", {"CallSid": call, "From": CALLER, "Digits": "0"})
    recorded = await post_signed(client, "/webhooks/twilio/voice/recording?lang=ru",
                                 {"CallSid": call, "From": CALLER, "RecordingUrl": url, "RecordingDuration": "12"})  # fmt: skip
    assert recorded.status_code == 200
    fake_twilio.stored |= {call, recording}
    return call, recording


async def _erase_caller(services) -> None:  # type: ignore[no-untyped-def]
    async with services.sessionmaker() as session:
        contact = await session.scalar(select(Contact).where(Contact.channel == "voice"))
        await erase_contact(session, services.vault, contact, services.clock(), final_text="", channel="voice",
                            address=CALLER)  # fmt: skip
        await session.commit()


async def _deliver_until_done(services, rounds: int = 4) -> list[OutboxItem]:  # type: ignore[no-untyped-def]
    for _ in range(rounds):
        async with services.sessionmaker() as session:  # a retry is due now, not after its backoff
            await session.execute(update(OutboxItem).where(OutboxItem.status == "pending")
                                  .values(next_attempt_at=services.clock() - timedelta(seconds=1)))  # fmt: skip
            await session.commit()
        await services.outbox.run_once()
    async with services.sessionmaker() as session:
        return list((await session.scalars(select(OutboxItem).where(OutboxItem.channel == "voice"))).all())


async def test_erasing_a_caller_deletes_the_recording_then_the_call_at_twilio_retrying_failures(
        client, fake_twilio: FakeTwilioAPI) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    call, recording = await _voicemail(client, fake_twilio)
    services = client.services
    await _erase_caller(services)
    fake_twilio.fail_next("recordings.delete", 503)  # Twilio is down for the first try
    items = await _deliver_until_done(services)
    assert [i.status for i in items] == ["sent"] and items[0].attempts == 2
    assert fake_twilio.stored == set() and fake_twilio.deleted == [recording, call]
    assert items[0].payload_enc == "" and items[0].address_enc == ""  # the sent row keeps no ids


async def test_retention_purge_deletes_old_calls_and_recordings_at_twilio_once(client, fake_twilio: FakeTwilioAPI) -> None:  # type: ignore[no-untyped-def]
    call, recording = await _voicemail(client, fake_twilio)
    services = client.services
    async with services.sessionmaker() as session:
        await session.execute(update(Case).values(status="closed", closed_at=services.clock() - timedelta(days=400)))
        counts = await purge(session, services.clock(), 90, services.vault)
        again = await purge(session, services.clock(), 90, services.vault)
        await session.commit()
    assert counts["twilio_deletions"] == 2 and again["twilio_deletions"] == 0
    items = await _deliver_until_done(services)
    assert [i.status for i in items] == ["sent"] and fake_twilio.stored == set()
    assert set(fake_twilio.deleted) == {call, recording}


async def test_a_recording_already_gone_at_twilio_counts_as_deleted(client, fake_twilio: FakeTwilioAPI) -> None:  # type: ignore[no-untyped-def]
    call, recording = await _voicemail(client, fake_twilio)
    fake_twilio.stored.discard(recording)  # someone deleted it in Twilio's console
    services = client.services
    await _erase_caller(services)
    items = await _deliver_until_done(services, rounds=1)
    assert [i.status for i in items] == ["sent"] and fake_twilio.deleted == [call]
