"""NLU benchmark: model load time, per-message latency on one core, throughput, peak memory.

Usage: .venv/bin/python bench/nlu_bench.py [--model PATH] [--train] [--rounds N]
By default it reads the package's model (nlu/model/helpline.pkl, built by `make install`);
--train trains a fresh one first (and reports the one-core training time).
Targets: load <= 1 s, p99 <= 5 ms, peak RSS < 300 MB. The load average is printed: the
figures mean something only on a quiet core.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core, as a worker would run it

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlu.data_io import DATA_DIR, EVALUATION_SETS, load_dir
from nlu.model import DEFAULT_MODEL_PATH, NLUModel


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--model",
        type=Path,
        default=None,
        help="saved model (default: the package model)",
    )
    ap.add_argument("--train", action="store_true", help="train a fresh model into a temp file first")
    ap.add_argument(
        "--rounds", type=int, default=2, help="passes over the held-out messages"
    )
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    path = args.model or DEFAULT_MODEL_PATH
    if args.train or not path.exists():
        t0 = time.perf_counter()
        model = NLUModel.train()
        train_s = time.perf_counter() - t0
        path = Path(tempfile.mkdtemp()) / "nlu-model.pkl"
        model.save(path)
        print(f"train: {train_s:.1f} s (one core)")
        del model
    t0 = time.perf_counter()
    model = NLUModel.load(path)
    load_s = time.perf_counter() - t0
    # the test split and the held-out sets that are not training data: short lines and long stories alike
    texts = [e.text for name in EVALUATION_SETS if name != "test_audited" for e in load_dir(DATA_DIR / name)]
    texts += ["", "🆘", ("Я работала на складе, всё было нормально. " * 120)[:5000]]
    for t in texts[:50]:
        model.predict(t)  # warm-up
    lat: list[float] = []
    cpu: list[float] = []  # CPU time per message: what a busy, shared core does not inflate as much
    t_all = time.perf_counter()
    for _ in range(args.rounds):
        for t in texts:
            t0, c0 = time.perf_counter(), time.thread_time()
            model.predict(t)
            cpu.append((time.thread_time() - c0) * 1000)
            lat.append((time.perf_counter() - t0) * 1000)
    wall = time.perf_counter() - t_all
    t0 = time.perf_counter()
    model.predict_many(texts)
    batch_s = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"model file: {path.stat().st_size / 1e6:.1f} MB")
    print(f"load: {load_s:.2f} s")
    print(
        f"latency per message (ms): p50 {_pct(lat, 0.5):.2f}  p99 {_pct(lat, 0.99):.2f}  max {max(lat):.2f}  (n={len(lat)})"
    )
    print(f"CPU time per message (ms): p50 {_pct(cpu, 0.5):.2f}  p99 {_pct(cpu, 0.99):.2f}  max {max(cpu):.2f}")
    print(
        f"throughput: {len(lat) / wall:.0f} msg/s one by one, {len(texts) / batch_s:.0f} msg/s batched"
    )
    print(f"peak RSS: {rss_mb:.0f} MB")
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ok = load_s <= 1 and _pct(lat, 0.99) <= 5 and rss_mb < 300
    print("targets (load <= 1 s, p99 <= 5 ms, < 300 MB):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
