"""Start-up benchmark: seconds from `make run PORT=…` until the port answers, first start and warm start.

Usage: .venv/bin/python bench/start_bench.py [--root CHECKOUT] [--warm N]
CHECKOUT is a clone where `make install` has run (default: this one). Its ``var/`` is moved aside
for the first start (no database, no secrets, no model copy yet: what a newcomer's first `make run`
does) and put back afterwards. "Answers" means GET /healthz is 200; /readyz is timed too.
Targets (issue 16): first start < 15 s, warm start < 3 s. The load average and the CPU seconds the
start used are printed too: on a shared box the wall times are upper bounds, the CPU time is not.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _session_cpu(session: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of one session (Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # field 6 of stat: the session id
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def start_once(root: Path) -> tuple[float, float, float]:
    """(seconds to /healthz 200, seconds to /readyz 200, CPU seconds used by then) for one `make run`."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPLINE_")}
    started = time.monotonic()
    proc = subprocess.Popen(["make", "-s", "run", f"PORT={port}"], cwd=root, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    healthy = ready = 0.0
    try:
        while time.monotonic() - started < 300:
            if proc.poll() is not None:
                raise RuntimeError(f"make run exited with {proc.returncode}")
            if not healthy and _ok(f"http://127.0.0.1:{port}/healthz"):
                healthy = time.monotonic() - started
            if healthy and _ok(f"http://127.0.0.1:{port}/readyz"):
                ready = time.monotonic() - started
                return healthy, ready, _session_cpu(proc.pid)
            time.sleep(0.05)
        raise RuntimeError("no answer in 300 s")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # make and the server it started: their own session
        proc.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--warm", type=int, default=3, help="warm starts to time")
    args = parser.parse_args()
    root = args.root.resolve()
    var, aside = root / "var", root / "var.start-bench-aside"
    if var.exists():
        var.rename(aside)
    try:
        first = start_once(root)
        warm = [start_once(root) for _ in range(args.warm)]
    finally:
        if aside.exists():
            shutil.rmtree(var, ignore_errors=True)
            aside.rename(var)
    best = min(warm)
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times include waiting for a core)")
    print(f"first start: answers in {first[0]:.1f} s, ready in {first[1]:.1f} s, {first[2]:.1f} s of CPU   (target < 15 s)")
    print("warm starts: " + ", ".join(f"{h:.1f}/{r:.1f} s ({c:.1f} s CPU)" for h, r, c in warm)
          + f"   best {best[0]:.1f} s (target < 3 s)")  # fmt: skip
    print(f"warm / first: {best[0] / first[0]:.2f} wall, {best[2] / first[2]:.2f} CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
