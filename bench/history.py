"""Work that must not grow with history: the console queue, the statistics page and the retention purge.

Seeds a database with ``contacts`` people over 120 days (Core bulk inserts: cases, messages, outbox rows,
deliveries, daily counts, escalations; about 1 % of cases open), then, in one run:

* the console queue page (``GET /console``) and the statistics page (``GET /admin/stats``) through the
  real app (httpx ASGI client, signed in as a coordinator, who sees every case, and as an operator, whose
  access rules filter): median and p95 of ``repeat`` requests after a warm-up;
* the first retention purge with 30 days' retention, so 90 days of backlog go at once: its total time and
  its longest transaction (each batch's begin-to-commit), against the same purge done in one transaction
  on a second copy of the data (the old shape) when ``compare`` is set.

Used by ``bench/surge.py --only console,stats,purge``.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

DAYS = 120
RETENTION = 30  # so the first purge meets 90 days of backlog
CHANNELS = ("telegram", "telegram", "telegram", "whatsapp", "sms", "voice", "webchat")
LANGUAGES = ("ru", "ru", "kk", "uz", "ky", "tg", None)
INTENTS = ("greet", "job_offer_check", "documents_taken", "unpaid_wages", "return_home", "legal_aid", "migration_rules")
CHUNK = 5000
FAKE_TOKEN = "v1:k1:" + "A" * 120  # the length of a short message's ciphertext; only voice bodies are decrypted


@dataclass
class Seeded:
    contacts: int
    cases: int
    open_cases: int
    messages: int
    outbox: int
    deliveries: int
    seconds: float


async def _bulk(session: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    """Core executemany on the session's connection (not the ORM's bulk path, which costs per row)."""
    conn = await session.connection()
    for start in range(0, len(rows), CHUNK):
        await conn.execute(insert(model.__table__), rows[start:start + CHUNK])


async def seed(sessionmaker: Any, vault: Any, contacts: int, now: datetime, seed_value: int = 17) -> Seeded:
    """``contacts`` people with 1.2 cases each on average, 4 messages a case, a reply and a delivery for each."""
    from app.platform.models import (
        AlertRef,
        Case,
        Contact,
        DailyCount,
        Escalation,
        InboundDelivery,
        Message,
        Operator,
        OutboxItem,
    )

    rng = random.Random(seed_value)
    t0 = time.perf_counter()
    operators = [{"id": uuid.uuid4(), "login": f"op{i:02d}", "display_name": f"Op {i}", "role": "operator",
                  "languages": [["ru", "kk"], ["ru", "uz"], ["ru", "ky", "tg"]][i % 3], "active": True,
                  "available": i % 2 == 0, "failed_logins": 0, "created_at": now, "recovery_codes": []}
                 for i in range(20)]  # fmt: skip
    counts: dict[tuple[Any, ...], int] = {}
    n_cases = n_open = n_messages = n_outbox = n_deliveries = 0
    async with sessionmaker() as session:
        await _bulk(session, Operator, operators)
        await session.commit()
    for block in range(0, contacts, 10_000):
        people, cases, messages, outbox, deliveries, escalations, alerts = [], [], [], [], [], [], []
        for p in range(block, min(contacts, block + 10_000)):
            channel = CHANNELS[p % len(CHANNELS)]
            language = LANGUAGES[rng.randrange(len(LANGUAGES))]
            first = now - timedelta(days=rng.uniform(0, DAYS))
            cid = uuid.uuid4()
            people.append({"id": cid, "channel": channel, "pseudonym": f"{p:064d}", "address_enc": FAKE_TOKEN,
                           "language": language, "country": "KZ", "first_seen": first, "last_seen": first,
                           "stopped": False, "state": {}})  # fmt: skip
            for k in range(1 if rng.random() < 0.8 else 2):
                created = first + timedelta(days=k * rng.uniform(0, 5))
                if created > now:
                    created = now - timedelta(minutes=rng.uniform(1, 60))
                case_id = uuid.uuid4()
                urgent = rng.random() < 0.05
                age = now - created
                roll = rng.random()
                if roll < 0.012 and age < timedelta(days=3):
                    status = "waiting" if roll < 0.008 else "assigned"
                elif roll < 0.006:  # open ones from longer ago: forgotten, still in the queue
                    status = "waiting"
                elif roll < 0.45:
                    status = "closed"
                else:
                    status = "bot"
                if status in ("waiting", "assigned"):
                    n_open += 1
                taken = created + timedelta(seconds=rng.uniform(30, 1800)) if status in ("assigned", "closed") else None
                closed = created + timedelta(hours=rng.uniform(1, 48)) if status == "closed" else None
                if closed is not None and closed > now:
                    closed = now
                assigned = operators[rng.randrange(20)]["id"] if status == "assigned" else None
                cases.append({"id": case_id, "alias": f"C{n_cases:07d}", "contact_id": cid, "channel": channel,
                              "language": language, "status": status, "urgent": urgent,
                              "urgent_reason": "confinement" if urgent else None, "last_intent": INTENTS[p % 7],
                              "assigned_operator_id": assigned, "outcome": "legal" if closed else None,
                              "notes_enc": FAKE_TOKEN if taken else None, "location_enc": None, "created_at": created,
                              "updated_at": closed or created, "waiting_since": created if taken or status == "waiting"
                              else None, "taken_at": taken,
                              "first_human_reply_at": taken + timedelta(seconds=40) if taken else None,
                              "closed_at": closed, "erased": False, "country": "KZ", "context": {"city": "almaty"}})  # fmt: skip
                n_cases += 1
                if urgent:
                    escalations.append({"id": uuid.uuid4(), "case_id": case_id, "fence": 1, "next_at": None, "state": {},
                                        "status": "taken" if taken else "exhausted", "created_at": created,
                                        "updated_at": created})  # fmt: skip
                    alerts.append({"case_id": case_id, "operator_id": operators[rng.randrange(20)]["id"],
                                   "channel": "telegram", "outbox_id": None, "withdrawn": bool(taken),
                                   "created_at": created})  # fmt: skip
                for m in range(4):
                    at = created + timedelta(minutes=m)
                    inbound = m % 2 == 0
                    mid = uuid.uuid4()
                    body = FAKE_TOKEN
                    external = f"{n_messages}"
                    if channel == "voice":
                        external = f"call:CA{uuid.uuid4().hex}:{m}"
                        said = f"voicemail: https://api.twilio.com/rec/RE{uuid.uuid4().hex}.wav" if inbound else "..."
                        body = vault.encrypt(said, f"message:{mid}")  # voice bodies are read by the purge
                    messages.append({"id": mid, "case_id": case_id, "direction": "in" if inbound else "out",
                                     "sender": "person" if inbound else "bot", "channel": channel, "body_enc": body,
                                     "intent": INTENTS[p % 7] if inbound else None, "confidence": 0.9, "urgent": urgent,
                                     "external_id": external if inbound else None, "chat_ref": str(m),
                                     "operator_id": None, "created_at": at})  # fmt: skip
                    n_messages += 1
                    if inbound:
                        deliveries.append({"id": uuid.uuid4(), "channel": channel, "delivery_id": f"d{n_messages}",
                                           "contact_key": f"{p:064d}", "priority": int(urgent), "payload_enc": FAKE_TOKEN,
                                           "status": "done", "attempts": 1, "next_attempt_at": at, "last_error": None,
                                           "created_at": at})  # fmt: skip
                        key = (at.date(), channel, language or "?", INTENTS[p % 7], urgent)
                        counts[key] = counts.get(key, 0) + 1
                    else:
                        dead = rng.random() < 0.003
                        outbox.append({"id": uuid.uuid4(), "channel": channel, "kind": "reply", "address_key": f"{p:064d}",
                                       "address_enc": FAKE_TOKEN, "payload_enc": FAKE_TOKEN, "case_id": case_id,
                                       "message_id": None, "status": "dead" if dead else "sent", "attempts": 1,
                                       "next_attempt_at": at, "last_error": "403 blocked" if dead else None,
                                       "provider_ref": None, "created_at": at, "sent_at": at})  # fmt: skip
        n_outbox += len(outbox)
        n_deliveries += len(deliveries)
        async with sessionmaker() as session:
            await _bulk(session, Contact, people)
            await _bulk(session, Case, cases)
            await _bulk(session, Message, messages)
            await _bulk(session, OutboxItem, outbox)
            await _bulk(session, InboundDelivery, deliveries)
            await _bulk(session, Escalation, escalations)
            await _bulk(session, AlertRef, alerts)
            await session.commit()
    async with sessionmaker() as session:
        await _bulk(session, DailyCount, [{"day": d, "channel": c, "language": lang, "intent": i, "urgent": u, "count": n}
                                          for (d, c, lang, i, u), n in counts.items()])  # fmt: skip
        await session.commit()
    engine = sessionmaker.kw["bind"]  # the planner sees the seeded sizes, as it would after autovacuum
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE"))
    return Seeded(contacts, n_cases, n_open, n_messages, n_outbox, n_deliveries, time.perf_counter() - t0)


async def sign_in(client: Any, sessionmaker: Any, vault: Any, login: str, role: str) -> None:
    import re

    from app.operators.service import upsert_operator

    async with sessionmaker() as session:
        await upsert_operator(session, vault, login=login, name=login.title(), role=role, languages=["ru", "kk"],
                              password="correct horse battery")  # fmt: skip
        await session.commit()
    page = await client.get("/auth/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the sign-in page"
    done = await client.post("/auth/login", data={"login": login, "password": "correct horse battery",
                                                  "csrf": token.group(1)})  # fmt: skip
    assert done.status_code == 303, done.text[:200]


async def time_pages(client: Any, paths: list[str], repeat: int) -> dict[str, tuple[float, ...]]:
    """Median and p95 in ms of each page, requests interleaved so load changes touch each alike."""
    times: dict[str, list[float]] = {p: [] for p in paths}
    for _ in range(3):
        for p in paths:
            response = await client.get(p)
            assert response.status_code == 200, (p, response.status_code)
    for _ in range(repeat):
        for p in paths:
            t0 = time.perf_counter()
            response = await client.get(p)
            times[p].append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
    return {p: _figures(v) for p, v in times.items()}


def _figures(values: list[float]) -> tuple[float, float, float]:
    """Median, p95 and the fastest: on a shared, loaded machine the fastest is the closest to the work itself."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)], ordered[0]


async def pages(app: Any, repeat: int) -> dict[str, tuple[float, ...]]:
    """The console queue and statistics pages through the real app, for a coordinator and an operator."""
    import httpx

    results: dict[str, tuple[float, ...]] = {}
    container = app.state.container
    if True:
        for login, role, paths in (("bench-coord", "coordinator", ["/console", "/admin/stats"]),
                                   ("bench-op", "operator", ["/console"])):  # fmt: skip
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
                await sign_in(client, container.sessionmaker, container.vault, login, role)
                for path, figures in (await time_pages(client, paths, repeat)).items():
                    results[f"{role} {path}"] = figures
                shown = (await client.get("/console")).text.count('data-alias="')
                results[f"{role} shown"] = (float(shown), 0.0, 0.0)
                results.update(await queries(container, login, role, repeat))
    return results


async def queries(container: Any, login: str, role: str, repeat: int) -> dict[str, tuple[float, ...]]:
    """The queries alone (what grows with history, if anything does), without HTTP and templates."""
    from app.oncall import service as oncall
    from app.platform.models import Operator
    from app.statistics import service as stats

    async with container.sessionmaker() as session:
        operator = await session.scalar(select(Operator).where(Operator.login == login))
    work = {f"{role} queue query": lambda s: oncall.queue(s, container.oncall, operator)}
    if role == "coordinator":
        work["statistics queries"] = lambda s: stats.compute(s, container.clock().date(), 12)
    times: dict[str, list[float]] = {k: [] for k in work}
    for i in range(repeat + 3):
        for name, job in work.items():
            async with container.sessionmaker() as session:
                t0 = time.perf_counter()
                await job(session)
                if i >= 3:
                    times[name].append((time.perf_counter() - t0) * 1000)
    return {k: _figures(v) for k, v in times.items()}


async def purge_figures(sessionmaker: Any, vault: Any, now: datetime, one_transaction: bool = False) -> dict[str, float]:
    from app.platform.models import Message
    from app.privacy.service import purge, purge_in_batches

    t0 = time.perf_counter()
    if one_transaction:  # the same batches, all in one transaction: the old shape's longest transaction
        async with sessionmaker() as session:
            counts = await purge(session, now, RETENTION, vault)
            await session.commit()
        total = time.perf_counter() - t0
        figures = {"seconds": total, "longest": total, "batches": 1.0, "bodies": float(counts["message_bodies"])}
    else:
        report = await purge_in_batches(sessionmaker, now, RETENTION, vault)
        total = time.perf_counter() - t0
        figures = {"seconds": total, "longest": report.longest, "batches": float(report.batches),
                   "bodies": float(report.counts["message_bodies"]), "outbox": float(report.counts["outbox_rows"]),
                   "deliveries": float(report.counts["deliveries"]), "twilio": float(report.counts["twilio_deletions"]),
                   "longest_step": report.longest_step}  # type: ignore[dict-item]  # fmt: skip
    async with sessionmaker() as session:
        left = await session.scalar(select(func.count()).select_from(Message).where(Message.body_enc.is_not(None)))
    figures["bodies_kept"] = float(left or 0)
    return figures


async def run(kind: str, contacts: int, repeat: int, parts: set[str], compare: bool) -> dict[str, Any]:
    """Seed a fresh database of ``kind`` ("pg" or "sqlite"), then time what ``parts`` names; with ``compare``,
    seed a second time and purge that in one transaction (the old shape) for the ratio."""
    out: dict[str, Any] = {}
    out.update(await _one(kind, contacts, repeat, parts, one_transaction=False))
    if compare and "purge" in parts:
        out["purge_one"] = (await _one(kind, contacts, repeat, {"purge"}, one_transaction=True))["purge"]
    return out


async def _one(kind: str, contacts: int, repeat: int, parts: set[str], *, one_transaction: bool) -> dict[str, Any]:
    import tempfile
    from pathlib import Path

    from webhook_bench import drop, prepare

    from app.main import create_app
    from app.platform.settings import Settings, new_key_spec

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url, dbname = await prepare(kind, tmp)
        try:
            settings = Settings(env="test", database_url=url, data_dir=Path(tmp), pepper="p" * 40, secret_key="s" * 40,
                                encryption_keys=new_key_spec("k1"), worker_enabled=False, nlu_backend="keywords",
                                log_level="ERROR", public_url="http://testserver")  # fmt: skip
            app = create_app(settings, senders={})
            now = datetime.now(UTC)
            async with app.router.lifespan_context(app):
                c = app.state.container
                out["seeded"] = await seed(c.sessionmaker, c.vault, contacts, now)
                if parts & {"console", "stats"}:
                    out["pages"] = await pages(app, repeat)
                if "purge" in parts:
                    out["purge"] = await purge_figures(c.sessionmaker, c.vault, now, one_transaction)
        finally:
            await drop(dbname)
    return out
