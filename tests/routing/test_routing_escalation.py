"""Escalation state machine with a frozen clock, on the example roster.

On 2026-11-28 10:00 Almaty (05:00 UTC) dilnoza is on call in `hotline`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from routing import (
    AlertCoordinators,
    Cancel,
    Command,
    Decline,
    EscalationState,
    HandBack,
    Notify,
    Override,
    OwnerReleased,
    OwnerSilent,
    Policy,
    Roster,
    Schedule,
    ScheduleTimer,
    Start,
    Take,
    TakeAccepted,
    TakeRejected,
    Target,
    TellPerson,
    TimerFired,
    Transfer,
    WithdrawAlerts,
    decide,
    overdue,
    rearm,
)
from tests.routing.routing_helpers import daily, op, policy, roster_of, step, utc

T0 = utc(2026, 11, 28, 5)
START = Start(case="C-7Q2", language="uz", urgent=True, reasons=("locked_in",), intent="trafficking")


def notified(commands: list[Command]) -> list[tuple[str, str]]:
    return [(c.login, c.via) for c in commands if isinstance(c, Notify)]


def timers(commands: list[Command]) -> list[ScheduleTimer]:
    return [c for c in commands if isinstance(c, ScheduleTimer)]


def started(roster: Roster) -> EscalationState:
    state, _ = decide(None, START, T0, roster)
    assert state is not None
    return state


def test_start_alerts_whoever_is_on_call_on_every_step_channel(roster: Roster) -> None:
    state, commands = decide(None, START, T0, roster)
    assert notified(commands) == [("dilnoza", "telegram"), ("dilnoza", "sms"), ("dilnoza", "console")]
    assert timers(commands) == [ScheduleTimer(T0 + timedelta(seconds=60), 1)]
    assert state is not None and state.status == "running" and state.notified == ("dilnoza",)


def test_alert_carries_nothing_that_identifies_the_person(roster: Roster) -> None:
    _, commands = decide(None, START, T0, roster)
    alert = next(c for c in commands if isinstance(c, Notify)).alert
    assert (alert.case, alert.language, alert.intent, alert.urgent_reasons) == ("C-7Q2", "uz", "trafficking", ("locked_in",))
    assert alert.waiting_seconds == 0


def test_each_step_fires_at_its_time_then_repeats_then_runs_out(roster: Roster) -> None:
    state, commands = decide(None, START, T0, roster)
    seen: list[tuple[int, int, list[str]]] = []
    now = T0
    for _ in range(10):
        assert state is not None
        if state.status != "running":
            break
        (timer,) = timers(commands)
        assert timer.at == now + timedelta(seconds=60)
        now = timer.at
        state, commands = decide(state, TimerFired(timer.fence), now, roster)
        assert state is not None
        seen.append((state.step_index, state.repeat_index, sorted({c.login for c in commands if isinstance(c, Notify)})))
    assert seen[:3] == [(1, 0, ["coord"]), (0, 1, ["dilnoza"]), (1, 1, ["coord"])]
    assert state is not None and state.status == "exhausted" and state.next_at is None
    assert commands == [AlertCoordinators("policy_exhausted", ("coord",)), TellPerson("no_one_available_yet")]


def test_later_alerts_say_how_long_the_person_has_waited(roster: Roster) -> None:
    state = started(roster)
    _, commands = decide(state, TimerFired(state.fence), T0 + timedelta(seconds=61), roster)
    assert next(c for c in commands if isinstance(c, Notify)).alert.waiting_seconds == 61


def test_take_stops_everything_and_withdraws_other_alerts(roster: Roster) -> None:
    state = started(roster)
    taken, commands = decide(state, Take("dilnoza", state.fence), T0 + timedelta(seconds=20), roster)
    assert taken is not None and taken.status == "taken" and taken.owner == "dilnoza"
    assert TakeAccepted("dilnoza") in commands
    assert WithdrawAlerts(except_login="dilnoza", text_key="case_taken") in commands
    assert TellPerson("operator_joined") in commands
    assert notified(commands) == []
    after, later = decide(taken, TimerFired(state.fence), T0 + timedelta(seconds=60), roster)
    assert after == taken and later == []


def test_second_take_is_rejected(roster: Roster) -> None:
    state = started(roster)
    taken, _ = decide(state, Take("dilnoza", state.fence), T0, roster)
    again, commands = decide(taken, Take("coord", None), T0, roster)
    assert again == taken
    assert commands == [TakeRejected("coord", "already_taken")]


def test_double_press_by_the_owner_is_accepted_without_side_effects(roster: Roster) -> None:
    state = started(roster)
    taken, _ = decide(state, Take("dilnoza", state.fence), T0, roster)
    assert decide(taken, Take("dilnoza", state.fence), T0, roster) == (taken, [TakeAccepted("dilnoza")])


def test_take_by_someone_not_in_the_roster_is_rejected(roster: Roster) -> None:
    state = started(roster)
    assert decide(state, Take("mallory"), T0, roster) == (state, [TakeRejected("mallory", "not_an_operator")])


def test_late_take_on_an_old_alert_still_wins_while_nobody_owns_the_case(roster: Roster) -> None:
    state = started(roster)
    moved, _ = decide(state, TimerFired(state.fence), T0 + timedelta(seconds=60), roster)
    taken, commands = decide(moved, Take("dilnoza", state.fence), T0 + timedelta(seconds=70), roster)
    assert taken is not None and taken.owner == "dilnoza" and TakeAccepted("dilnoza") in commands


def test_stale_timer_is_ignored(roster: Roster) -> None:
    state = started(roster)
    moved, _ = decide(state, TimerFired(state.fence), T0 + timedelta(seconds=60), roster)
    assert moved is not None and moved.fence == state.fence + 1
    assert decide(moved, TimerFired(state.fence), T0 + timedelta(seconds=61), roster) == (moved, [])


def test_cant_now_from_the_only_person_alerted_moves_on_at_once(roster: Roster) -> None:
    state = started(roster)
    moved, commands = decide(state, Decline("dilnoza", state.fence), T0 + timedelta(seconds=5), roster)
    assert moved is not None and moved.step_index == 1
    assert {login for login, _ in notified(commands)} == {"coord"}
    assert timers(commands)[0].at == T0 + timedelta(seconds=65)


def test_cant_now_waits_until_everyone_in_the_step_declined() -> None:
    r = roster_of(
        op("a"),
        op("b"),
        op("c", role="coordinator"),
        policies=(policy(step(Target(operators=("a", "b"))), step(Target(coordinators=True))),),
    )
    state, _ = decide(None, START, T0, r)
    assert state is not None
    one, commands = decide(state, Decline("a", state.fence), T0, r)
    assert commands == [] and one is not None and one.step_index == 0 and one.declined == ("a",)
    assert decide(one, Decline("a", state.fence), T0, r) == (one, [])  # repeated press
    both, commands = decide(one, Decline("b", state.fence), T0, r)
    assert both is not None and both.step_index == 1 and notified(commands)[0][0] == "c"


def test_stale_cant_now_is_ignored(roster: Roster) -> None:
    state = started(roster)
    assert decide(state, Decline("dilnoza", state.fence - 1), T0, roster) == (state, [])


def test_schedule_level_with_nobody_on_call_is_skipped_at_once(roster: Roster) -> None:
    before_rota = utc(2025, 12, 31, 12)
    state, commands = decide(None, START, before_rota, roster)
    assert state is not None and state.step_index == 1
    assert {login for login, _ in notified(commands)} == {"coord"}
    assert timers(commands) == [ScheduleTimer(before_rota + timedelta(seconds=60), state.fence)]


def test_schedule_step_prefers_on_call_operators_who_speak_the_language() -> None:
    base = daily("Asia/Almaty", ("dilnoza",))
    extra = Override("aigerim", utc(2026, 11, 1), utc(2026, 12, 1), replaces="nobody")
    r = roster_of(
        op("aigerim", ("kk", "ru")),
        op("dilnoza", ("uz", "ru")),
        schedules=(Schedule(base.name, base.timezone, base.layers, (extra,)),),
        policies=(policy(step(Target(schedule="hotline"))),),
    )

    def first(language: str) -> set[str]:
        _, commands = decide(None, replace(START, language=language), T0, r)
        return {login for login, _ in notified(commands)}

    assert first("kk") == {"aigerim"}
    assert first("uz") == {"dilnoza"}
    assert first("en") == {"aigerim", "dilnoza"}


def test_a_kyrgyz_or_tajik_case_nobody_on_call_speaks_widens_to_russian_speakers_before_everyone() -> None:
    base = daily("Asia/Almaty", ("zarina",))
    extra = tuple(Override(login, utc(2026, 11, 1), utc(2026, 12, 1), replaces="nobody") for login in ("olga", "farrukh"))
    speakers = (op("zarina", ("uz",)), op("olga", ("ru",)), op("farrukh", ("tg", "ru")))

    def first(language: str, widen_to: tuple[str, ...] = ("ru",)) -> set[str]:
        urgent = Policy("urgent", True, (step(Target(schedule="hotline")),), widen_to=widen_to)
        r = roster_of(*speakers, schedules=(Schedule(base.name, base.timezone, base.layers, extra),), policies=(urgent,))
        _, commands = decide(None, replace(START, language=language), T0, r)
        return {login for login, _ in notified(commands)}

    assert first("tg") == {"farrukh"}  # a Tajik speaker is on call
    assert first("ky") == {"olga", "farrukh"}  # nobody speaks Kyrgyz: the Russian speakers, not the Uzbek-only one
    assert first("ky", widen_to=("uz",)) == {"zarina"}  # the policy file names whom to widen to
    assert first("ky", widen_to=("kk",)) == {"zarina", "olga", "farrukh"}  # nobody speaks that either: everyone


def test_policy_with_nobody_reachable_alerts_coordinators_at_once() -> None:
    r = roster_of(op("a", active=False), op("c", role="coordinator"), policies=(policy(step(Target(operators=("a",))), repeat=3),))
    state, commands = decide(None, START, T0, r)
    assert state is not None and state.status == "exhausted"
    assert commands == [AlertCoordinators("policy_exhausted", ("c",)), TellPerson("no_one_available_yet")]


def test_roster_without_any_policy_still_reaches_coordinators() -> None:
    r = roster_of(op("c", role="coordinator"))
    state, commands = decide(None, START, T0, r)
    assert state is not None and state.status == "exhausted"
    assert AlertCoordinators("policy_exhausted", ("c",)) in commands


def test_exhausted_case_can_still_be_taken(roster: Roster) -> None:
    r = roster_of(op("a", active=False), op("c", role="coordinator"), policies=(policy(step(Target(operators=("a",)))),))
    state, _ = decide(None, START, T0, r)
    taken, commands = decide(state, Take("c"), T0, r)
    assert taken is not None and taken.owner == "c" and TakeAccepted("c") in commands


def test_policy_edited_after_start_does_not_change_the_running_escalation(roster: Roster) -> None:
    state = started(roster)
    edited = Policy("urgent", True, (step(Target(schedule="hotline"), wait=900),), repeat=0)
    new_roster = Roster(roster.operators, roster.schedules, (edited,))
    moved, commands = decide(state, TimerFired(state.fence), T0 + timedelta(seconds=60), new_roster)
    assert moved is not None and moved.step_index == 1 and moved.policy == roster.default_policy()
    assert {login for login, _ in notified(commands)} == {"coord"}
    assert timers(commands)[0].at == T0 + timedelta(seconds=120)


def test_state_survives_a_restart_mid_step(roster: Roster) -> None:
    state = started(roster)
    stored = json.dumps(state.to_dict())
    restored = EscalationState.from_dict(json.loads(stored))
    assert restored == state
    at = T0 + timedelta(seconds=60)
    assert decide(restored, TimerFired(state.fence), at, roster) == decide(state, TimerFired(state.fence), at, roster)
    assert rearm(restored) == [ScheduleTimer(state.next_at, state.fence)]  # type: ignore[arg-type]


def test_unknown_state_version_is_refused(roster: Roster) -> None:
    data = started(roster).to_dict() | {"v": 99}
    with pytest.raises(ValueError):
        EscalationState.from_dict(data)


def test_silent_owner_of_an_urgent_case_loses_it_and_escalation_restarts(roster: Roster) -> None:
    state = started(roster)
    taken, commands = decide(state, Take("dilnoza", state.fence), T0, roster)
    assert taken is not None
    assert ScheduleTimer(T0 + timedelta(seconds=300), taken.fence, "owner_silence") in commands
    assert decide(taken, OwnerSilent(taken.fence - 1), T0, roster) == (taken, [])  # stale
    later = T0 + timedelta(seconds=300)
    lost, commands = decide(taken, OwnerSilent(taken.fence), later, roster)
    assert lost is not None and lost.status == "running" and lost.owner is None and lost.step_index == 0
    assert commands[0] == OwnerReleased("dilnoza", "silent")
    assert ("dilnoza", "telegram") in notified(commands)


def test_non_urgent_take_arms_no_silence_timer(roster: Roster) -> None:
    state, _ = decide(None, replace(START, urgent=False), T0, roster)
    taken, commands = decide(state, Take("dilnoza"), T0, roster)
    assert taken is not None and taken.next_at is None and timers(commands) == []


def test_cancel_withdraws_alerts_and_ends_everything(roster: Roster) -> None:
    state = started(roster)
    ended, commands = decide(state, Cancel("person_left"), T0, roster)
    assert ended is not None and ended.status == "cancelled" and ended.ended_reason == "person_left"
    assert commands == [WithdrawAlerts(except_login=None, text_key="case_closed")]
    assert decide(ended, TimerFired(state.fence), T0 + timedelta(seconds=60), roster) == (ended, [])
    assert decide(ended, Take("dilnoza"), T0, roster)[1] == [TakeRejected("dilnoza", "cancelled")]


def test_hand_back_restarts_from_the_first_step(roster: Roster) -> None:
    state = started(roster)
    taken, _ = decide(state, Take("coord"), T0, roster)
    assert decide(taken, HandBack("dilnoza"), T0, roster) == (taken, [])  # not the owner
    back, commands = decide(taken, HandBack("coord"), T0, roster)
    assert back is not None and back.status == "running" and back.owner is None and back.step_index == 0
    assert {login for login, _ in notified(commands)} == {"dilnoza"}


def test_transfer_to_a_named_operator_alerts_only_them_then_falls_back_to_the_policy(roster: Roster) -> None:
    state = started(roster)
    taken, _ = decide(state, Take("dilnoza"), T0, roster)
    moved, commands = decide(taken, Transfer(to_login="aigerim", language="kk"), T0, roster)
    assert moved is not None and moved.owner is None and moved.language == "kk" and moved.notified == ("aigerim",)
    assert commands[0] == OwnerReleased("dilnoza", "transferred")
    assert {login for login, _ in notified(commands)} == {"aigerim"}
    (timer,) = timers(commands)
    back, commands = decide(moved, TimerFired(timer.fence), timer.at, roster)
    assert back is not None and back.step_index == 0
    assert {login for login, _ in notified(commands)} == {"dilnoza"}


def test_transfer_to_another_language_restarts_routing(roster: Roster) -> None:
    state = started(roster)
    moved, commands = decide(state, Transfer(language="kk"), T0, roster)
    assert moved is not None and moved.language == "kk" and moved.fence > state.fence
    assert notified(commands)


def test_duplicate_start_is_ignored(roster: Roster) -> None:
    state = started(roster)
    assert decide(state, START, T0 + timedelta(seconds=5), roster) == (state, [])


def test_overdue_lists_running_escalations_past_grace_only(roster: Roster) -> None:
    state = started(roster)
    assert state.next_at is not None
    taken, _ = decide(state, Take("dilnoza"), T0, roster)
    assert taken is not None
    assert overdue([state, taken], state.next_at + timedelta(seconds=60)) == []
    assert overdue([state, replace(taken, next_at=state.next_at)], state.next_at + timedelta(seconds=61)) == [state]


def test_events_without_a_state_do_nothing(roster: Roster) -> None:
    assert decide(None, TimerFired(3), T0, roster) == (None, [])
    assert decide(None, Take("dilnoza"), T0, roster) == (None, [TakeRejected("dilnoza", "no_escalation")])


def test_transfer_to_someone_not_in_the_roster_re_routes_by_policy(roster: Roster) -> None:
    state = started(roster)
    taken, _ = decide(state, Take("coord"), T0, roster)
    moved, commands = decide(taken, Transfer(to_login="ghost"), T0, roster)
    assert moved is not None and moved.owner is None and moved.step_index == 0
    assert commands[0] == OwnerReleased("coord", "transferred")


def test_transfer_to_the_current_owner_changes_nothing(roster: Roster) -> None:
    state = started(roster)
    taken, _ = decide(state, Take("coord"), T0, roster)
    assert decide(taken, Transfer(to_login="coord"), T0, roster) == (taken, [])


def test_restarted_app_rearms_the_owner_silence_timer(roster: Roster) -> None:
    taken, _ = decide(started(roster), Take("dilnoza"), T0, roster)
    assert taken is not None and taken.next_at is not None
    restored = EscalationState.from_dict(json.loads(json.dumps(taken.to_dict())))
    assert rearm(restored) == [ScheduleTimer(taken.next_at, taken.fence, "owner_silence")]
