"""Statistics from the case record, per month, with small counts withheld.

What operators record (app.casework: picklist codes, referrals made, the first
human answer's time) is counted per calendar month: exploitation types, means
of control, routes (country of origin → country of exploitation), referral
outcomes, and the time from a case's first message to its first human answer.
Only codes and counts leave here, never an alias or a word.

A small count can point at one person ("the one woman from TJ exploited in SA
in March"), so the same k idea as the exchange export applies to every cell:
a count from 1 to k-1 is shown as "<k". Each row's period total is shown too,
and a total minus the visible months would give a lone hidden month back, so a
row whose hidden months could be worked out from its total (one hidden month,
or hidden months that can only be all 1s or all k-1s) has its next smallest
month hidden as well ("…"), or, when nothing is left to hide, its total.
Months themselves are never totalled across rows: the record's fields hold
several codes each, so a column sum would mean nothing and could only leak.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.casework.picklists import EXPLOITATION_TYPES, MEANS_OF_CONTROL, REFERRAL_RESULTS, label
from app.platform.models import Case, CaseRecord, CaseReferral

HIDDEN = "…"  # a count withheld so that a small one beside it cannot be worked out
TABLES = ("exploitation_types", "means_of_control", "routes", "referral_outcomes")


def small(k: int) -> str:
    """How a count under ``k`` reads."""
    return f"<{k}"


@dataclass(frozen=True)
class Cell:
    """A count as published: ``shown`` is the number, "<k" or "…"; ``value`` is None unless shown exactly."""

    shown: str
    value: int | None


@dataclass
class Row:
    code: str  # a picklist code, or "UZ>RU" for a route
    label: str
    months: list[Cell]
    total: Cell


@dataclass
class Table:
    name: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class AnswerTimes:
    """Time to the first human answer in one month: how many cases, median and 90th percentile in seconds."""

    month: str
    cases: Cell
    p50: float | None
    p90: float | None


@dataclass
class CaseStats:
    months: list[str]
    k: int
    records: Cell
    tables: dict[str, Table]
    answers: list[AnswerTimes]


def month_starts(last: date, count: int) -> list[date]:
    """The first days of ``count`` calendar months ending with ``last``'s, oldest first."""
    year, month = last.year, last.month
    out = []
    for _ in range(count):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def protect(values: list[int], k: int) -> tuple[list[Cell], Cell]:
    """Publish a row of monthly counts and its total without letting any count from 1 to k-1 be read or worked out."""
    total = sum(values)
    if 0 < total < k:  # every month is small too; the total says nothing more than "<k"
        return [Cell(small(k), None) if v else Cell("0", 0) for v in values], Cell(small(k), None)
    primary = {i for i, v in enumerate(values) if 0 < v < k}
    secondary: set[int] = set()

    def exposed(extra: set[int]) -> bool:
        """Could the hidden months be solved from the total? (Primary ones lie in 1..k-1, secondary ones in 0..)"""
        if not primary:
            return False
        hidden = primary | secondary | extra
        rest = sum(values[i] for i in hidden)
        low = len(primary)
        high = math.inf if secondary | extra else len(primary) * (k - 1)
        return len(hidden) == 1 or rest == low or rest == high

    total_hidden = False
    while exposed(set()):
        free = sorted((i for i in range(len(values)) if i not in primary | secondary), key=lambda i: (values[i] != 0, values[i]))
        if not free:
            total_hidden = True
            break
        pick = next((i for i in free if not exposed({i})), None)
        if pick is None:  # no single month is enough: hide the smallest non-zero one and look again
            pick = next((i for i in free if values[i]), free[0])
        secondary.add(pick)
    cells = [Cell(small(k), None) if i in primary else Cell(HIDDEN, None) if i in secondary else Cell(str(v), v)
             for i, v in enumerate(values)]  # fmt: skip
    return cells, Cell(HIDDEN, None) if total_hidden else Cell(str(total), total)


def _table(name: str, counts: dict[str, dict[str, int]], order: Iterable[str], months: list[str], k: int,
           lang: str) -> Table:  # fmt: skip
    """Rows in picklist order (routes: most frequent first); a code nobody recorded is left out."""
    table = Table(name)
    for code in order:
        per_month = counts.get(code, {})
        values = [per_month.get(m, 0) for m in months]
        if not any(values):
            continue
        cells, total = protect(values, k)
        table.rows.append(Row(code, route_label(code, lang) if name == "routes" else label(code, lang), cells, total))
    return table


def route_label(code: str, lang: str) -> str:
    origin, _, exploitation = code.partition(">")
    return f"{label(origin, lang)} → {label(exploitation, lang)}"


def _percentile(values: list[float], pct: float) -> float | None:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)] if ordered else None


def _month(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m")


async def compute(session: AsyncSession, last: date, months: int, k: int, lang: str) -> CaseStats:
    """Counts for the ``months`` calendar months ending with ``last``'s, labels in ``lang``, cells under ``k`` withheld."""
    starts = month_starts(last, months)
    keys = [s.strftime("%Y-%m") for s in starts]
    begin = datetime.combine(starts[0], datetime.min.time(), tzinfo=UTC)
    year, month = (last.year, last.month + 1) if last.month < 12 else (last.year + 1, 1)
    end = datetime(year, month, 1, tzinfo=UTC)

    counts: dict[str, dict[str, dict[str, int]]] = {name: defaultdict(lambda: defaultdict(int)) for name in TABLES}
    rows = await session.execute(
        select(Case.created_at, CaseRecord.exploitation_types, CaseRecord.means_of_control, CaseRecord.country_origin,
               CaseRecord.country_exploitation)
        .join(CaseRecord, CaseRecord.case_id == Case.id)
        .where(Case.created_at >= begin, Case.created_at < end, Case.erased.is_(False))
    )  # fmt: skip
    records = 0
    for created, exploitation, control, origin, destination in rows.all():
        m = _month(created)
        records += 1
        for code in set(exploitation or []):
            counts["exploitation_types"][code][m] += 1
        for code in set(control or []):
            counts["means_of_control"][code][m] += 1
        if origin or destination:
            counts["routes"][f"{origin or 'Unknown'}>{destination or 'Unknown'}"][m] += 1
    referrals = await session.execute(
        select(CaseReferral.made_at, CaseReferral.result).where(CaseReferral.made_at >= begin, CaseReferral.made_at < end)
    )
    for made, result in referrals.all():
        counts["referral_outcomes"][result][_month(made)] += 1

    routes = counts["routes"]
    route_order = sorted(routes, key=lambda c: (-sum(routes[c].values()), c))
    orders: dict[str, Iterable[str]] = {
        "exploitation_types": EXPLOITATION_TYPES, "means_of_control": MEANS_OF_CONTROL, "routes": route_order,
        "referral_outcomes": REFERRAL_RESULTS,
    }  # fmt: skip
    tables = {name: _table(name, counts[name], orders[name], keys, k, lang) for name in TABLES}

    waits: dict[str, list[float]] = defaultdict(list)
    answered = await session.execute(
        select(Case.created_at, Case.first_human_reply_at)
        .where(Case.created_at >= begin, Case.created_at < end, Case.first_human_reply_at.is_not(None))
    )  # fmt: skip
    for created, replied in answered.all():
        if replied is not None:
            waits[_month(created)].append(max((replied - created).total_seconds(), 0.0))
    answers = []
    for m in keys:
        n = len(waits[m])
        if n >= k:
            answers.append(AnswerTimes(m, Cell(str(n), n), _percentile(waits[m], 50), _percentile(waits[m], 90)))
        else:  # a median of a handful of cases is one person's wait
            answers.append(AnswerTimes(m, Cell(small(k), None) if n else Cell("0", 0), None, None))
    total = Cell(str(records), records) if records >= k or records == 0 else Cell(small(k), None)
    return CaseStats(keys, k, total, tables, answers)

