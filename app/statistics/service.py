"""Numbers for coordinators, computed from anonymous counts and timestamps only.

Nothing here reads a message body, an address or a note: weekly counts come
from ``DailyCount`` (the daily rollup), response times from case timestamps
(percentiles need each value, so they come from a covering partial index over
the chosen weeks, not a rollup), failures from the outbox's status and error
columns (errors are scrubbed of digits and handles). Every query is bounded by
the weeks shown or by a status that retention keeps small.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, cast, func, select, text, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.models import CASE_ERASED, CASE_TAKEN, Case, DailyCount, Escalation, OutboxItem

# Provider errors can quote a number, an email or a @handle; keep the reason, drop those.
_SCRUB = re.compile(r"\+?\d[\d\s().-]{4,}\d|[\w.+-]+@[\w-]+\.[\w.]+|@\w{3,}|chat[_ ]?id\W*\S+", re.IGNORECASE)


def scrub(error: str | None, limit: int = 200) -> str:
    return _SCRUB.sub("[…]", error or "")[:limit]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile; None when there is nothing to measure."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


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


async def compute(session: AsyncSession, today: date, weeks: int) -> Stats:
    since = week_start(today) - timedelta(weeks=weeks - 1)
    stats = Stats(since=since)
    week = _week_of(session, DailyCount.day)
    counts = await session.execute(
        select(week, DailyCount.channel, DailyCount.language, DailyCount.intent, DailyCount.urgent,
               func.sum(DailyCount.count)).where(DailyCount.day >= since)
        .group_by(week, DailyCount.channel, DailyCount.language, DailyCount.intent, DailyCount.urgent)
    )  # fmt: skip
    per_week: dict[tuple[date, str, str, str, bool], int] = defaultdict(int)
    for day, stored_channel, language, intent, urgent, n in counts.all():
        per_week[(week_start(day), stored_channel, language or "?", intent or "?", bool(urgent))] += int(n or 0)
    stats.rows = sorted((k + (n,) for k, n in per_week.items()), key=lambda r: (r[0], r[1], r[2], r[3], r[4]))
    weekly_total: Counter[date] = Counter()
    weekly_urgent: Counter[date] = Counter()
    channels: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    intents: Counter[str] = Counter()
    for week, channel, language, intent, urgent, n in stats.rows:
        weekly_total[week] += n
        weekly_urgent[week] += n if urgent else 0
        channels[channel] += n
        languages[language] += n
        intents[intent] += n
    stats.weekly = [(since + timedelta(weeks=i), weekly_total[since + timedelta(weeks=i)],
                     weekly_urgent[since + timedelta(weeks=i)]) for i in range(weeks)]  # fmt: skip
    stats.by_channel, stats.by_language = channels.most_common(), languages.most_common()
    stats.by_intent = intents.most_common()
    stats.total, stats.urgent = sum(weekly_total.values()), sum(weekly_urgent.values())

    start = datetime.combine(since, datetime.min.time()).replace(tzinfo=None)
    stats.measured_cases, stats.taken, stats.first_reply = await _response_times(session, start)
    stats.exhausted = int(await session.scalar(select(func.count()).select_from(Escalation).where(
        Escalation.status == "exhausted", Escalation.created_at >= start)) or 0)  # fmt: skip
    stats.erased = int(await session.scalar(select(func.count()).select_from(Case).where(
        text(CASE_ERASED), Case.created_at >= start)) or 0)  # fmt: skip
    stats.dead_count = int(await session.scalar(select(func.count()).select_from(OutboxItem).where(
        OutboxItem.status == "dead")) or 0)  # fmt: skip
    dead = await session.execute(select(OutboxItem.channel, OutboxItem.kind, OutboxItem.last_error, OutboxItem.attempts,
                                        OutboxItem.created_at).where(OutboxItem.status == "dead")
                                 .order_by(OutboxItem.created_at.desc()).limit(50))  # fmt: skip
    stats.dead = [DeadLetter(c, k, scrub(e), int(a or 0), t) for c, k, e, a, t in dead.all()]
    return stats


def _week_of(session: AsyncSession, day: Any) -> Any:
    """The Monday of ``day``'s week, in SQL: the rollup is summed per week by the database, not in Python."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("week", day), Date)
    return type_coerce(func.date(day, func.printf("-%d days", (func.strftime("%w", day) + 6) % 7)), Date)


async def _response_times(session: AsyncSession, start: datetime) -> tuple[int, dict[str, float | None],
                                                                           dict[str, float | None]]:  # fmt: skip
    """Cases taken inside the weeks: how many, and nearest-rank p50/p90 of the time to take and to first reply.

    Served by ``ix_cases_taken`` (partial, covering). PostgreSQL computes the percentiles itself
    (``percentile_disc`` is the nearest-rank percentile) and returns one row; SQLite returns the timestamps.
    """
    where = (text(CASE_TAKEN), Case.created_at >= start)
    if session.get_bind().dialect.name == "postgresql":
        take, reply = Case.taken_at - Case.created_at, Case.first_human_reply_at - Case.created_at
        replied = Case.first_human_reply_at.is_not(None)
        row = (await session.execute(select(
            func.count(), func.percentile_disc(0.5).within_group(take), func.percentile_disc(0.9).within_group(take),
            func.percentile_disc(0.5).within_group(reply).filter(replied),
            func.percentile_disc(0.9).within_group(reply).filter(replied),
        ).where(*where))).one()  # fmt: skip
        n, *spans = row
        t50, t90, r50, r90 = (span.total_seconds() if span is not None else None for span in spans)
        return int(n or 0), {"p50": t50, "p90": t90}, {"p50": r50, "p90": r90}
    times = await session.execute(select(Case.created_at, Case.taken_at, Case.first_human_reply_at).where(*where))
    to_take: list[float] = []
    to_reply: list[float] = []
    for created, taken, replied_at in times.all():
        if taken is None:  # excluded by the query; says so to the type checker
            continue
        to_take.append((taken - created).total_seconds())
        if replied_at is not None:
            to_reply.append((replied_at - created).total_seconds())
    return (len(to_take), {"p50": percentile(to_take, 50), "p90": percentile(to_take, 90)},
            {"p50": percentile(to_reply, 50), "p90": percentile(to_reply, 90)})  # fmt: skip
