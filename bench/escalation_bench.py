"""Time from an urgent message stored to the first alert request at the (fake) Bot API,
and the drift of step timers from their due time.

Runs the real app services (job loop, outbox, aiogram sender) against the
loopback fake of Telegram's Bot API. ``python bench/escalation_bench.py [--cases 200]``
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from app.oncall.roster_store import import_roster  # noqa: E402
from app.platform.db import session_scope  # noqa: E402
from app.platform.logs import configure_logging  # noqa: E402
from app.platform.migrate import upgrade  # noqa: E402
from app.platform.models import Escalation  # noqa: E402
from app.platform.settings import Settings, new_key_spec  # noqa: E402
from app.runtime.container import build_container  # noqa: E402
from app.scripts.service import seed_database  # noqa: E402
from bots.messages import InboundMessage  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402

ROSTER = """
operators:
  - {login: aigerim, name: Aigerim, role: operator, languages: [kk, ru], telegram_chat_id: 5550001}
  - {login: dilnoza, name: Dilnoza, role: operator, languages: [uz, ru], telegram_chat_id: 5550002}
  - {login: coord, name: Coordinator, role: coordinator, languages: [ru, kk, uz], telegram_chat_id: 5550009}
schedules:
  - name: hotline
    timezone: Asia/Almaty
    layers:
      - {rotation: daily, handoff: "09:00", start: "2026-01-01", members: [aigerim, dilnoza]}
escalation_policies:
  - name: urgent
    default: true
    steps:
      - {notify: {schedule: hotline}, via: [telegram], wait_seconds: 2}
      - {notify: {operators: [coord]}, via: [telegram], wait_seconds: 60}
"""
ALIAS = re.compile(r"[A-Z2-9]{3}-[A-Z2-9]{3}")


class TimedFake(FakeTelegramAPI):
    """The fake Bot API, noting when each alert for a case arrives (per chat)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: dict[tuple[str, str], float] = {}

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        found = ALIAS.search(str(params.get("text", "")))
        if found:
            self.arrivals.setdefault((str(params["chat_id"]), found.group(0)), time.monotonic())
        return await super()._m_sendmessage(params)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--backend", default="keywords", choices=["keywords", "embedded"])
    args = parser.parse_args()
    configure_logging("ERROR")
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/esc.db"
    async with TimedFake() as fake:
        settings = Settings(env="test", database_url=url, data_dir=Path(tempfile.mkdtemp()), pepper="p" * 40,
                            secret_key="s" * 40, encryption_keys=new_key_spec("k1"), nlu_backend=args.backend,
                            telegram_token=fake.token, telegram_webhook_secret="x" * 20,
                            telegram_api_base=fake.base_url, worker_interval=0.05)  # fmt: skip
        upgrade(url)
        await seed_database(settings.database_url)
        services = await build_container(settings)
        async with session_scope(services.sessionmaker) as session:
            await import_roster(session, services.vault, ROSTER)
        services.jobs.start()
        stored: dict[str, float] = {}
        chats: dict[str, str] = {}
        for i in range(args.cases):
            chat = str(900_000 + i)
            inbound = InboundMessage(channel="telegram", external_id=chat, external_message_id=f"tg:{uuid.uuid4().hex}",
                                     text="помогите меня заперли срочно")  # fmt: skip
            stored[chat] = time.monotonic()
            await services.intake.accept(inbound)
            chats[chat] = ""
            await asyncio.sleep(0.02)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and sum(1 for k in fake.arrivals if k[0] == "5550009") < args.cases:
            await asyncio.sleep(0.2)
        async with services.sessionmaker() as session:
            rows = (await session.scalars(select(Escalation))).all()
        await services.close()
    by_alias = {r.state["case"]: r for r in rows}
    first: list[float] = []
    drift: list[float] = []
    # Map each case alias back to its person via the order of creation is not needed: use arrival per alias.
    aliases = list(by_alias)
    first_alert = {alias: min(t for (chat, a), t in fake.arrivals.items() if a == alias and chat != "5550009")
                   for alias in aliases if any(a == alias and c != "5550009" for c, a in fake.arrivals)}  # fmt: skip
    # Stored times in order of creation match escalations in order of creation.
    created = sorted(rows, key=lambda r: r.created_at)
    for chat, row in zip(stored, created, strict=False):
        alias = row.state["case"]
        if alias in first_alert:
            first.append((first_alert[alias] - stored[chat]) * 1000)
            step_two = fake.arrivals.get(("5550009", alias))
            if step_two is not None:
                drift.append((step_two - first_alert[alias] - 2.0) * 1000)
    print(f"{len(first)} urgent cases, NLU backend {args.backend}, database {url.split(':')[0]}")
    print(f"stored → first alert at the Bot API: p50 {statistics.median(first):.0f} ms, p99 {pct(first, 0.99):.0f} ms")
    if drift:
        print(f"step timer drift (2 s step):      p50 {statistics.median(drift):.0f} ms, p99 {pct(drift, 0.99):.0f} ms, "
              f"max {max(drift):.0f} ms")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
