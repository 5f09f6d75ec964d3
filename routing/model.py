"""Roster model: operators, on-call schedules and escalation policies.

Everything here is a frozen dataclass so a roster can be shared between
requests and snapshotted into running escalations without defensive copies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

Role = Literal["operator", "coordinator", "admin"]
Rotation = Literal["daily", "weekly", "shift"]
Channel = Literal["console", "telegram", "sms", "voice", "whatsapp"]

ROLES: tuple[str, ...] = ("operator", "coordinator", "admin")
ROTATIONS: tuple[str, ...] = ("daily", "weekly", "shift")
CHANNELS: tuple[str, ...] = ("console", "telegram", "sms", "voice", "whatsapp")
LANGUAGES: tuple[str, ...] = ("ru", "kk", "uz", "en")
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Operator:
    """A person who can be alerted; contact details stay in the roster only."""

    login: str
    name: str
    role: Role
    languages: tuple[str, ...]
    telegram_chat_id: int | None = None
    phone: str | None = None
    active: bool = True

    def reachable_via(self, channel: str) -> bool:
        """Whether a channel can reach this person (no chat id → no Telegram)."""
        if channel == "telegram":
            return self.telegram_chat_id is not None
        if channel in ("sms", "voice", "whatsapp"):  # the phone number is the WhatsApp account too
            return self.phone is not None
        return channel == "console"


@dataclass(frozen=True)
class Restriction:
    """Limit a layer to a weekly window, e.g. nights only or weekends only.

    `days` are weekday numbers (Monday = 0) on which the window *starts*;
    an `end` at or before `start` means the window runs past midnight.
    """

    days: tuple[int, ...]
    start: time
    end: time


@dataclass(frozen=True)
class Layer:
    """One rotation; hand-offs happen at local wall-clock `handoff` time."""

    rotation: Rotation
    handoff: time
    start: date
    members: tuple[str, ...]
    shift_hours: int | None = None
    restrict: Restriction | None = None


@dataclass(frozen=True)
class Override:
    """Someone covers a window; `start`/`end` are tz-aware instants."""

    login: str
    start: datetime
    end: datetime
    replaces: str | None = None


@dataclass(frozen=True)
class Schedule:
    """Who is on call when, in one IANA time zone."""

    name: str
    timezone: str
    layers: tuple[Layer, ...]
    overrides: tuple[Override, ...] = ()


@dataclass(frozen=True)
class Shift:
    """A stretch of time one login is on call (half-open [start, end))."""

    login: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Target:
    """Who a step alerts: a schedule's on-call people, named logins, or coordinators."""

    schedule: str | None = None
    operators: tuple[str, ...] = ()
    coordinators: bool = False


@dataclass(frozen=True)
class Step:
    """One escalation step: alert `notify` over `via`, wait, then move on."""

    notify: Target
    via: tuple[Channel, ...]
    wait_seconds: int


@dataclass(frozen=True)
class Policy:
    """Escalation policy; `repeat` = extra passes after the first (0 = run once)."""

    name: str
    default: bool
    steps: tuple[Step, ...]
    repeat: int = 0
    owner_reply_seconds: int = 300

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the roster-file shape, so snapshots read like the file."""
        return {
            "name": self.name,
            "default": self.default,
            "steps": [_step_to_dict(s) for s in self.steps],
            "repeat": self.repeat,
            "owner_reply_seconds": self.owner_reply_seconds,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        """Inverse of `to_dict`; input is trusted (our own stored snapshot)."""
        return cls(
            name=str(data["name"]),
            default=bool(data.get("default", False)),
            steps=tuple(_step_from_dict(s) for s in data["steps"]),
            repeat=int(data.get("repeat", 0)),
            owner_reply_seconds=int(data.get("owner_reply_seconds", 300)),
        )


def _step_to_dict(step: Step) -> dict[str, Any]:
    notify: dict[str, Any]
    if step.notify.schedule is not None:
        notify = {"schedule": step.notify.schedule}
    elif step.notify.coordinators:
        notify = {"coordinators": "all"}
    else:
        notify = {"operators": list(step.notify.operators)}
    return {"notify": notify, "via": list(step.via), "wait_seconds": step.wait_seconds}


def _step_from_dict(data: dict[str, Any]) -> Step:
    notify = data["notify"]
    target = Target(
        schedule=notify.get("schedule"),
        operators=tuple(notify.get("operators", ())),
        coordinators=notify.get("coordinators") in ("all", True)
        or notify.get("all_coordinators") is True,
    )
    return Step(notify=target, via=tuple(data["via"]), wait_seconds=int(data["wait_seconds"]))


@dataclass(frozen=True)
class Roster:
    """The whole imported roster file."""

    operators: tuple[Operator, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    policies: tuple[Policy, ...] = ()
    _by_login: dict[str, Operator] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Frozen, so fill the lookup cache through object.__setattr__.
        object.__setattr__(self, "_by_login", {o.login: o for o in self.operators})

    def operator(self, login: str) -> Operator | None:
        """The operator with this login, or None."""
        return self._by_login.get(login)

    def schedule(self, name: str) -> Schedule | None:
        """The schedule with this name, or None."""
        return next((s for s in self.schedules if s.name == name), None)

    def policy(self, name: str) -> Policy | None:
        """The policy with this name, or None."""
        return next((p for p in self.policies if p.name == name), None)

    def default_policy(self) -> Policy:
        """The policy used for urgent cases; the file parser guarantees exactly one."""
        defaults = [p for p in self.policies if p.default]
        if defaults:
            return defaults[0]
        if len(self.policies) == 1:
            return self.policies[0]
        raise LookupError("roster has no default escalation policy")

    def coordinators(self) -> tuple[str, ...]:
        """Logins of active coordinators, in roster order."""
        return tuple(o.login for o in self.operators if o.active and o.role == "coordinator")
