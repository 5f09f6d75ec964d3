"""Events fed into the escalation state machine and commands it returns.

Commands are plain data the app executes *after* committing the new state,
through its outbox; routing never sends anything itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class Start:
    """An urgent case needs a human; `policy` None means the roster default."""

    case: str
    language: str | None
    urgent: bool = True
    reasons: tuple[str, ...] = ()
    intent: str | None = None
    policy: str | None = None


@dataclass(frozen=True)
class TimerFired:
    """A durable timer scheduled by `ScheduleTimer` came due."""

    fence: int


@dataclass(frozen=True)
class Take:
    """An operator pressed "Take"; `fence` None when taken from the console list."""

    login: str
    fence: int | None = None


@dataclass(frozen=True)
class Decline:
    """An operator pressed "Can't now" on an alert issued under `fence`."""

    login: str
    fence: int


@dataclass(frozen=True)
class OwnerSilent:
    """The owner of an urgent case wrote nothing in time; `fence` None = coordinator action."""

    fence: int | None = None


@dataclass(frozen=True)
class Cancel:
    """The case no longer needs anyone (closed, person left, duplicate)."""

    reason: str


@dataclass(frozen=True)
class HandBack:
    """The owner gives the case back to the pool; escalation starts over."""

    login: str | None = None


@dataclass(frozen=True)
class Transfer:
    """Pass the case to a named operator and/or re-route it in another language."""

    to_login: str | None = None
    language: str | None = None


Event = Start | TimerFired | Take | Decline | OwnerSilent | Cancel | HandBack | Transfer

# ---------------------------------------------------------------- commands


@dataclass(frozen=True)
class AlertInfo:
    """What an alert may say: nothing that identifies the person who wrote."""

    case: str
    language: str | None
    intent: str | None
    urgent_reasons: tuple[str, ...]
    waiting_seconds: int


@dataclass(frozen=True)
class Notify:
    """Alert one login over one channel; buttons carry `fence`."""

    login: str
    via: str
    step: int
    fence: int
    alert: AlertInfo


@dataclass(frozen=True)
class ScheduleTimer:
    """Arm a durable timer; feed `TimerFired(fence)` back at `at`.

    For `purpose="owner_silence"` the app checks whether the owner wrote
    since taking the case and feeds `OwnerSilent(fence)` only if not.
    """

    at: datetime
    fence: int
    purpose: Literal["step", "owner_silence"] = "step"


@dataclass(frozen=True)
class WithdrawAlerts:
    """Edit other people's Telegram alerts, hang up other calls."""

    except_login: str | None
    text_key: str = "case_taken"


@dataclass(frozen=True)
class AlertCoordinators:
    """The policy ran out (or something is wrong): alert every coordinator."""

    reason: str
    logins: tuple[str, ...] = ()


@dataclass(frozen=True)
class TellPerson:
    """Send the person who wrote a scripted message by key."""

    text_key: str


@dataclass(frozen=True)
class TakeRejected:
    """Answer a "Take" press that lost the race or came too late."""

    login: str
    reason: str = "already_taken"


@dataclass(frozen=True)
class TakeAccepted:
    """Answer a "Take" press that won; the app opens the case for `login`."""

    login: str


@dataclass(frozen=True)
class OwnerReleased:
    """Tell a former owner the case was taken away from them, and why."""

    login: str
    reason: str


Command = (
    Notify
    | ScheduleTimer
    | WithdrawAlerts
    | AlertCoordinators
    | TellPerson
    | TakeRejected
    | TakeAccepted
    | OwnerReleased
)
