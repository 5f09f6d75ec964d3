"""Sustained mixed load against two instances on PostgreSQL (+ Redis): Telegram, SMS and web chat, 20% urgent.

Reports throughput, p50/p99 (webhooks: until the provider's 200; web chat: until the bot's answer frame,
i.e. through the whole core and the outbox), errors (must be 0), and that every urgent case was alerted
exactly once (alert outbox rows per urgent case). Each message comes from a new person, so per-contact
limits stay out of the way; per-address limits are raised for the loopback generator.

Run: ``python bench/load.py [--duration 60] [--rate 150]`` (a fresh database on HELPLINE_BENCH_PG_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import aiohttp  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402
from webhook_bench import KEYS, SECRET, app_env, drop, pct, prepare, start  # noqa: E402

TWILIO_TOKEN = "f" * 32
ROSTER = """
operators:
  - {login: duty, name: Duty, role: operator, languages: [ru, kk, uz, en], phone: "+77010000001"}
schedules:
  - name: hotline
    timezone: Asia/Almaty
    layers:
      - {rotation: daily, handoff: "09:00", start: "2026-01-01", members: [duty]}
escalation_policies:
  - name: urgent
    default: true
    steps:
      - {notify: {schedule: hotline}, via: [sms], wait_seconds: 3600}
    repeat: 0
"""
CALM = ["Здравствуйте", "Работодатель забрал паспорт", "salom menga yordam kerak", "Как сделать патент?",
        "Мне предлагают работу в Дубае"]  # fmt: skip
URGENT = ["нас заперли, помогите срочно", "меня бьют помогите срочно", "bizni qamab qo'yishdi"]


class Stats:
    def __init__(self) -> None:
        self.lat: dict[str, list[float]] = {"telegram": [], "sms": [], "webchat": []}
        self.errors: dict[str, int] = {"telegram": 0, "sms": 0, "webchat": 0}
        self.urgent_sent = 0


async def run_load(ports: list[int], duration: float, rate: float, stats: Stats) -> None:
    ids = itertools.count(1)
    deadline = time.perf_counter() + duration
    validator = RequestValidator(TWILIO_TOKEN)
    # One pool per kind, so web-chat pages waiting for the bot's answer never hold up the webhooks.
    sems = {"telegram": asyncio.Semaphore(48), "sms": asyncio.Semaphore(32), "webchat": asyncio.Semaphore(64)}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=128)) as http:

        async def one(n: int) -> None:
            port = ports[n % len(ports)]
            urgent = random.random() < 0.2
            body = random.choice(URGENT if urgent else CALM) + f" #{n}"
            stats.urgent_sent += urgent
            kind = random.choices(["telegram", "sms", "webchat"], [0.5, 0.3, 0.2])[0]
            t0 = time.perf_counter()
            ok = False
            try:
                async with sems[kind]:
                    if kind == "telegram":
                        update = {"update_id": n, "message": {"message_id": n, "date": 1700000000, "text": body,
                                  "chat": {"id": 5_000_000 + n, "type": "private"},
                                  "from": {"id": 5_000_000 + n, "is_bot": False, "first_name": "x"}}}  # fmt: skip
                        async with http.post(f"http://127.0.0.1:{port}/webhooks/telegram", json=update,
                                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as r:  # fmt: skip
                            ok = r.status == 200
                    elif kind == "sms":
                        form = {"MessageSid": f"SMload{n}", "AccountSid": "ACload", "From": f"+7701{n:07d}",
                                "To": "+77170000000", "Body": body, "NumMedia": "0"}  # fmt: skip
                        sig = validator.compute_signature(f"http://127.0.0.1:{port}/webhooks/twilio/sms", form)
                        async with http.post(f"http://127.0.0.1:{port}/webhooks/twilio/sms", data=form,
                                             headers={"X-Twilio-Signature": sig}) as r:  # fmt: skip
                            ok = r.status == 200
                    else:
                        async with http.ws_connect(f"http://127.0.0.1:{port}/chat/ws") as ws:
                            await ws.receive_str(timeout=10)  # session frame
                            t0 = time.perf_counter()
                            await ws.send_str(json.dumps({"type": "message", "id": f"m{n}", "text": body}))
                            while True:
                                frame = json.loads(await ws.receive_str(timeout=30))
                                if frame.get("type") == "message":
                                    ok = True
                                    break
            except (aiohttp.ClientError, TimeoutError):
                ok = False
            stats.lat[kind].append((time.perf_counter() - t0) * 1000)
            stats.errors[kind] += not ok

        tasks: set[asyncio.Task[None]] = set()
        interval = 1.0 / rate
        next_at = time.perf_counter()
        while time.perf_counter() < deadline:
            task = asyncio.create_task(one(next(ids)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        await asyncio.gather(*tasks)


async def alerted_once(url: str, wait: float = 180) -> tuple[int, int, int, int]:
    """(urgent cases, urgent cases alerted exactly once, over-alerted, deliveries still pending)."""
    engine = create_async_engine(url)
    t0 = time.perf_counter()
    async with engine.connect() as conn:
        while time.perf_counter() - t0 < wait:
            pending = await conn.scalar(text("SELECT count(*) FROM inbound_deliveries WHERE status = 'pending'"))
            await conn.commit()
            if not pending:
                break
            await asyncio.sleep(1)
        rows = (await conn.execute(text(
            "SELECT c.id, (SELECT count(*) FROM outbox o WHERE o.case_id = c.id AND o.kind = 'alert') "
            "FROM cases c WHERE c.urgent"))).all()  # fmt: skip
    await engine.dispose()
    return len(rows), sum(1 for _, n in rows if n == 1), sum(1 for _, n in rows if n > 1), int(pending or 0)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--rate", type=float, default=150, help="messages per second offered")
    parser.add_argument("--port", type=int, default=18190)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, dbname = await prepare("pg", tmp)
        procs = []
        try:
            (Path(tmp) / "roster.yml").write_text(ROSTER)
            env = app_env(url, tmp, worker=True)
            env.update({"HELPLINE_TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "HELPLINE_REDIS_URL": "redis://127.0.0.1:6379/0",
                        "HELPLINE_RATE_IP_PER_MINUTE": "10000000", "HELPLINE_RATE_IP_BURST": "100000"})  # fmt: skip
            import subprocess

            subprocess.run([sys.executable, "-m", "app.cli", "roster", "import", str(Path(tmp) / "roster.yml")],
                           cwd=ROOT, env=env, check=True, capture_output=True)  # fmt: skip
            ports = [args.port, args.port + 1]
            for port in ports:
                e = dict(env, HELPLINE_PUBLIC_URL=f"http://127.0.0.1:{port}")
                procs.append(start("app.main:create_app", port, e, 1))
            stats = Stats()
            t0 = time.perf_counter()
            await run_load(ports, args.duration, args.rate, stats)
            elapsed = time.perf_counter() - t0
            urgent, once, over, pending = await alerted_once(url)
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(30)
            await drop(dbname)
    total = sum(len(v) for v in stats.lat.values())
    print(f"\nMixed load, 2 instances (PostgreSQL + Redis), {args.duration:.0f} s offered at {args.rate:.0f} msg/s, "
          f"{os.cpu_count()} cores")  # fmt: skip
    print(f"  handled {total} messages in {elapsed:.1f} s = {total / elapsed:.0f} msg/s; "
          f"errors {sum(stats.errors.values())} {stats.errors}")  # fmt: skip
    for kind, lat in stats.lat.items():
        what = "to the 200" if kind != "webchat" else "to the bot's answer"
        print(f"  {kind:8} {len(lat):6} msgs  p50 {pct(lat, 0.5):7.1f} ms  p99 {pct(lat, 0.99):7.1f} ms  ({what})")
    print(f"  urgent: {stats.urgent_sent} sent, {urgent} urgent cases, {once} alerted exactly once, "
          f"{over} alerted more than once, {urgent - once - over} not alerted; deliveries left pending {pending}")


if __name__ == "__main__":
    _ = KEYS
    asyncio.run(main())
