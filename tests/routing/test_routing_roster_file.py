"""Roster file import/export: the example imports, bad files are rejected with lines."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from routing import (
    Layer,
    Override,
    Restriction,
    Roster,
    RosterError,
    Schedule,
    Target,
    diff_roster,
    dump_roster,
    parse_roster,
)

HEAD = """\
operators:
  - {login: aigerim, name: Aigerim, role: operator, languages: [kk, ru]}
  - {login: coord, name: Coordinator, role: coordinator, languages: [ru]}
"""


def errors_of(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(RosterError) as info:
        parse_roster(text)
    return [(e.line, e.message) for e in info.value.errors]


def test_example_roster_imports(roster: Roster) -> None:
    assert [o.login for o in roster.operators] == ["aigerim", "dilnoza", "coord"]
    assert roster.operator("dilnoza").phone == "+998900000002"  # type: ignore[union-attr]
    hotline = roster.schedule("hotline")
    assert hotline is not None and hotline.timezone == "Asia/Almaty"
    assert hotline.layers == (Layer("daily", time(9), date(2026, 1, 1), ("aigerim", "dilnoza")),)
    urgent = roster.default_policy()
    assert urgent.name == "urgent" and urgent.repeat == 1
    assert urgent.steps[0].notify == Target(schedule="hotline")
    assert urgent.steps[1].notify == Target(operators=("coord",))
    assert urgent.steps[1].via == ("telegram", "sms", "voice")
    assert roster.coordinators() == ("coord",)


def test_export_round_trips(roster: Roster) -> None:
    assert parse_roster(dump_roster(roster)) == roster


def test_overrides_restrictions_and_shifts_round_trip() -> None:
    text = HEAD + """\
schedules:
  - name: nights
    timezone: Asia/Tashkent
    layers:
      - {rotation: shift, shift_hours: 12, handoff: "08:00", start: "2026-01-01", members: [aigerim, coord]}
      - rotation: weekly
        handoff: "19:00"
        start: "2026-01-05"
        members: [coord]
        restrict: {days: [sat, sun], from: "20:00", to: "08:00"}
    overrides:
      - {login: aigerim, start: "2026-11-27T18:00", end: "2026-11-27T24:00", replaces: coord}
escalation_policies:
  - name: urgent
    steps:
      - {notify: {all_coordinators: true}, via: [voice], wait_seconds: 30}
"""
    roster = parse_roster(text)
    nights = roster.schedule("nights")
    assert nights is not None
    assert nights.layers[1].restrict == Restriction((5, 6), time(20), time(8))
    tz = ZoneInfo("Asia/Tashkent")
    assert nights.overrides == (
        Override("aigerim", datetime(2026, 11, 27, 18, tzinfo=tz), datetime(2026, 11, 28, 0, tzinfo=tz), "coord"),
    )
    assert roster.default_policy().steps[0].notify == Target(coordinators=True)
    assert parse_roster(dump_roster(roster)) == roster


def test_unquoted_times_and_dates_are_read_as_written() -> None:
    text = HEAD + """\
schedules:
  - name: hotline
    timezone: Asia/Bishkek
    layers:
      - {rotation: daily, handoff: 19:30, start: 2026-01-01, members: [aigerim]}
"""
    layer = parse_roster(text).schedules[0].layers[0]
    assert (layer.handoff, layer.start) == (time(19, 30), date(2026, 1, 1))


@pytest.mark.parametrize(
    ("fragment", "line", "needle"),
    [
        ("  - {login: x, name: X, role: boss, languages: [ru]}\n", 4, "unknown role"),
        ("  - {login: x, name: X, role: operator, languages: [de]}\n", 4, "unknown language"),
        ("  - {login: x, name: X, role: operator, languages: [ru], phone: '87010000001'}\n", 4, "E.164"),
        ("  - {login: x, name: X, role: operator, languages: [ru], phone: 77010000001}\n", 4, "E.164"),
        ("  - {login: aigerim, name: X, role: operator, languages: [ru]}\n", 4, "duplicate login"),
        ("  - {login: Dana, name: X, role: operator, languages: [ru]}\n", 4, "lowercase letters"),  # the importer's rule
        ("  - {login: x, name: X, role: operator, languages: [ru], colour: red}\n", 4, "unknown key"),
        ("  - {login: x, role: operator, languages: [ru]}\n", 4, "missing required key 'name'"),
        ("  - {login: x, name: X, role: operator, languages: [ru], telegram_chat_id: abc}\n", 4, "whole number"),
    ],
)
def test_bad_operator_is_reported_on_its_line(fragment: str, line: int, needle: str) -> None:
    found = errors_of(HEAD + fragment)
    assert any(ln == line and needle in msg for ln, msg in found), found


SCHEDULE = """\
schedules:
  - name: hotline
    timezone: {tz}
    layers:
      - {{rotation: {rotation}, handoff: "{handoff}", start: "{start}", members: [{member}]}}
"""


@pytest.mark.parametrize(
    ("fields", "line", "needle"),
    [
        ({"tz": "Asia/Almatty"}, 6, "unknown time zone"),
        ({"tz": "UTC+5"}, 6, "time zone"),
        ({"tz": "../etc/passwd"}, 6, "time zone"),
        ({"handoff": "25:00"}, 8, "bad time '25:00'"),
        ({"handoff": "9am"}, 8, "bad time"),
        ({"start": "2026-02-30"}, 8, "bad date"),
        ({"member": "ghost"}, 8, "unknown operator login 'ghost'"),
        ({"rotation": "monthly"}, 8, "unknown rotation"),
        ({"rotation": "shift"}, 8, "shift_hours"),
    ],
)
def test_bad_schedule_is_reported_on_its_line(fields: dict[str, str], line: int, needle: str) -> None:
    values = {"tz": "Asia/Almaty", "rotation": "daily", "handoff": "09:00", "start": "2026-01-01", "member": "aigerim"}
    found = errors_of(HEAD + SCHEDULE.format(**(values | fields)))
    assert any(ln == line and needle in msg for ln, msg in found), found


POLICIES = HEAD + """\
schedules:
  - name: hotline
    timezone: Asia/Almaty
    layers:
      - {rotation: daily, handoff: "09:00", start: "2026-01-01", members: [aigerim]}
escalation_policies:
  - name: urgent
    default: true
    steps:
      - {notify: {schedule: nowhere}, via: [telegram], wait_seconds: 0}
      - {notify: {operators: [ghost]}, via: [pigeon], wait_seconds: 60}
      - {notify: {coordinators: some}, via: [sms], wait_seconds: 60}
  - name: other
    default: true
    steps:
      - {notify: {schedule: hotline, coordinators: all}, via: [sms], wait_seconds: 60}
"""


def test_bad_policies_are_all_reported_with_lines() -> None:
    found = errors_of(POLICIES)
    expected = [
        (13, "unknown schedule 'nowhere'"),
        (13, "must be between 1 and 86400"),
        (14, "unknown operator login 'ghost'"),
        (14, "unknown channel 'pigeon'"),
        (15, "coordinators: all"),
        (17, "more than one default policy"),
        (19, "exactly one of"),
    ]
    for line, needle in expected:
        assert any(ln == line and needle in msg for ln, msg in found), (line, needle, found)


def test_several_policies_without_a_default_are_rejected() -> None:
    text = HEAD + """\
escalation_policies:
  - {name: a, steps: [{notify: {coordinators: all}, via: [sms], wait_seconds: 5}]}
  - {name: b, steps: [{notify: {coordinators: all}, via: [sms], wait_seconds: 5}]}
"""
    assert any("default: true" in msg for _, msg in errors_of(text))


def test_broken_yaml_points_at_the_syntax_error() -> None:
    text = HEAD + "schedules:\n  - name: hotline\n   timezone: Asia/Almaty\n"
    [(line, message)] = errors_of(text)
    assert line == 6 and message.startswith("YAML syntax")


def test_duplicate_yaml_keys_are_rejected() -> None:
    text = "operators:\n  - {login: a, login: b, name: A, role: operator, languages: [ru]}\n"
    assert (2, "duplicate key") in errors_of(text)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- just\n- a list\n", "operators: 5\n"])
def test_files_of_the_wrong_shape_are_rejected(text: str) -> None:
    assert errors_of(text)


def test_a_rejected_file_changes_nothing(roster: Roster, example_text: str) -> None:
    current = roster
    try:
        current = parse_roster(example_text.replace("Asia/Almaty", "Mars/Olympus"))
    except RosterError as error:
        assert error.errors[0].line == 7
    assert current is roster and roster.schedule("hotline").timezone == "Asia/Almaty"  # type: ignore[union-attr]


def test_error_text_lists_every_problem_with_its_line() -> None:
    with pytest.raises(RosterError) as info:
        parse_roster(HEAD + "  - {login: xx, name: X, role: boss, languages: [de]}\n")
    assert str(info.value).splitlines() == [
        "line 4: operators[2].languages[0]: unknown language 'de' (expected one of: ru, kk, uz, en)",
        "line 4: operators[2].role: unknown role 'boss' (expected one of: operator, coordinator, admin)",
    ]


def test_diff_describes_changes_in_plain_words(roster: Roster) -> None:
    aigerim = roster.operator("aigerim")
    assert aigerim is not None
    hotline = roster.schedule("hotline")
    assert hotline is not None
    policy = roster.default_policy()
    tz = ZoneInfo("Asia/Almaty")
    cover = Override("aigerim", datetime(2026, 11, 27, 18, tzinfo=tz), datetime(2026, 11, 28, tzinfo=tz), "dilnoza")
    new = Roster(
        (replace(aigerim, languages=("kk", "ru", "uz"), phone="+77010000099"), *roster.operators[1:]),
        (replace(hotline, overrides=(cover,)), Schedule("night", "Asia/Tashkent", hotline.layers)),
        (replace(policy, steps=(policy.steps[0], replace(policy.steps[1], wait_seconds=120))),),
    )
    assert diff_roster(roster, new) == [
        "operator aigerim: languages kk,ru → kk,ru,uz",
        "operator aigerim: phone changed",
        "schedule night: added",
        "schedule hotline: override added: aigerim 2026-11-27 18:00–2026-11-28 00:00 (covers dilnoza)",
        "policy urgent: step 2 wait_seconds 60 → 120",
    ]
    assert diff_roster(roster, roster) == []


def test_diff_reports_removals_and_layer_edits(roster: Roster) -> None:
    hotline = roster.schedule("hotline")
    assert hotline is not None
    layer = replace(hotline.layers[0], handoff=time(8), members=("dilnoza",))
    new = Roster(roster.operators[:2], (replace(hotline, layers=(layer,)),), ())
    assert diff_roster(roster, new) == [
        "operator coord: removed",
        "schedule hotline: layer 1 handoff 09:00 → 08:00",
        "schedule hotline: layer 1 members aigerim,dilnoza → dilnoza",
        "policy urgent: removed",
    ]


def test_override_end_may_be_written_as_24_00_of_the_same_day() -> None:
    text = HEAD + """\
schedules:
  - name: hotline
    timezone: Asia/Almaty
    layers:
      - {rotation: daily, handoff: "09:00", start: "2026-01-01", members: [aigerim]}
    overrides:
      - {login: coord, start: "2026-11-27T18:00", end: "2026-11-27T24:00"}
      - {login: coord, start: "2026-11-29T18:00", end: "2026-11-29T17:00"}
"""
    assert (11, "end must be after start") in errors_of(text)
    ok = parse_roster(text.rsplit("      - {login: coord, start: \"2026-11-29", 1)[0])
    (cover,) = ok.schedules[0].overrides
    assert cover.end == datetime(2026, 11, 28, 0, tzinfo=ZoneInfo("Asia/Almaty"))
