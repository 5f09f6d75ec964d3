"""Escalation state machine: `decide(state, event, now, roster) -> (state, commands)`.

Pure: no clock, no I/O. The app stores `EscalationState.to_dict()` in one
column, commits, then runs the commands. Rules worth knowing:

* The policy is snapshotted at `Start`; editing the roster later never changes
  steps, waits or repeats of a running escalation. *People* (who is on call,
  contact details, who is active) are resolved from the roster at each step,
  because alerting someone who left the rota helps nobody.
* `fence` grows on every step change, take, release and cancel; a timer or
  "Can't now" press carrying an older fence is ignored.
* A step whose target resolves to nobody reachable is skipped at once.
* "Can't now" moves on early only once *everyone* alerted in the step has
  declined: one person's decline must not cut short the others' time to answer.
* A `Take` is accepted whatever its fence while the case has no owner (a late
  press on an old alert is still a human ready to help); the database's
  conditional UPDATE is the final word on a race.
* After the last step of the last pass the state is `exhausted`: coordinators
  are alerted and the person is told honestly; the case can still be taken.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from routing.events import (
    AlertCoordinators,
    AlertInfo,
    Cancel,
    Command,
    Decline,
    Event,
    HandBack,
    Notify,
    OwnerReleased,
    OwnerSilent,
    ScheduleTimer,
    Start,
    Take,
    TakeAccepted,
    TakeRejected,
    TellPerson,
    TimerFired,
    Transfer,
    WithdrawAlerts,
)
from routing.model import WIDEN_TO, Operator, Policy, Roster, Step
from routing.schedule import on_call

Status = Literal["running", "taken", "exhausted", "cancelled"]
STATE_VERSION = 1
DIRECT_STEP = -1  # step_index while a direct transfer to one login is pending
DIRECT_VIA: tuple[str, ...] = ("console", "telegram")
DIRECT_WAIT_SECONDS = 120


@dataclass(frozen=True)
class EscalationState:
    """Everything needed to continue an escalation after a restart."""

    case: str
    policy: Policy
    started_at: datetime
    language: str | None = None
    urgent: bool = True
    reasons: tuple[str, ...] = ()
    intent: str | None = None
    status: Status = "running"
    step_index: int = 0
    repeat_index: int = 0
    fence: int = 0
    next_at: datetime | None = None
    notified: tuple[str, ...] = ()
    declined: tuple[str, ...] = ()
    owner: str | None = None
    ended_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (versioned) for one database column."""
        return {
            "v": STATE_VERSION,
            "case": self.case,
            "policy": self.policy.to_dict(),
            "started_at": self.started_at.isoformat(),
            "language": self.language,
            "urgent": self.urgent,
            "reasons": list(self.reasons),
            "intent": self.intent,
            "status": self.status,
            "step_index": self.step_index,
            "repeat_index": self.repeat_index,
            "fence": self.fence,
            "next_at": self.next_at.isoformat() if self.next_at else None,
            "notified": list(self.notified),
            "declined": list(self.declined),
            "owner": self.owner,
            "ended_reason": self.ended_reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EscalationState:
        """Inverse of `to_dict`; refuses versions it does not know."""
        if data.get("v") != STATE_VERSION:
            raise ValueError(f"unknown escalation state version {data.get('v')!r}")
        next_at = data.get("next_at")
        return cls(
            case=data["case"],
            policy=Policy.from_dict(data["policy"]),
            started_at=datetime.fromisoformat(data["started_at"]),
            language=data.get("language"),
            urgent=bool(data.get("urgent", True)),
            reasons=tuple(data.get("reasons", ())),
            intent=data.get("intent"),
            status=data["status"],
            step_index=int(data["step_index"]),
            repeat_index=int(data["repeat_index"]),
            fence=int(data["fence"]),
            next_at=datetime.fromisoformat(next_at) if next_at else None,
            notified=tuple(data.get("notified", ())),
            declined=tuple(data.get("declined", ())),
            owner=data.get("owner"),
            ended_reason=data.get("ended_reason"),
        )


Result = tuple[EscalationState | None, list[Command]]


def decide(state: EscalationState | None, event: Event, now: datetime, roster: Roster) -> Result:
    """Apply one event; return the new state and the commands to run after commit."""
    if now.tzinfo is None:
        raise ValueError("decide needs a tz-aware `now`")
    now = now.astimezone(UTC)
    if isinstance(event, Start):
        return _start(state, event, now, roster)
    if state is None:
        if isinstance(event, Take):
            return None, [TakeRejected(event.login, "no_escalation")]
        return None, []
    if isinstance(event, TimerFired):
        return _timer(state, event, now, roster)
    if isinstance(event, Take):
        return _take(state, event, now, roster)
    if isinstance(event, Decline):
        return _decline(state, event, now, roster)
    if isinstance(event, OwnerSilent):
        if state.status != "taken" or (event.fence is not None and event.fence != state.fence):
            return state, []
        return _release_and_restart(state, now, roster, "silent")
    if isinstance(event, HandBack):
        if state.status != "taken" or (event.login is not None and event.login != state.owner):
            return state, []
        return _enter(replace(state, owner=None, status="running"), 0, 0, now, roster)
    if isinstance(event, Transfer):
        return _transfer(state, event, now, roster)
    if isinstance(event, Cancel):
        if state.status == "cancelled":
            return state, []
        ended = _quiet(state, "cancelled", ended_reason=event.reason)
        return ended, [WithdrawAlerts(except_login=None, text_key="case_closed")]
    raise TypeError(f"unknown event {event!r}")


def overdue(
    states: list[EscalationState], now: datetime, grace: timedelta = timedelta(seconds=60)
) -> list[EscalationState]:
    """Running escalations more than `grace` past their next step (timer lost?)."""
    return [
        s
        for s in states
        if s.status == "running" and s.next_at is not None and now - s.next_at > grace
    ]


def rearm(state: EscalationState) -> list[Command]:
    """The timer a restarted app must arm again for this state, if any."""
    if state.next_at is None or state.status not in ("running", "taken"):
        return []
    purpose: Literal["step", "owner_silence"] = "step" if state.status == "running" else "owner_silence"
    return [ScheduleTimer(state.next_at, state.fence, purpose)]


# ---------------------------------------------------------------- transitions


def _start(state: EscalationState | None, event: Start, now: datetime, roster: Roster) -> Result:
    if state is not None and state.status != "cancelled":
        return state, []  # duplicate Start: idempotent
    policy = (roster.policy(event.policy) if event.policy else None) or _default_or_empty(roster)
    fresh = EscalationState(
        case=event.case,
        policy=policy,
        started_at=now,
        language=event.language,
        urgent=event.urgent,
        reasons=tuple(event.reasons),
        intent=event.intent,
        fence=state.fence if state is not None else 0,
    )
    return _enter(fresh, 0, 0, now, roster)


def _default_or_empty(roster: Roster) -> Policy:
    """Never fail to start: with no policy at all, go straight to coordinators."""
    try:
        return roster.default_policy()
    except LookupError:
        return Policy(name="(none)", default=True, steps=(), repeat=0)


def _timer(state: EscalationState, event: TimerFired, now: datetime, roster: Roster) -> Result:
    if state.status != "running" or event.fence != state.fence:
        return state, []
    return _advance(state, now, roster)


def _advance(state: EscalationState, now: datetime, roster: Roster) -> Result:
    if state.step_index == DIRECT_STEP:
        return _enter(state, 0, 0, now, roster)
    return _enter(state, state.step_index + 1, state.repeat_index, now, roster)


def _take(state: EscalationState, event: Take, now: datetime, roster: Roster) -> Result:
    op = roster.operator(event.login)
    if op is None or not op.active:
        return state, [TakeRejected(event.login, "not_an_operator")]
    if state.status == "taken":
        if state.owner == event.login:
            return state, [TakeAccepted(event.login)]  # double press: idempotent
        return state, [TakeRejected(event.login, "already_taken")]
    if state.status == "cancelled":
        return state, [TakeRejected(event.login, "cancelled")]
    fence = state.fence + 1
    silence_at = now + timedelta(seconds=state.policy.owner_reply_seconds) if state.urgent else None
    taken = replace(
        state, status="taken", owner=event.login, fence=fence, next_at=silence_at, notified=(), declined=()
    )
    commands: list[Command] = [
        TakeAccepted(event.login),
        WithdrawAlerts(except_login=event.login, text_key="case_taken"),
        TellPerson("operator_joined"),
    ]
    if silence_at is not None:
        commands.append(ScheduleTimer(silence_at, fence, "owner_silence"))
    return taken, commands


def _decline(state: EscalationState, event: Decline, now: datetime, roster: Roster) -> Result:
    if (
        state.status != "running"
        or event.fence != state.fence
        or event.login not in state.notified
        or event.login in state.declined
    ):
        return state, []
    declined = state.declined + (event.login,)
    state = replace(state, declined=declined)
    if set(state.notified) <= set(declined):
        return _advance(state, now, roster)
    return state, []


def _release_and_restart(state: EscalationState, now: datetime, roster: Roster, reason: str) -> Result:
    released: list[Command] = [OwnerReleased(state.owner, reason)] if state.owner else []
    new_state, commands = _enter(replace(state, owner=None, status="running"), 0, 0, now, roster)
    return new_state, released + commands


def _transfer(state: EscalationState, event: Transfer, now: datetime, roster: Roster) -> Result:
    if state.status == "cancelled":
        return state, []
    state = replace(state, language=event.language or state.language)
    target = roster.operator(event.to_login) if event.to_login else None
    if target is not None and target.login == state.owner:
        return state, []  # transfer to oneself: nothing to do
    if target is None or not target.active:
        return _release_and_restart(state, now, roster, "transferred")
    released: list[Command] = [OwnerReleased(state.owner, "transferred")] if state.owner else []
    first = state.policy.steps[0] if state.policy.steps else None
    via = first.via if first else DIRECT_VIA
    wait = first.wait_seconds if first else DIRECT_WAIT_SECONDS
    channels = [c for c in via if target.reachable_via(c)] or ["console"]
    fence = state.fence + 1
    next_at = now + timedelta(seconds=wait)
    state = replace(
        state,
        status="running",
        owner=None,
        step_index=DIRECT_STEP,
        repeat_index=0,
        fence=fence,
        next_at=next_at,
        notified=(target.login,),
        declined=(),
    )
    alert = _alert(state, now)
    notes: list[Command] = [Notify(target.login, c, DIRECT_STEP, fence, alert) for c in channels]
    return state, released + notes + [ScheduleTimer(next_at, fence)]


# ---------------------------------------------------------------- stepping


def _enter(state: EscalationState, step_index: int, repeat_index: int, now: datetime, roster: Roster) -> Result:
    """Enter the first step at or after (step, repeat) that reaches somebody."""
    steps = state.policy.steps
    i, r = step_index, repeat_index
    empty_in_a_row = 0
    while steps and empty_in_a_row < len(steps):
        if i >= len(steps):
            i, r = 0, r + 1
        if r > state.policy.repeat:
            break
        step = steps[i]
        targets = resolve_step(step, state.language, now, roster, state.policy.widen_to)
        if targets:
            return _notify_step(state, i, r, step, targets, now, roster)
        empty_in_a_row += 1  # a whole empty pass means every later pass is empty too
        i += 1
    return _exhaust(state, roster)


def _notify_step(
    state: EscalationState,
    i: int,
    r: int,
    step: Step,
    targets: tuple[str, ...],
    now: datetime,
    roster: Roster,
) -> Result:
    fence = state.fence + 1
    next_at = now + timedelta(seconds=step.wait_seconds)
    state = replace(
        state, step_index=i, repeat_index=r, fence=fence, next_at=next_at, notified=targets, declined=()
    )
    alert = _alert(state, now)
    commands: list[Command] = []
    for login in targets:
        op = roster.operator(login)
        assert op is not None
        commands.extend(Notify(login, c, i, fence, alert) for c in step.via if op.reachable_via(c))
    commands.append(ScheduleTimer(next_at, fence))
    return state, commands


def _exhaust(state: EscalationState, roster: Roster) -> Result:
    ended = _quiet(state, "exhausted", ended_reason="policy_exhausted")
    return ended, [
        AlertCoordinators("policy_exhausted", roster.coordinators()),
        TellPerson("no_one_available_yet"),
    ]


def _quiet(state: EscalationState, status: Status, ended_reason: str) -> EscalationState:
    return replace(
        state,
        status=status,
        fence=state.fence + 1,
        next_at=None,
        notified=(),
        declined=(),
        ended_reason=ended_reason,
    )


def _alert(state: EscalationState, now: datetime) -> AlertInfo:
    waited = max(0, int((now - state.started_at).total_seconds()))
    return AlertInfo(state.case, state.language, state.intent, state.reasons, waited)


def resolve_step(step: Step, language: str | None, now: datetime, roster: Roster,
                 widen_to: tuple[str, ...] = WIDEN_TO) -> tuple[str, ...]:  # fmt: skip
    """Active, reachable logins a step alerts now.

    For a schedule step only on-call people who speak `language` are alerted,
    unless none does: then those who speak the policy's `widen_to` languages (Russian
    by default), then everyone on call (someone answering beats no one).
    """
    target = step.notify
    logins: list[str]
    if target.schedule is not None:
        schedule = roster.schedule(target.schedule)
        logins = on_call(schedule, now) if schedule is not None else []
    elif target.coordinators:
        logins = list(roster.coordinators())
    else:
        logins = list(target.operators)
    usable: list[Operator] = []
    for login in dict.fromkeys(logins):
        op = roster.operator(login)
        if op is not None and op.active and any(op.reachable_via(c) for c in step.via):
            usable.append(op)
    if target.schedule is not None and language is not None:
        for lang in (language, *widen_to):
            speakers = [o for o in usable if lang in o.languages]
            if speakers:
                usable = speakers
                break
    return tuple(o.login for o in usable)
