"""Sustained webhook throughput through the whole app, next to a bare FastAPI endpoint.

Channels: Telegram (JSON + secret header), SMS and WhatsApp (Twilio forms with X-Twilio-Signature);
for SMS and WhatsApp the drain also sends every reply through the real twilio client to the loopback
fake of Twilio's Messages API: "send" is replies delivered per second, from the drain's start until the
outbox is empty.

Acceptance path: HTTP → secret check → parse → limiter → encrypted delivery row → 200, measured with
the job loop off so it does not compete. Drain: the same instances restarted with the job loop on,
timed until every stored delivery went through the core (contact, case, NLU, reply, outbox row).
Real uvicorn processes on loopback; SQLite with one worker, PostgreSQL with two.

Run: ``python bench/webhook_bench.py [--duration 15] [--concurrency 64] [--only sqlite|pg|bare]
[--channels telegram,sms,whatsapp]``;
PostgreSQL is measured on a fresh database on HELPLINE_BENCH_PG_URL (default local server).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from fastapi import FastAPI, Request  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from app.platform.settings import new_key_spec  # noqa: E402
from tests.fakes.twilio_api import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, FakeTwilioAPI, signed_form  # noqa: E402

SECRET = "bench-webhook-secret-0123456789"
PG_ADMIN = os.environ.get("HELPLINE_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
TEXTS = ["Здравствуйте", "Работодатель забрал паспорт", "salom menga yordam kerak", "Жалақы төленбеді",
         "Мне предлагают работу в Дубае", "Как сделать патент?"]  # fmt: skip


def bare_app():  # type: ignore[no-untyped-def]
    """The floor: FastAPI reading the same JSON body and answering the same 200."""
    app = FastAPI()

    @app.post("/webhooks/telegram")
    async def hook(request: Request) -> dict[str, bool]:
        json.loads(await request.body())
        return {"ok": True}

    return app


def app_env(db_url: str, data_dir: str, *, worker: bool, port: int = 0, twilio_base: str = "http://127.0.0.1:9") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPLINE_")}
    env.update({
        "HELPLINE_ENV": "test", "HELPLINE_DATABASE_URL": db_url, "HELPLINE_DATA_DIR": data_dir,
        "HELPLINE_PEPPER": "b" * 40, "HELPLINE_SECRET_KEY": "c" * 40, "HELPLINE_ENCRYPTION_KEYS": KEYS,
        "HELPLINE_TELEGRAM_WEBHOOK_SECRET": SECRET, "HELPLINE_NLU_BACKEND": "keywords", "HELPLINE_LOG_LEVEL": "ERROR",
        "HELPLINE_WORKER_ENABLED": "true" if worker else "false", "HELPLINE_DEMO_LOGIN": "false",
        "HELPLINE_RATE_WEBHOOK_IP_PER_MINUTE": "10000000", "HELPLINE_RATE_WEBHOOK_IP_BURST": "100000",
        "HELPLINE_PUBLIC_URL": f"http://127.0.0.1:{port}", "HELPLINE_TWILIO_ACCOUNT_SID": DEFAULT_ACCOUNT_SID,
        "HELPLINE_TWILIO_AUTH_TOKEN": DEFAULT_AUTH_TOKEN, "HELPLINE_TWILIO_PHONE_NUMBER": "+77170000000",
        "HELPLINE_WHATSAPP_SENDER": "whatsapp:+77170000001", "HELPLINE_TWILIO_API_BASE": twilio_base,
    })  # fmt: skip
    return env


KEYS = new_key_spec("k1")


def start(target: str, port: int, env: dict[str, str], workers: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "uvicorn", target, "--factory", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--log-level", "error", "--no-access-log"]  # fmt: skip
    if target.startswith("webhook_bench"):
        cmd += ["--app-dir", str(ROOT / "bench")]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import httpx

    for _ in range(600):
        try:
            if httpx.post(f"http://127.0.0.1:{port}/webhooks/telegram", content=b"{}", timeout=1).status_code < 500:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{target} did not start on {port}")


def request_for(channel: str, port: int, n: int) -> tuple[str, str, dict[str, str]]:
    """(url, body, headers) of delivery ``n`` as the provider sends it; Twilio's signed like Twilio does."""
    if channel == "telegram":
        body = json.dumps({"update_id": n, "message": {"message_id": n, "date": 1700000000, "text": TEXTS[n % 6],
                           "chat": {"id": 10_000_000 + n % 50_000, "type": "private"},
                           "from": {"id": 10_000_000 + n % 50_000, "is_bot": False, "first_name": "x"}}})  # fmt: skip
        return (f"http://127.0.0.1:{port}/webhooks/telegram", body,
                {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"})  # fmt: skip
    number = f"+7701{n % 50_000:07d}"
    url = f"http://127.0.0.1:{port}/webhooks/twilio/{channel}"
    params = {"MessageSid": f"SM{n:032d}", "Body": TEXTS[n % 6], "NumMedia": "0", "From": number, "To": "+77170000000"}
    if channel == "whatsapp":
        params |= {"From": "whatsapp:" + number, "To": "whatsapp:+77170000001", "ProfileName": "x", "WaId": number[1:]}
    headers, form = signed_form(DEFAULT_AUTH_TOKEN, url, params)
    return url, urlencode(form), headers


async def load(port: int, duration: float, concurrency: int, start_id: int,
               channel: str = "telegram") -> tuple[int, list[float], int]:  # fmt: skip
    """Bounded concurrency, unique update ids, many chats (per-contact limits stay out of the way)."""
    ids = itertools.count(start_id)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + duration
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def one_client() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                url, body, headers = request_for(channel, port, next(ids))
                t0 = time.perf_counter()
                try:
                    async with http.post(url, data=body, headers=headers) as response:
                        await response.read()
                        ok = response.status == 200
                except aiohttp.ClientError:
                    ok = False
                latencies.append((time.perf_counter() - t0) * 1000)
                errors += not ok

        await asyncio.gather(*(one_client() for _ in range(concurrency)))
    return len(latencies), latencies, errors


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


async def pending(db_url: str, table: str = "inbound_deliveries") -> int:
    engine = create_async_engine(db_url)
    async with engine.connect() as conn:
        n = await conn.scalar(text(f"SELECT count(*) FROM {table} WHERE status = 'pending'"))
    await engine.dispose()
    return int(n or 0)


async def prepare(kind: str, tmp: str) -> tuple[str, str | None]:
    from app.platform.migrate import upgrade
    from app.scripts.service import seed_database

    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        dbname = None
    else:
        dbname = f"helpline_bench_{os.getpid()}"
        admin = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{dbname}"'))
        await admin.dispose()
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + dbname
    await asyncio.to_thread(upgrade, url)
    await seed_database(url)
    return url, dbname


async def drop(dbname: str | None) -> None:
    if dbname:
        admin = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        await admin.dispose()


async def run_app(kind: str, args: argparse.Namespace, port: int, channel: str = "telegram") -> dict[str, float]:
    workers = 1 if kind == "sqlite" else 2
    with tempfile.TemporaryDirectory() as tmp:
        url, dbname = await prepare(kind, tmp)
        try:
            proc = start("app.main:create_app", port, app_env(url, tmp, worker=False, port=port), workers)
            try:
                await load(port, 2, args.concurrency, 1, channel)  # warm-up
                count, lat, errors = await load(port, args.duration, args.concurrency, 1_000_000, channel)
            finally:
                proc.terminate()
                proc.wait(30)
            stored = await pending(url)
            async with FakeTwilioAPI() as twilio:
                env = app_env(url, tmp, worker=True, port=port, twilio_base=twilio.base_url)
                proc = start("app.main:create_app", port, env, workers)
                t0 = time.perf_counter()
                left = stored
                while left and time.perf_counter() - t0 < args.drain_limit:
                    await asyncio.sleep(0.5)
                    left = await pending(url)
                drain_s = time.perf_counter() - t0
                # Replies still queued once the deliveries are through (Telegram's have no sender here).
                while channel != "telegram" and await pending(url, "outbox") and time.perf_counter() - t0 < args.drain_limit:
                    await asyncio.sleep(0.5)
                send_s = time.perf_counter() - t0
                sent = len(twilio.sent_sms())
                proc.terminate()
                proc.wait(30)
        finally:
            await drop(dbname)
    return {"rps": count / args.duration, "p50": pct(lat, 0.5), "p99": pct(lat, 0.99), "errors": errors,
            "stored": stored, "drained": stored - left, "drain_rps": (stored - left) / drain_s,
            "sent": sent, "send_rps": sent / send_s}  # fmt: skip


async def run_bare(args: argparse.Namespace, port: int) -> dict[str, float]:
    proc = start("webhook_bench:bare_app", port, dict(os.environ), 1)
    try:
        await load(port, 2, args.concurrency, 1)
        count, lat, errors = await load(port, args.duration, args.concurrency, 1)
    finally:
        proc.terminate()
        proc.wait(30)
    return {"rps": count / args.duration, "p50": pct(lat, 0.5), "p99": pct(lat, 0.99), "errors": errors}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--drain-limit", type=float, default=300)
    parser.add_argument("--only", choices=["sqlite", "pg", "bare"])
    parser.add_argument("--port", type=int, default=18090)
    parser.add_argument("--channels", default="telegram", help="comma-separated: telegram,sms,whatsapp")
    args = parser.parse_args()
    channels = [c for c in args.channels.split(",") if c in ("telegram", "sms", "whatsapp")]
    results: dict[str, dict[str, float]] = {}
    if args.only in (None, "bare"):
        results["bare FastAPI (1 worker)"] = await run_bare(args, args.port)
    for n, channel in enumerate(channels):
        if args.only in (None, "sqlite"):
            results[f"{channel} SQLite (1 worker)"] = await run_app("sqlite", args, args.port + 1 + 2 * n, channel)
        if args.only in (None, "pg"):
            results[f"{channel} PostgreSQL (2 workers)"] = await run_app("pg", args, args.port + 2 + 2 * n, channel)
    bare = results.get("bare FastAPI (1 worker)", {}).get("rps")
    print(f"\nWebhooks, {args.duration:.0f} s sustained, concurrency {args.concurrency}, on {os.cpu_count()} cores")
    for name, r in results.items():
        line = f"  {name:34} {r['rps']:8.0f} req/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms  errors {r['errors']:.0f}"
        if "drain_rps" in r:
            line += f"  | drain {r['drain_rps']:6.0f} deliveries/s ({r['drained']:.0f}/{r['stored']:.0f})"
        if r.get("sent"):
            line += f"  | send {r['send_rps']:6.0f} replies/s ({r['sent']:.0f})"
        if bare and "stored" in r:
            line += f"  | {bare / r['rps']:.1f}x the bare endpoint's cost"
        print(line)
    for kind in ("SQLite (1 worker)", "PostgreSQL (2 workers)"):
        sms, wa = results.get(f"sms {kind}"), results.get(f"whatsapp {kind}")
        if sms and wa:
            print(f"  WhatsApp / SMS on {kind}: webhook {wa['rps'] / sms['rps']:.2f}x, drain "
                  f"{wa['drain_rps'] / sms['drain_rps']:.2f}x, send {wa['send_rps'] / max(sms['send_rps'], 1e-9):.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
