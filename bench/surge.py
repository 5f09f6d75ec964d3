"""Surge: the door's cost, ingest next to bare FastAPI, sustained processing, urgent messages in a backlog.

All in one run, so the ratios compare like with like on whatever load the machine has:

1. the door's triage (cue matching) next to the full model's prediction, per message;
2. Telegram webhook ingest (HTTP → secret → parse → limiter → triage → group-committed delivery → 200),
   real uvicorn processes, interleaved with a bare FastAPI endpoint: bare, PostgreSQL, SQLite, 1 worker each;
3. sustained end-to-end processing with the real embedded NLU: stored → classified → answered → outbox
   row, SQLite and PostgreSQL in one process, and PostgreSQL with two worker processes (one per core);
4. a surge: a backlog of stored messages, then urgent messages from new people arriving while the
   job loop works through it: time from the door to the operator's first alert call (p50, p99).

Run: ``python bench/surge.py [--duration 8] [--backlog 20000] [--urgent 50] [--only door,ingest,process,surge]``.
PostgreSQL runs on a fresh database on HELPLINE_BENCH_PG_URL (default: the local server).

Work that must not grow with history (``bench/history.py``), a separate set of sections:
``python bench/surge.py --only console,stats,purge [--contacts 10000,100000] [--history-db pg] [--compare]``:
the console queue and statistics pages through the app and the first retention purge (90 days of backlog)
on a database seeded with that many contacts over 120 days.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import insert, text  # noqa: E402
from webhook_bench import app_env, drop, load, pct, prepare, run_bare, start  # noqa: E402

from app.inbound.deliveries import BATCH_SIZE  # noqa: E402

MODEL = ROOT / "nlu" / "model" / "helpline.pkl"
TEXTS = ["Здравствуйте", "Работодатель забрал паспорт", "salom menga yordam kerak", "Жалақы төленбеді",
         "Мне предлагают работу в Дубае", "Как сделать патент?", "подскажите адрес консульства"]  # fmt: skip
URGENT = ["нас заперли, помогите срочно", "meni qamab qo'yishdi yordam bering", "бізді қамап қойды, көмектесіңдер"]
ROSTER = """
operators:
  - {login: aigerim, name: Aigerim, role: operator, languages: [kk, ru, uz], telegram_chat_id: 5550001}
schedules:
  - name: hotline
    timezone: Asia/Almaty
    layers:
      - {rotation: daily, handoff: "09:00", start: "2026-01-01", members: [aigerim]}
escalation_policies:
  - name: urgent
    default: true
    steps:
      - {notify: {schedule: hotline}, via: [telegram], wait_seconds: 300}
    repeat: 0
"""


def load_avg() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


# 1. The door's cost ---------------------------------------------------------------------------------


def door_cost(n: int = 3000) -> dict[str, float]:
    import nlu
    from app.understanding.gateway import EmbeddedClassifier, LiveClassifier, door_triage

    model = nlu.load_or_train(MODEL)
    triage = door_triage(LiveClassifier(EmbeddedClassifier(model)))
    texts = [TEXTS[i % len(TEXTS)] + f" {i}" for i in range(n)] + URGENT * 10
    t0 = time.perf_counter()
    flagged = sum(triage(t) for t in texts)
    door = (time.perf_counter() - t0) / len(texts)
    t0 = time.perf_counter()
    for t in texts:
        model.predict(t)
    full = (time.perf_counter() - t0) / len(texts)
    return {"door_us": door * 1e6, "full_us": full * 1e6, "flagged": flagged, "n": len(texts)}


# 2. Ingest ------------------------------------------------------------------------------------------


async def ingest(kind: str, args: argparse.Namespace, port: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url, dbname = await prepare(kind, tmp)
        env = app_env(url, tmp, worker=False) | {"HELPLINE_NLU_BACKEND": "embedded", "HELPLINE_NLU_MODEL_PATH": str(MODEL)}
        try:
            proc = start("app.main:create_app", port, env, 1)
            try:
                await load(port, 2, args.concurrency, 1)  # warm-up
                count, lat, errors = await load(port, args.duration, args.concurrency, 1_000_000)
            finally:
                proc.terminate()
                proc.wait(30)
        finally:
            await drop(dbname)
    return {"rps": count / args.duration, "p50": pct(lat, 0.5), "p99": pct(lat, 0.99), "errors": errors}




# 3 and 4. In one process with the real NLU ----------------------------------------------------------


class Recorder:
    """The providers' far side: answers at once and notes when each call was made."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.calls: list[tuple[float, str, str]] = []

    async def send(self, message):  # type: ignore[no-untyped-def]
        from bots.messages import SendResult

        self.calls.append((time.perf_counter(), message.address, message.text))
        return SendResult(external_message_id=str(len(self.calls)))

    async def close(self) -> None:
        return None


async def container_for(url: str, tmp: str, *, roster: bool = True, keys: str | None = None):  # type: ignore[no-untyped-def]
    from app.oncall.roster_store import import_roster
    from app.platform.db import session_scope
    from app.platform.settings import Settings, new_key_spec
    from app.runtime.container import build_container

    settings = Settings(env="test", database_url=url, data_dir=Path(tmp), pepper="p" * 40, secret_key="s" * 40,
                        encryption_keys=keys or new_key_spec("k1"), worker_enabled=False, nlu_backend="embedded",
                        nlu_model_path=MODEL, log_level="ERROR", worker_interval=0.05)  # fmt: skip
    c = await build_container(settings, senders={n: Recorder(n) for n in ("telegram", "sms", "webchat")})
    if roster:
        async with session_scope(c.sessionmaker) as session:
            await import_roster(session, c.vault, ROSTER, actor="bench")
    return c


async def backlog(c, n: int, tag: str, *, unique: bool = False) -> None:  # type: ignore[no-untyped-def]
    """``n`` stored deliveries from ``n`` people, written in large multi-row inserts."""
    from app.inbound.deliveries import delivery_row
    from app.platform.models import InboundDelivery
    from bots.messages import InboundMessage

    for start_at in range(0, n, 2000):
        rows = [delivery_row(c.vault, InboundMessage(channel="telegram", external_id=f"{tag}{i}",
                             external_message_id=f"{tag}:{i}",
                             text=TEXTS[i % len(TEXTS)] + (f" {i}" if unique else "")))
                for i in range(start_at, min(n, start_at + 2000))]  # fmt: skip
        async with c.sessionmaker() as session:
            await session.execute(insert(InboundDelivery), rows)
            await session.commit()


async def pending(c) -> int:  # type: ignore[no-untyped-def]
    async with c.sessionmaker() as session:
        return int(await session.scalar(text("SELECT count(*) FROM inbound_deliveries WHERE status = 'pending'")) or 0)


async def processing(kind: str, n: int, *, batch: bool = True, unique: bool = False) -> dict[str, float]:
    """Stored → classified → answered → outbox row for ``n`` new people, in sets (the job loop's path) or,
    with ``batch=False``, one transaction per message (the path a set falls back to). ``unique`` gives every
    message its own text (the model reads each; a set reads a text it holds twice only once)."""
    from app.inbound.deliveries import DeliveryProcessor

    with tempfile.TemporaryDirectory() as tmp:
        url, dbname = await prepare(kind, tmp)
        try:
            c = await container_for(url, tmp)
            try:
                await backlog(c, n, "p", unique=unique)
                worker = c.deliveries if batch else DeliveryProcessor(
                    c.sessionmaker, c.vault, c.router, skip_locked=kind == "pg")  # fmt: skip
                t0 = time.perf_counter()
                while await worker.run_once(limit=BATCH_SIZE):  # production's set size
                    pass
                elapsed = time.perf_counter() - t0
                left = await pending(c)
            finally:
                await c.close()
        finally:
            await drop(dbname)
    return {"rate": (n - left) / elapsed, "handled": n - left, "seconds": elapsed}


def _worker_process(url: str, tmp: str, keys: str, ready, go, done) -> None:  # type: ignore[no-untyped-def]
    """One ``helpline worker``'s delivery loop in its own process: built first, timed only from ``go``."""
    logging.disable(logging.WARNING)

    async def work() -> None:
        c = await container_for(url, tmp, roster=False, keys=keys)
        try:
            ready.put(os.getpid())
            await asyncio.to_thread(go.wait)
            handled = 0
            while n := await c.deliveries.run_once(limit=BATCH_SIZE):
                handled += n
            done.put((time.perf_counter(), handled))
        finally:
            await c.close()

    asyncio.run(work())


async def processing_processes(kind: str, n: int, workers: int, *, unique: bool = False) -> dict[str, float]:
    """As ``processing``, with ``workers`` separate worker processes on one database (PostgreSQL: claims skip
    each other's rows). The clock runs from the start signal to the last worker's last set."""
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        url, dbname = await prepare(kind, tmp)
        try:
            from app.platform.settings import new_key_spec

            keys = new_key_spec("k1")  # the workers must read what the door encrypted
            c = await container_for(url, tmp, keys=keys)
            try:
                await backlog(c, n, "m", unique=unique)
                ready, done, go = spawn.Queue(), spawn.Queue(), spawn.Event()
                procs = [spawn.Process(target=_worker_process, args=(url, tmp, keys, ready, go, done)) for _ in range(workers)]
                for proc in procs:
                    proc.start()
                for _ in procs:
                    await asyncio.to_thread(ready.get, True, 120)
                t0 = time.perf_counter()
                go.set()
                finished = [await asyncio.to_thread(done.get, True, 600) for _ in procs]
                elapsed = max(at for at, _ in finished) - t0
                for proc in procs:
                    proc.join(30)
                left = await pending(c)
            finally:
                await c.close()
        finally:
            await drop(dbname)
    return {"rate": (n - left) / elapsed, "handled": n - left, "seconds": elapsed,
            "shares": [h for _, h in finished]}  # type: ignore[dict-item]  # fmt: skip


async def surge(kind: str, n_backlog: int, n_urgent: int, *, batch: bool = True) -> dict[str, float]:
    from bots.messages import InboundMessage

    with tempfile.TemporaryDirectory() as tmp:
        url, dbname = await prepare(kind, tmp)
        try:
            c = await container_for(url, tmp)
            try:
                await backlog(c, n_backlog, "b")
                if not batch:
                    c.deliveries.batch = None  # one transaction per message: the path before sets
                c.jobs.start()
                await asyncio.sleep(1.0)  # the loop is busy with the crowd
                sent_at: dict[str, float] = {}
                for i in range(n_urgent):
                    chat = f"u{uuid.uuid4().hex[:12]}"
                    sent_at[c.vault.pseudonym("telegram", chat)] = time.perf_counter()
                    await c.intake.accept(InboundMessage(channel="telegram", external_id=chat,
                                                         external_message_id=f"u:{chat}", text=URGENT[i % 3]))  # fmt: skip
                    await asyncio.sleep(0.1)
                operator = c.senders["telegram"]
                deadline = time.perf_counter() + 120
                latencies: list[float] = []
                while time.perf_counter() < deadline:
                    async with c.sessionmaker() as session:
                        cases = (await session.execute(
                            text("SELECT c.alias, k.pseudonym FROM cases c JOIN contacts k ON k.id = c.contact_id "
                                 "WHERE c.urgent")  # fmt: skip
                        )).all()
                    firsts = {}
                    for at, address, body in operator.calls:  # type: ignore[attr-defined]
                        if address == "5550001":
                            for alias, pseudonym in cases:
                                if alias in body and pseudonym in sent_at:
                                    firsts.setdefault(pseudonym, at)
                    latencies = [firsts[p] - sent_at[p] for p in firsts]
                    if len(latencies) >= n_urgent:
                        break
                    await asyncio.sleep(0.2)
                left = await pending(c)
            finally:
                await c.close()
        finally:
            await drop(dbname)
    return {"alerted": len(latencies), "p50": statistics.median(latencies) if latencies else float("nan"),
            "p99": pct(latencies, 0.99), "max": max(latencies, default=float("nan")), "left": left}  # fmt: skip


async def history_sections(args: argparse.Namespace, parts: set[str]) -> None:
    """Console queue, statistics and purge at each ``--contacts`` size (``bench/history.py``)."""
    import history

    wanted = parts & {"console", "stats", "purge"}
    for kind in args.history_db.split(","):
        for contacts in (int(x) for x in args.contacts.split(",")):
            r = await history.run(kind, contacts, args.repeat, wanted, args.compare)
            s = r["seeded"]
            print(f"\n5. History on {kind}, {contacts} contacts: {s.cases} cases ({s.open_cases} open), {s.messages} messages, "
                  f"{s.outbox} outbox rows, {s.deliveries} deliveries over {history.DAYS} days "
                  f"(seeded in {s.seconds:.0f} s); load average {load_avg()}")  # fmt: skip
            pages = r.get("pages", {})
            for name in ("coordinator /console", "operator /console", "coordinator queue query", "operator queue query",
                         "coordinator /admin/stats", "statistics queries"):  # fmt: skip
                if name in pages:
                    median, p95, fastest = pages[name]
                    print(f"   {name:26} median {median:6.1f} ms  p95 {p95:6.1f} ms  fastest {fastest:5.1f} ms "
                          f"({args.repeat} requests)")  # fmt: skip
            if "coordinator shown" in pages:
                print(f"   queue page shows {pages['coordinator shown'][0]:.0f} cases to the coordinator, "
                      f"{pages['operator shown'][0]:.0f} to an operator (ru, kk)")  # fmt: skip
            if "purge" in r:
                p = r["purge"]
                print(f"   first purge ({history.RETENTION}-day retention): {p['seconds']:.1f} s in {p['batches']:.0f} "
                      f"transactions, longest {p['longest'] * 1000:.0f} ms ({p['longest_step']}); "
                      f"{p['bodies']:.0f} bodies, {p['outbox']:.0f} outbox rows, {p['deliveries']:.0f} deliveries, "
                      f"{p['twilio']:.0f} Twilio deletions queued; {p['bodies_kept']:.0f} bodies kept")  # fmt: skip
            if "purge_one" in r:
                one = r["purge_one"]
                print(f"   the same purge in one transaction: {one['seconds']:.1f} s held; batched longest is "
                      f"{one['longest'] / max(r['purge']['longest'], 1e-9):.0f}x shorter")  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=8)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--messages", type=int, default=3000, help="stored messages for the processing rate")
    parser.add_argument("--backlog", type=int, default=20_000)
    parser.add_argument("--urgent", type=int, default=50)
    parser.add_argument("--only", default="door,ingest,process,surge")
    parser.add_argument("--port", type=int, default=18190)
    parser.add_argument("--contacts", default="10000,100000", help="history sizes for console,stats,purge")
    parser.add_argument("--history-db", default="pg", help="pg, sqlite or pg,sqlite for console,stats,purge")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page for console,stats")
    parser.add_argument("--compare", action="store_true", help="also purge a second copy in one transaction")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the surge's "urgent case" lines would bury the figures
    parts = set(args.only.split(","))
    print(f"bench/surge.py on {os.cpu_count()} cores, load average {load_avg()} at the start")
    if "door" in parts:
        d = door_cost()
        print(f"\n1. Door triage: {d['door_us']:.0f} µs a message (cue matching) vs {d['full_us']:.0f} µs for the full "
              f"model: {d['full_us'] / d['door_us']:.1f}x cheaper; {d['flagged']:.0f} of {d['n']:.0f} flagged")  # fmt: skip
    if "ingest" in parts:
        results = {"bare FastAPI": await run_bare(args, args.port),
                   "helpline PostgreSQL": await ingest("pg", args, args.port + 1),
                   "helpline SQLite": await ingest("sqlite", args, args.port + 2)}  # fmt: skip
        base = results["bare FastAPI"]["rps"]
        print(f"\n2. Telegram webhook ingest, 1 worker each, {args.duration:.0f} s at concurrency {args.concurrency}")
        for name, r in results.items():
            print(f"   {name:22} {r['rps']:7.0f} req/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:7.1f} ms  "
                  f"errors {r['errors']:.0f}  {100 * r['rps'] / base:5.1f}% of bare")  # fmt: skip
    if "process" in parts:
        print(f"\n3. Sustained processing with the real NLU, {args.messages} stored messages from new people "
              f"(in sets of {BATCH_SIZE} vs one transaction each; the one-at-a-time runs read {args.messages // 4})")
        for kind in ("pg", "sqlite"):
            for unique in (False, True):
                sets = await processing(kind, args.messages, unique=unique)
                single = await processing(kind, args.messages // 4, batch=False, unique=unique)
                label = "every text its own" if unique else f"{len(TEXTS)} texts repeated"
                print(f"   {kind:8} {label:20} in sets {sets['rate']:6.0f} msg/s  one at a time {single['rate']:5.0f} msg/s"
                      f"  = {sets['rate'] / single['rate']:4.1f}x  ({sets['handled']:.0f} in {sets['seconds']:.1f} s)")  # fmt: skip
                if kind == "pg":  # production's shape on PostgreSQL: `helpline worker` processes, one per core
                    two = await processing_processes(kind, args.messages, 2, unique=unique)
                    print(f"   {kind:8} {label:20} 2 worker processes {two['rate']:6.0f} msg/s = {two['rate'] / sets['rate']:4.2f}x "
                          f"one  (shares {'/'.join(str(h) for h in two['shares'])})")  # type: ignore[attr-defined]  # fmt: skip
    if "surge" in parts:
        print(f"\n4. Surge on PostgreSQL: {args.backlog} stored, then {args.urgent} urgent from new people (1 every 100 ms)")
        for batch in (True, False):
            r = await surge("pg", args.backlog, args.urgent, batch=batch)
            print(f"   {'in sets' if batch else 'one at a time':14} door → operator's first alert call: p50 {r['p50'] * 1000:.0f} ms  "
                  f"p99 {r['p99'] * 1000:.0f} ms  max {r['max'] * 1000:.0f} ms  ({r['alerted']:.0f}/{args.urgent} alerted; "
                  f"{r['left']:.0f} of the crowd still waiting)")  # fmt: skip
    if parts & {"console", "stats", "purge"}:
        await history_sections(args, parts)
    print(f"\nload average {load_avg()} at the end")


if __name__ == "__main__":
    asyncio.run(main())
