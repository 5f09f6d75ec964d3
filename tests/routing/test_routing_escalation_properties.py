"""Property tests: whatever happens, no alerts while owned, and it always ends."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings, strategies as st

from routing import (
    Cancel,
    Command,
    Decline,
    EscalationState,
    Event,
    HandBack,
    Notify,
    OwnerSilent,
    Roster,
    ScheduleTimer,
    Start,
    Take,
    TimerFired,
    Transfer,
    decide as _decide,
)
from routing.model import Policy, Step, Target
from tests.routing.routing_helpers import daily, op, roster_of, utc

LOGINS = ("aigerim", "dilnoza", "coord", "ghost")
T0 = utc(2026, 11, 28, 5)

targets = st.sampled_from(
    [Target(schedule="hotline"), Target(schedule="missing"), Target(operators=("aigerim",)),
     Target(operators=("coord", "dilnoza")), Target(coordinators=True)]
)
steps = st.builds(
    Step,
    notify=targets,
    via=st.sampled_from([("telegram",), ("sms", "voice"), ("console", "telegram")]),
    wait_seconds=st.integers(1, 600),
)
policies = st.builds(Policy, name=st.just("p"), default=st.just(True), steps=st.lists(steps, max_size=4).map(tuple),
                     repeat=st.integers(0, 3), owner_reply_seconds=st.integers(1, 900))

# Events are drawn relative to the current state (fence offsets), so they hit live paths.
actions = st.one_of(
    st.tuples(st.just("timer"), st.integers(-1, 1)),
    st.tuples(st.just("take"), st.sampled_from(LOGINS), st.sampled_from([None, -1, 0])),
    st.tuples(st.just("decline"), st.sampled_from(LOGINS), st.integers(-1, 0)),
    st.tuples(st.just("silent"), st.sampled_from([None, -1, 0])),
    st.tuples(st.just("cancel")),
    st.tuples(st.just("handback"), st.sampled_from((None, *LOGINS))),
    st.tuples(st.just("transfer"), st.sampled_from((None, *LOGINS)), st.sampled_from([None, "kk", "uz"])),
    st.tuples(st.just("start"), st.sampled_from(["kk", "uz", None])),
)


def to_event(action: tuple[Any, ...], state: EscalationState | None) -> Event:
    fence = state.fence if state else 0
    kind = action[0]
    if kind == "timer":
        return TimerFired(fence + action[1])
    if kind == "take":
        return Take(action[1], None if action[2] is None else fence + action[2])
    if kind == "decline":
        return Decline(action[1], fence + action[2])
    if kind == "silent":
        return OwnerSilent(None if action[1] is None else fence + action[1])
    if kind == "cancel":
        return Cancel("test")
    if kind == "handback":
        return HandBack(action[1])
    if kind == "transfer":
        return Transfer(action[1], action[2])
    return Start("C-1", action[1])


def make_roster(policy: Policy, active_coord: bool) -> Roster:
    return roster_of(
        op("aigerim", ("kk", "ru")),
        op("dilnoza", ("uz", "ru")),
        op("coord", ("ru",), role="coordinator", active=active_coord),
        schedules=(daily("Asia/Almaty", ("aigerim", "dilnoza")),),
        policies=(policy,),
    )


def check(before: EscalationState | None, after: EscalationState | None, commands: list[Command], now: datetime) -> None:
    notes = [c for c in commands if isinstance(c, Notify)]
    if after is not None:
        if after.status == "taken":
            assert after.owner is not None
        if after.status in ("running", "exhausted"):
            assert after.owner is None  # a cancelled case keeps its last owner for the record
        if after.status == "taken":
            assert notes == [], "notified while the case has an owner"
        if after.status in ("exhausted", "cancelled"):
            assert after.next_at is None and notes == []
        assert all(n.fence == after.fence for n in notes), "alert issued under a stale fence"
        if before is not None:
            assert after.fence >= before.fence
    assert all(t.at > now for t in commands if isinstance(t, ScheduleTimer))


@settings(max_examples=300, deadline=None)
@given(
    policy=policies,
    active_coord=st.booleans(),
    first=st.sampled_from(["kk", "uz", None]),
    script=st.lists(st.tuples(actions, st.integers(0, 900)), max_size=25),
)
def test_random_event_sequences_never_alert_an_owned_case_and_always_end(
    policy: Policy, active_coord: bool, first: str | None, script: list[tuple[tuple[Any, ...], int]]
) -> None:
    roster = make_roster(policy, active_coord)
    now = T0
    state, commands = _decide(None, Start("C-1", first), now, roster)
    check(None, state, commands, now)
    for action, gap in script:
        now += timedelta(seconds=gap)
        before = state
        state, commands = _decide(state, to_event(action, state), now, roster)
        check(before, state, commands, now)
    # Nothing loops forever: with nobody answering, firing each timer in turn ends it.
    bound = len(policy.steps) * (policy.repeat + 1) + 2
    for _ in range(bound):
        if state is None or state.status != "running":
            break
        assert state.next_at is not None
        now = max(now, state.next_at)
        before = state
        state, commands = _decide(state, TimerFired(state.fence), now, roster)
        check(before, state, commands, now)
    assert state is not None and state.status != "running"
