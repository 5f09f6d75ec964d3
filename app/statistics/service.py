"""Numbers for coordinators, computed from anonymous counts and timestamps only.

Nothing here reads a message body, an address or a note: weekly counts come
from ``WeeklyCount`` (the daily counts summed per week as they are written: the
page's table is its rows, the totals three small sums), response times from ``ResponseCount``
(counts per week and wait bucket, written when a human first takes or answers a
case), failures from the outbox's status and error columns (errors are scrubbed
of digits and handles). Every query is bounded by the weeks shown or by a status
that retention keeps small, so the page costs the same at 10k people and at 1M.

Percentiles from buckets: waits under 100 s are exact to the second; longer ones
are read to within 1 % (buckets 2 % wide, the middle reported), finer than the
page shows them ("12 min", "3.5 h").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.models import CASE_ERASED, Case, Escalation, OutboxItem, ResponseCount, WeeklyCount

# Waits under EXACT_BELOW seconds get a bucket per second; above, buckets STEP times wider than the last.
EXACT_BELOW = 100
STEP = 1.02
WaitKind = str  # "take" (a human first took the case) or "reply" (a human first answered)

# Provider errors can quote a number, an email or a @handle; keep the reason, drop those.
_SCRUB = re.compile(r"\+?\d[\d\s().-]{4,}\d|[\w.+-]+@[\w-]+\.[\w.]+|@\w{3,}|chat[_ ]?id\W*\S+", re.IGNORECASE)


def scrub(error: str | None, limit: int = 200) -> str:
    return _SCRUB.sub("[…]", error or "")[:limit]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def wait_bucket(seconds: float) -> int:
    seconds = max(0.0, seconds)
    if seconds < EXACT_BELOW:
        return int(seconds)
    return EXACT_BELOW + int(math.log(seconds / EXACT_BELOW) / math.log(STEP))


def bucket_seconds(bucket: int) -> float:
    """The wait a bucket stands for: itself below EXACT_BELOW, else the middle of its span."""
    if bucket < EXACT_BELOW:
        return float(bucket)
    return EXACT_BELOW * STEP ** (bucket - EXACT_BELOW + 0.5)


def bucket_percentile(counts: dict[int, int], pct: float) -> float | None:
    """Nearest-rank percentile of bucketed waits; None when there is nothing to measure."""
    total = sum(counts.values())
    if not total:
        return None
    rank, seen = max(1, math.ceil(pct / 100 * total)), 0
    for bucket in sorted(counts):
        seen += counts[bucket]
        if seen >= rank:
            return bucket_seconds(bucket)
    return None  # not reached: the last bucket completes the total


async def count_wait(session: AsyncSession, kind: WaitKind, created_at: datetime, at: datetime) -> None:
    """Add one case's first take or first reply to the response-time rollup (atomically, both engines)."""
    day = created_at.date()
    values = {"week": week_start(day), "kind": kind, "bucket": wait_bucket((at - created_at).total_seconds()), "count": 1}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(ResponseCount).values(**values)
    stmt = stmt.on_conflict_do_update(index_elements=["week", "kind", "bucket"], set_={"count": ResponseCount.count + 1})
    await session.execute(stmt)


@dataclass
class DeadLetter:
    channel: str
    kind: str
    error: str
    attempts: int
    created_at: datetime


@dataclass
class Stats:
    since: date
    rows: list[tuple[date, str, str, str, bool, int]] = field(default_factory=list)
    row_count: int = 0  # every row of the weeks, however many ``rows`` holds
    weekly: list[tuple[date, int, int]] = field(default_factory=list)
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    by_language: list[tuple[str, int]] = field(default_factory=list)
    by_intent: list[tuple[str, int]] = field(default_factory=list)
    total: int = 0
    urgent: int = 0
    taken: dict[str, float | None] = field(default_factory=dict)
    first_reply: dict[str, float | None] = field(default_factory=dict)
    measured_cases: int = 0
    exhausted: int = 0
    erased: int = 0  # cases the person erased: counted, nothing else kept
    dead_count: int = 0
    dead: list[DeadLetter] = field(default_factory=list)

    @property
    def urgent_share(self) -> float:
        return self.urgent / self.total if self.total else 0.0


async def compute(session: AsyncSession, today: date, weeks: int, rows: int | None = None) -> Stats:
    """The figures of the ``weeks`` up to ``today``; ``rows`` bounds the table (the page shows its first
    rows, the CSV asks for all), the totals always cover every row."""
    since = week_start(today) - timedelta(weeks=weeks - 1)
    stats = Stats(since=since)
    inside = WeeklyCount.week >= since
    key = (WeeklyCount.week, WeeklyCount.channel, WeeklyCount.language, WeeklyCount.intent, WeeklyCount.urgent)
    table = select(*key, WeeklyCount.count).where(inside).order_by(*key)
    if rows is not None:
        table = table.limit(rows)
    stats.rows = [(w, c, lang, i, bool(u), int(n or 0)) for w, c, lang, i, u, n in (await session.execute(table)).all()]
    weekly_total: Counter[date] = Counter()
    weekly_urgent: Counter[date] = Counter()
    per_week = select(WeeklyCount.week, WeeklyCount.urgent, func.sum(WeeklyCount.count)).where(inside)
    for week, urgent, n in (await session.execute(per_week.group_by(WeeklyCount.week, WeeklyCount.urgent))).all():
        weekly_total[week] += int(n or 0)
        if urgent:
            weekly_urgent[week] += int(n or 0)
    channels: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    intents: Counter[str] = Counter()
    mix = select(WeeklyCount.channel, WeeklyCount.language, WeeklyCount.intent, func.sum(WeeklyCount.count)).where(inside)
    for channel, language, intent, n in (await session.execute(
            mix.group_by(WeeklyCount.channel, WeeklyCount.language, WeeklyCount.intent))).all():  # fmt: skip
        channels[channel] += int(n or 0)
        languages[language] += int(n or 0)
        intents[intent] += int(n or 0)
    stats.weekly = [(since + timedelta(weeks=i), weekly_total[since + timedelta(weeks=i)],
                     weekly_urgent[since + timedelta(weeks=i)]) for i in range(weeks)]  # fmt: skip
    stats.by_channel, stats.by_language = channels.most_common(), languages.most_common()
    stats.by_intent = intents.most_common()
    stats.total, stats.urgent = sum(weekly_total.values()), sum(weekly_urgent.values())

    start = datetime.combine(since, datetime.min.time()).replace(tzinfo=None)
    stats.measured_cases, stats.taken, stats.first_reply = await _response_times(session, since)
    exhausted = select(func.count()).select_from(Escalation).where(Escalation.status == "exhausted",
                                                                    Escalation.created_at >= start)  # fmt: skip
    erased = select(func.count()).select_from(Case).where(text(CASE_ERASED), Case.created_at >= start)
    dead_count = select(func.count()).select_from(OutboxItem).where(OutboxItem.status == "dead")
    row_count = select(func.count()).select_from(WeeklyCount).where(inside)
    row = (await session.execute(select(exhausted.scalar_subquery(), erased.scalar_subquery(),
                                        dead_count.scalar_subquery(), row_count.scalar_subquery()))).one()  # fmt: skip
    stats.exhausted, stats.erased, stats.dead_count, stats.row_count = (int(n or 0) for n in row)
    dead = await session.execute(select(OutboxItem.channel, OutboxItem.kind, OutboxItem.last_error, OutboxItem.attempts,
                                        OutboxItem.created_at).where(OutboxItem.status == "dead")
                                 .order_by(OutboxItem.created_at.desc()).limit(50))  # fmt: skip
    stats.dead = [DeadLetter(c, k, scrub(e), int(a or 0), t) for c, k, e, a, t in dead.all()]
    return stats


async def _response_times(session: AsyncSession, since: date) -> tuple[int, dict[str, float | None],
                                                                      dict[str, float | None]]:  # fmt: skip
    """Cases first taken inside the weeks: how many, and nearest-rank p50/p90 of the time to take and to first reply.

    The database sums the buckets over the weeks (a few hundred rows whatever the history); the running
    totals are walked here, which measured cheaper than window functions in SQL.
    """
    rows = await session.execute(
        select(ResponseCount.kind, ResponseCount.bucket, func.sum(ResponseCount.count))
        .where(ResponseCount.week >= since).group_by(ResponseCount.kind, ResponseCount.bucket)
    )  # fmt: skip
    per_kind: dict[str, dict[int, int]] = {"take": {}, "reply": {}}
    for kind, bucket, n in rows.all():
        per_kind.setdefault(kind, {})[int(bucket)] = int(n or 0)
    take, reply = per_kind["take"], per_kind["reply"]
    return (sum(take.values()), {"p50": bucket_percentile(take, 50), "p90": bucket_percentile(take, 90)},
            {"p50": bucket_percentile(reply, 50), "p90": bucket_percentile(reply, 90)})  # fmt: skip
