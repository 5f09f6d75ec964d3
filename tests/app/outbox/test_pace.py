"""The outbox's pace per provider: a burst at once, then one call every 1/rate seconds, alerts in order."""

from __future__ import annotations

import asyncio

from app.outbox.pace import Pace
from app.outbox.worker import OutboxSettings


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))


async def test_calls_beyond_the_burst_wait_for_their_slot_one_every_interval() -> None:
    time = FakeTime()
    pace = Pace({"sms": 2.0}, burst=2, clock=time.clock, sleep=time.sleep)
    waits = [await pace.wait("sms") for _ in range(5)]
    assert waits == [0.0, 0.0, 0.5, 1.0, 1.5] and time.slept == [0.5, 1.0, 1.5]


async def test_a_quiet_channel_gets_its_burst_back_and_an_unpaced_one_never_waits() -> None:
    time = FakeTime()
    pace = Pace({"sms": 1.0, "webchat": 0.0}, burst=3, clock=time.clock, sleep=time.sleep)
    for _ in range(3):
        await pace.wait("sms")
    time.now += 10  # ten quiet seconds
    assert [await pace.wait("sms") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert [await pace.wait("webchat") for _ in range(50)] == [0.0] * 50
    assert [await pace.wait("telegram") for _ in range(50)] == [0.0] * 50  # no rate given: not paced


async def test_concurrent_calls_take_their_slots_in_the_order_they_asked() -> None:
    """The outbox starts an urgent alert's call first: it gets the first slot, the crowd's replies the next."""
    pace = Pace({"telegram": 50.0}, burst=1)
    order: list[str] = []

    async def send(name: str) -> None:
        await pace.wait("telegram")
        order.append(name)

    await asyncio.gather(*(send(name) for name in ("alert", "reply 1", "reply 2", "reply 3")))
    assert order == ["alert", "reply 1", "reply 2", "reply 3"]


def test_the_paces_are_settings_and_stay_under_the_providers_limits(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for name in ("TELEGRAM", "SMS", "WHATSAPP", "VOICE"):
        monkeypatch.delenv(f"HELPLINE_OUTBOX_RATE_{name}", raising=False)
    rates = OutboxSettings().pace().rates
    assert 0 < rates["telegram"] < 30 and rates["sms"] == 1 and rates["voice"] == 1 and "webchat" not in rates
    monkeypatch.setenv("HELPLINE_OUTBOX_RATE_TELEGRAM", "10")
    assert OutboxSettings().pace().rates["telegram"] == 10
