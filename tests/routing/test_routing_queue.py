"""Queue ordering for non-urgent requests and out-of-hours answers."""

from __future__ import annotations

from datetime import date, time, timedelta

from routing import QueueItem, Roster, Schedule, out_of_hours, queue_order
from routing.model import Layer, Restriction
from tests.routing.routing_helpers import daily, op, roster_of, utc

NOW = utc(2026, 11, 28, 6)


def item(case: str, language: str | None, urgent: bool = False, waited_min: int = 1) -> QueueItem:
    return QueueItem(case, language, urgent, NOW - timedelta(minutes=waited_min))


def test_queue_puts_urgent_first_then_my_languages_then_longest_waiting() -> None:
    items = [
        item("ru-new", "ru", waited_min=1),
        item("uz-old", "uz", waited_min=10),
        item("urgent-uz", "uz", urgent=True, waited_min=0),
        item("ru-old", "ru", waited_min=5),
    ]
    assert [i.case for i in queue_order(items, ["ru", "kk"], NOW)] == ["urgent-uz", "ru-old", "ru-new", "uz-old"]


def test_a_long_wait_in_another_language_is_not_starved() -> None:
    items = [item("ru-new", "ru", waited_min=1), item("uz-forgotten", "uz", waited_min=20)]
    assert [i.case for i in queue_order(items, ["ru"], NOW)] == ["uz-forgotten", "ru-new"]


def test_unknown_language_counts_as_a_match() -> None:
    items = [item("uz", "uz", waited_min=3), item("unknown", None, waited_min=2)]
    assert [i.case for i in queue_order(items, ["ru"], NOW)][0] == "unknown"


def _office_hours() -> Roster:
    """Aigerim on weekdays 09:00-18:00 Almaty only."""
    weekdays = Restriction(days=(0, 1, 2, 3, 4), start=time(9), end=time(18))
    layer = Layer("daily", time(9), date(2026, 1, 1), ("aigerim",), restrict=weekdays)
    return roster_of(op("aigerim", ("kk", "ru")), schedules=(Schedule("office", "Asia/Almaty", (layer,)),))


def test_in_hours_answers_none() -> None:
    assert out_of_hours(_office_hours(), utc(2026, 11, 27, 5), "kk") is None  # Fri 10:00 Almaty


def test_out_of_hours_gives_the_next_time_someone_is_on_call() -> None:
    # Saturday 11:00 Almaty → next on call Monday 09:00 Almaty = 04:00 UTC.
    assert out_of_hours(_office_hours(), NOW, "kk") == utc(2026, 11, 30, 4)


def test_out_of_hours_waits_for_a_speaker_of_the_language() -> None:
    r = roster_of(op("aigerim", ("kk",)), op("dilnoza", ("uz",)), schedules=(daily("Asia/Almaty", ("aigerim", "dilnoza")),))
    assert out_of_hours(r, NOW, "kk") == utc(2026, 11, 28, 4) + timedelta(days=1)  # dilnoza today, aigerim tomorrow
    assert out_of_hours(r, NOW, "uz") is None


def test_language_nobody_speaks_falls_back_to_anyone() -> None:
    r = roster_of(op("aigerim", ("kk",)), schedules=(daily("Asia/Almaty", ("aigerim",)),))
    assert out_of_hours(r, NOW, "en") is None


def test_nobody_ever_on_call_answers_not_before_the_horizon() -> None:
    r = roster_of(op("aigerim", ("kk",)))
    assert out_of_hours(r, NOW, "kk", horizon=timedelta(days=3)) == NOW + timedelta(days=3)
