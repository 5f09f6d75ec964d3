"""Helpers shared by routing tests (unique module name: tests have no packages)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from routing import Layer, Operator, Policy, Roster, Schedule, Step, Target


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A frozen-clock instant in UTC."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def op(login: str, languages: tuple[str, ...] = ("ru",), role: str = "operator", active: bool = True) -> Operator:
    """An operator reachable on every channel."""
    return Operator(login, login.title(), role, languages, 1000 + len(login), "+77010000000", active)  # type: ignore[arg-type]


def daily(zone: str, members: tuple[str, ...], handoff: time = time(9, 0), start: date = date(2026, 1, 1)) -> Schedule:
    """A one-layer daily rotation schedule named 'hotline'."""
    return Schedule("hotline", zone, (Layer("daily", handoff, start, members),))


def policy(*steps: Step, repeat: int = 0, name: str = "urgent") -> Policy:
    """A default policy from steps."""
    return Policy(name, True, tuple(steps), repeat)


def step(target: Target, wait: int = 60, via: tuple[str, ...] = ("telegram", "console")) -> Step:
    """One step."""
    return Step(target, via, wait)  # type: ignore[arg-type]


def roster_of(*operators: Operator, schedules: tuple[Schedule, ...] = (), policies: tuple[Policy, ...] = ()) -> Roster:
    """A roster from parts."""
    return Roster(tuple(operators), schedules, policies)
