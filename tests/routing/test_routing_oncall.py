"""Who is on call when: rotations, zones, DST, overrides, timelines."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from routing import Layer, Override, Restriction, Schedule, Shift, on_call, on_call_by_language, timeline
from routing.schedule import local_date_range
from tests.routing.routing_helpers import daily, op, roster_of, utc

ALMATY = ZoneInfo("Asia/Almaty")


def test_daily_handoff_happens_at_exactly_nine_local() -> None:
    s = daily("Asia/Almaty", ("aigerim", "dilnoza"))
    # Almaty is UTC+5: 09:00 local on 2 Jan is 04:00 UTC.
    assert on_call(s, utc(2026, 1, 2, 3, 59, 59)) == ["aigerim"]
    assert on_call(s, utc(2026, 1, 2, 4, 0, 0)) == ["dilnoza"]
    assert on_call(s, utc(2026, 1, 3, 4, 0, 0)) == ["aigerim"]


def test_nobody_is_on_call_before_the_layer_starts() -> None:
    s = daily("Asia/Almaty", ("aigerim",))
    assert on_call(s, utc(2026, 1, 1, 3, 59)) == []
    assert on_call(s, utc(2026, 1, 1, 4, 0)) == ["aigerim"]


@pytest.mark.parametrize(
    ("zone", "handoff_utc_hour"),
    [("Asia/Almaty", 4), ("Asia/Tashkent", 4), ("Asia/Bishkek", 3)],
)
def test_same_rota_hands_off_at_local_nine_in_each_zone(zone: str, handoff_utc_hour: int) -> None:
    s = daily(zone, ("a", "b"))
    assert on_call(s, utc(2026, 6, 10, handoff_utc_hour) - timedelta(seconds=1)) != on_call(
        s, utc(2026, 6, 10, handoff_utc_hour)
    )


def test_bishkek_has_handed_off_while_almaty_has_not() -> None:
    at = utc(2026, 1, 2, 3, 30)  # 09:30 Bishkek (UTC+6), 08:30 Almaty (UTC+5)
    assert on_call(daily("Asia/Bishkek", ("a", "b")), at) == ["b"]
    assert on_call(daily("Asia/Almaty", ("a", "b")), at) == ["a"]


def test_weekly_rotation_changes_every_seven_days() -> None:
    s = Schedule("w", "Asia/Tashkent", (Layer("weekly", time(9), date(2026, 1, 5), ("a", "b", "c")),))
    assert on_call(s, utc(2026, 1, 11, 12)) == ["a"]
    assert on_call(s, utc(2026, 1, 12, 3, 59)) == ["a"]
    assert on_call(s, utc(2026, 1, 12, 4)) == ["b"]
    assert on_call(s, utc(2026, 1, 19, 4)) == ["c"]
    assert on_call(s, utc(2026, 1, 26, 4)) == ["a"]


def test_shift_rotation_hands_off_every_n_hours() -> None:
    s = Schedule("s", "Asia/Almaty", (Layer("shift", time(8), date(2026, 1, 1), ("a", "b", "c"), shift_hours=8),))
    assert on_call(s, utc(2026, 1, 1, 3)) == ["a"]  # 08:00 local
    assert on_call(s, utc(2026, 1, 1, 11)) == ["b"]  # 16:00 local
    assert on_call(s, utc(2026, 1, 1, 19)) == ["c"]  # 00:00 local
    assert on_call(s, utc(2026, 1, 2, 3)) == ["a"]


def test_handoff_follows_the_wall_clock_across_dst() -> None:
    # Europe/Berlin springs forward on 29 March 2026: 09:00 is 08:00 UTC before, 07:00 UTC after.
    s = daily("Europe/Berlin", ("a", "b"), start=date(2026, 3, 1))
    assert on_call(s, utc(2026, 3, 28, 7, 59)) != on_call(s, utc(2026, 3, 28, 8, 0))
    before, after = on_call(s, utc(2026, 3, 29, 6, 59)), on_call(s, utc(2026, 3, 29, 7, 0))
    assert before != after
    assert datetime(2026, 3, 29, 9, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC) == utc(2026, 3, 29, 7)


def test_timeline_shows_a_short_shift_on_the_dst_night() -> None:
    s = daily("Europe/Berlin", ("a", "b"), start=date(2026, 3, 1))
    shifts = timeline(s, utc(2026, 3, 28, 8), utc(2026, 3, 30, 7))
    assert [sh.end - sh.start for sh in shifts] == [timedelta(hours=23), timedelta(hours=24)]


def test_later_layer_wins_where_it_has_someone() -> None:
    weekends = Restriction(days=(5, 6), start=time(0), end=time(23, 59))
    s = Schedule(
        "h",
        "Asia/Almaty",
        (
            Layer("daily", time(9), date(2026, 1, 1), ("a",)),
            Layer("daily", time(9), date(2026, 1, 1), ("w",), restrict=weekends),
        ),
    )
    assert on_call(s, utc(2026, 11, 27, 6)) == ["a"]  # Friday
    assert on_call(s, utc(2026, 11, 28, 6)) == ["w"]  # Saturday


def test_restriction_window_can_run_past_midnight() -> None:
    nights = Restriction(days=(4,), start=time(22), end=time(6))  # Friday night
    s = Schedule("n", "Asia/Almaty", (Layer("daily", time(9), date(2026, 1, 1), ("n",), restrict=nights),))
    assert on_call(s, utc(2026, 11, 27, 16, 59)) == []  # Fri 21:59
    assert on_call(s, utc(2026, 11, 27, 17)) == ["n"]  # Fri 22:00
    assert on_call(s, utc(2026, 11, 28, 0, 59)) == ["n"]  # Sat 05:59
    assert on_call(s, utc(2026, 11, 28, 1)) == []  # Sat 06:00


def _with_cover(replaces: str | None) -> Schedule:
    base = daily("Asia/Almaty", ("aigerim", "dilnoza"))
    cover = Override(
        "aigerim",
        datetime(2026, 11, 28, 18, tzinfo=ALMATY),
        datetime(2026, 11, 29, 0, tzinfo=ALMATY),
        replaces,
    )
    return Schedule(base.name, base.timezone, base.layers, (cover,))


def test_override_swaps_the_covered_person_for_its_window_only() -> None:
    s = _with_cover("dilnoza")
    assert on_call(s, utc(2026, 11, 28, 12, 59)) == ["dilnoza"]  # 17:59 local
    assert on_call(s, utc(2026, 11, 28, 13)) == ["aigerim"]  # 18:00 local
    assert on_call(s, utc(2026, 11, 28, 19)) == ["dilnoza"]  # 00:00 local


def test_override_of_someone_off_duty_adds_the_cover_rather_than_leaving_a_hole() -> None:
    s = _with_cover("coord")
    assert on_call(s, utc(2026, 11, 28, 13)) == ["dilnoza", "aigerim"]


def test_override_without_replaces_takes_the_whole_schedule() -> None:
    s = _with_cover(None)
    assert on_call(s, utc(2026, 11, 28, 13)) == ["aigerim"]


def test_timeline_splits_a_shift_around_an_override() -> None:
    s = _with_cover("dilnoza")
    shifts = timeline(s, utc(2026, 11, 28, 4), utc(2026, 11, 29, 4))
    assert shifts == [
        Shift("dilnoza", utc(2026, 11, 28, 4), utc(2026, 11, 28, 13)),
        Shift("aigerim", utc(2026, 11, 28, 13), utc(2026, 11, 28, 19)),
        Shift("dilnoza", utc(2026, 11, 28, 19), utc(2026, 11, 29, 4)),
    ]


def test_timeline_for_a_week_lists_one_shift_per_day() -> None:
    s = daily("Asia/Almaty", ("aigerim", "dilnoza"))
    shifts = timeline(s, utc(2026, 11, 28, 4), utc(2026, 12, 5, 4))
    assert len(shifts) == 7
    assert all(sh.end - sh.start == timedelta(days=1) for sh in shifts)
    assert [sh.login for sh in shifts[:2]] == ["dilnoza", "aigerim"]


def test_timeline_of_an_empty_window_is_empty() -> None:
    s = daily("Asia/Almaty", ("a",))
    assert timeline(s, utc(2026, 1, 5), utc(2026, 1, 5)) == []


def test_on_call_by_language_groups_active_operators() -> None:
    r = roster_of(
        op("aigerim", ("kk", "ru")),
        op("dilnoza", ("uz", "ru")),
        schedules=(_with_cover("coord"),),
    )
    assert on_call_by_language(r, utc(2026, 11, 28, 13)) == {
        "uz": ["dilnoza"],
        "ru": ["dilnoza", "aigerim"],
        "kk": ["aigerim"],
    }


def test_inactive_operators_are_not_counted_as_on_call() -> None:
    r = roster_of(op("aigerim", ("kk",), active=False), schedules=(daily("Asia/Almaty", ("aigerim",)),))
    assert on_call_by_language(r, utc(2026, 5, 5, 12)) == {}


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        on_call(daily("Asia/Almaty", ("a",)), datetime(2026, 1, 2, 12))


def test_shift_rotation_keeps_wall_clock_handoffs_when_clocks_go_back() -> None:
    # Berlin falls back on 25 Oct 2026: the 00:00-08:00 local shift lasts 9 real hours.
    s = Schedule("s", "Europe/Berlin", (Layer("shift", time(0), date(2026, 10, 1), ("a", "b", "c"), shift_hours=8),))
    shifts = timeline(s, utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))
    assert [(sh.start, sh.end - sh.start) for sh in shifts] == [
        (utc(2026, 10, 24, 22), timedelta(hours=9)),  # 00:00 CEST → 08:00 CET
        (utc(2026, 10, 25, 7), timedelta(hours=8)),
        (utc(2026, 10, 25, 15), timedelta(hours=8)),
    ]


def test_week_view_bounds_are_local_midnights() -> None:
    s = daily("Asia/Bishkek", ("a",))
    assert local_date_range(s, date(2026, 11, 30), 7) == (utc(2026, 11, 29, 18), utc(2026, 12, 6, 18))
