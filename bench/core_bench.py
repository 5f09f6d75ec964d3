"""Messages per second through the core entry point (no HTTP), with p50/p99 latency.

Each message is one transaction, as in production: dedupe, contact, case, NLU,
reply, outbox row, commit. Run: ``python bench/core_bench.py [--messages N]``;
PostgreSQL is measured when it answers on HELPLINE_BENCH_PG_URL (default local).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from app.conversations.service import handle_inbound  # noqa: E402
from app.platform.db import session_scope  # noqa: E402
from app.platform.logs import configure_logging  # noqa: E402
from app.platform.migrate import upgrade  # noqa: E402
from app.platform.settings import Settings, new_key_spec  # noqa: E402
from app.runtime.container import build_container  # noqa: E402
from app.scripts.service import seed_database  # noqa: E402
from bots.messages import InboundMessage  # noqa: E402

TEXTS = [
    "Здравствуйте", "Работодатель забрал паспорт и не отдаёт", "salom menga yordam kerak",
    "Жалақы үш ай бойы төленбеді", "Мне предлагают работу в Дубае это не обман?", "pasportimni olib qo'yishdi",
    "Как сделать патент?", "Спасибо до свидания", "меня заперли помогите срочно", "Какая завтра погода?",
]  # fmt: skip


async def measure(url: str, messages: int, contacts: int, backend: str) -> dict[str, float]:
    settings = Settings(env="test", database_url=url, data_dir=Path(tempfile.mkdtemp()), pepper="p" * 40,
                        secret_key="s" * 40, encryption_keys=new_key_spec("k1"), worker_enabled=False,
                        nlu_backend=backend, log_level="WARNING")  # fmt: skip
    upgrade(url)
    await seed_database(settings.database_url)
    services = await build_container(settings)
    latencies: list[float] = []
    started = time.perf_counter()
    for i in range(messages):
        inbound = InboundMessage(channel="telegram", external_id=str(10_000 + i % contacts),
                                 external_message_id=f"bench:{uuid.uuid4().hex}", text=TEXTS[i % len(TEXTS)])  # fmt: skip
        t0 = time.perf_counter()
        async with session_scope(services.sessionmaker) as session:
            await handle_inbound(session, inbound, services.core)
        latencies.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    await services.close()
    latencies.sort()
    return {
        "messages": messages,
        "per_second": messages / elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
    }


async def pg_database(base: str) -> str | None:
    name = f"helpline_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
    except Exception as exc:  # noqa: BLE001
        print(f"PostgreSQL not measured: {type(exc).__name__}")
        return None
    return base.rsplit("/", 1)[0] + "/" + name


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--backend", default="embedded", choices=["embedded", "keywords"])
    args = parser.parse_args()
    configure_logging("ERROR")
    targets = {"sqlite": f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"}
    pg = await pg_database(os.environ.get("HELPLINE_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"))
    if pg:
        targets["postgresql"] = pg
    print(f"core entry point, {args.messages} messages from {args.contacts} people, NLU backend: {args.backend}")
    for name, url in targets.items():
        r = await measure(url, args.messages, args.contacts, args.backend)
        print(f"{name:>10}: {r['per_second']:7.1f} msg/s   p50 {r['p50_ms']:6.2f} ms   p99 {r['p99_ms']:6.2f} ms")


if __name__ == "__main__":
    asyncio.run(main())
