"""Simulate many escalations on a roster to see alert volume and time-to-take.

Run: .venv/bin/python bench/escalation_sim.py [roster.yml] [--cases N] [--answer-rate P]
Each alerted operator answers within a step with probability P; the sim
drives `routing.decide` with a frozen clock, the way the app would.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from routing import Notify, ScheduleTimer, Start, Take, TimerFired, decide, parse_roster

DEFAULT_ROSTER = Path(__file__).resolve().parents[1] / "routing" / "examples" / "roster.yml"


def simulate(roster_path: Path, cases: int, answer_rate: float, seed: int) -> None:
    """Run `cases` escalations and print a short summary."""
    rng = random.Random(seed)
    roster = parse_roster(roster_path.read_text(encoding="utf-8"))
    start = datetime(2026, 11, 28, tzinfo=UTC)
    takes: list[float] = []
    exhausted = 0
    alerts = 0
    decisions = 0
    began = time.perf_counter()
    for n in range(cases):
        now = start + timedelta(minutes=rng.randrange(0, 7 * 24 * 60))
        t0 = now
        state, commands = decide(None, Start(f"C-{n}", rng.choice(["ru", "kk", "uz"])), now, roster)
        decisions += 1
        while state is not None and state.status == "running":
            alerts += sum(isinstance(c, Notify) for c in commands)
            timer = next(c for c in commands if isinstance(c, ScheduleTimer))
            responder = next((x for x in state.notified if rng.random() < answer_rate), None)
            if responder is not None:
                now += (timer.at - now) * rng.random()
                state, commands = decide(state, Take(responder, state.fence), now, roster)
                takes.append((now - t0).total_seconds())
            else:
                now = timer.at
                state, commands = decide(state, TimerFired(timer.fence), now, roster)
            decisions += 1
        exhausted += state is not None and state.status == "exhausted"
    elapsed = time.perf_counter() - began
    print(f"cases={cases} taken={len(takes)} exhausted={exhausted} alerts={alerts}")
    if takes:
        q = statistics.quantiles(takes, n=20)
        print(f"time to take: median={statistics.median(takes):.0f}s p95={q[-1]:.0f}s")
    print(f"decide: {decisions} calls in {elapsed:.2f}s ({decisions / elapsed:,.0f}/s)")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("roster", nargs="?", type=Path, default=DEFAULT_ROSTER)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--answer-rate", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    simulate(args.roster, args.cases, args.answer_rate, args.seed)


if __name__ == "__main__":
    main()
