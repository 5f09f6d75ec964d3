"""Who is on call when.

Hand-offs are local wall-clock times in the schedule's zone, so "09:00" stays
09:00 across DST changes. A local time that does not exist (spring forward)
or exists twice (fall back) resolves like Python's `fold=0`: the earlier
offset. Layers are evaluated in order; a later layer that has someone on
call replaces the earlier ones (PagerDuty-like), then overrides apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from routing.model import Layer, Restriction, Roster, Schedule, Shift

DEFAULT_HORIZON = timedelta(days=14)


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """Cached ZoneInfo lookup (raises ZoneInfoNotFoundError for unknown names)."""
    return ZoneInfo(name)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("routing needs tz-aware datetimes; got a naive one")


def _to_utc(local_naive: datetime, tz: ZoneInfo) -> datetime:
    return local_naive.replace(tzinfo=tz).astimezone(UTC)


def _local_naive(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def _period(layer: Layer) -> timedelta:
    if layer.rotation == "daily":
        return timedelta(days=1)
    if layer.rotation == "weekly":
        return timedelta(days=7)
    return timedelta(hours=layer.shift_hours or 24)


def _anchor(layer: Layer) -> datetime:
    return datetime.combine(layer.start, layer.handoff)


def _boundary(layer: Layer, tz: ZoneInfo, k: int) -> datetime:
    """UTC instant of the k-th hand-off (wall-clock arithmetic, then localise)."""
    return _to_utc(_anchor(layer) + k * _period(layer), tz)


def _rotation_index(layer: Layer, tz: ZoneInfo, now: datetime) -> int | None:
    """Index of the hand-off period containing `now`, or None before the layer starts."""
    if now < _boundary(layer, tz, 0):
        return None
    k = max(0, (_local_naive(now, tz) - _anchor(layer)) // _period(layer))
    # The wall-clock estimate can be off by one around DST jumps; settle it in UTC.
    while _boundary(layer, tz, k + 1) <= now:
        k += 1
    while k > 0 and _boundary(layer, tz, k) > now:
        k -= 1
    return k


def _in_window(restrict: Restriction, local: datetime) -> bool:
    t = local.time()
    today = local.weekday()
    if restrict.start < restrict.end:
        return today in restrict.days and restrict.start <= t < restrict.end
    yesterday = (today - 1) % 7
    return (today in restrict.days and t >= restrict.start) or (
        yesterday in restrict.days and t < restrict.end
    )


def layer_on_call(layer: Layer, tz: ZoneInfo, now: datetime) -> str | None:
    """The member of one layer on call at `now`, or None."""
    if not layer.members:
        return None
    k = _rotation_index(layer, tz, now)
    if k is None:
        return None
    if layer.restrict is not None and not _in_window(layer.restrict, _local_naive(now, tz)):
        return None
    return layer.members[k % len(layer.members)]


def on_call(schedule: Schedule, now: datetime) -> list[str]:
    """Logins on call at `now` (empty if nobody).

    An override with `replaces` swaps that person out (and still puts the
    cover on call if the replaced person was off: an extra person on call
    is harmless, a hole is not); without `replaces` the cover is the only
    one on call for the window.
    """
    _require_aware(now)
    tz = zone(schedule.timezone)
    result: list[str] = []
    for layer in schedule.layers:
        who = layer_on_call(layer, tz, now)
        if who is not None:
            result = [who]
    for ov in schedule.overrides:
        if not (ov.start <= now < ov.end):
            continue
        if ov.replaces is None:
            result = [ov.login]
            continue
        result = [x for x in result if x != ov.replaces]
        if ov.login not in result:
            result.append(ov.login)
    return result


def _restriction_edges(restrict: Restriction, tz: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    first = _local_naive(start, tz).date() - timedelta(days=1)
    last = _local_naive(end, tz).date() + timedelta(days=1)
    edges: list[datetime] = []
    day = first
    while day <= last:
        for t in (restrict.start, restrict.end):
            edges.append(_to_utc(datetime.combine(day, t), tz))
        day += timedelta(days=1)
    return edges


def _change_points(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """Every instant in (start, end) where the on-call set may change."""
    tz = zone(schedule.timezone)
    points: set[datetime] = set()
    for layer in schedule.layers:
        period = _period(layer)
        lo = max(0, (_local_naive(start, tz) - _anchor(layer)) // period - 1)
        hi = max(0, (_local_naive(end, tz) - _anchor(layer)) // period + 2)
        points.update(_boundary(layer, tz, k) for k in range(lo, hi + 1))
        if layer.restrict is not None:
            points.update(_restriction_edges(layer.restrict, tz, start, end))
    for ov in schedule.overrides:
        points.update((ov.start.astimezone(UTC), ov.end.astimezone(UTC)))
    return sorted(p for p in points if start < p < end)


def timeline(schedule: Schedule, start: datetime, end: datetime) -> list[Shift]:
    """On-call shifts clipped to [start, end), sorted by start then login.

    Feeds `helpline oncall show --days 7` and the week view.
    """
    _require_aware(start)
    _require_aware(end)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return []
    edges = [start, *_change_points(schedule, start, end), end]
    shifts: list[Shift] = []
    open_since: dict[str, datetime] = {}
    for seg_start in edges[:-1]:
        now_on = set(on_call(schedule, seg_start))
        for login in [x for x in open_since if x not in now_on]:
            shifts.append(Shift(login, open_since.pop(login), seg_start))
        for login in on_call(schedule, seg_start):
            open_since.setdefault(login, seg_start)
    for login, since in open_since.items():
        shifts.append(Shift(login, since, end))
    return sorted(shifts, key=lambda s: (s.start, s.login))


def on_call_logins(roster: Roster, now: datetime) -> list[str]:
    """Active operators on call in any schedule, in schedule order, no duplicates."""
    seen: list[str] = []
    for schedule in roster.schedules:
        for login in on_call(schedule, now):
            op = roster.operator(login)
            if op is not None and op.active and login not in seen:
                seen.append(login)
    return seen


def on_call_by_language(roster: Roster, now: datetime) -> dict[str, list[str]]:
    """Language → active on-call logins who speak it (languages with nobody are absent)."""
    result: dict[str, list[str]] = {}
    for login in on_call_logins(roster, now):
        op = roster.operator(login)
        assert op is not None
        for lang in op.languages:
            result.setdefault(lang, []).append(login)
    return result


def _speaks(roster: Roster, login: str, language: str | None) -> bool:
    op = roster.operator(login)
    return op is not None and op.active and (language is None or language in op.languages)


@dataclass(frozen=True, slots=True)
class Reach:
    """The one true thing a person is told about the team: someone is reachable now, or when one will be."""

    someone_now: bool
    back_at: datetime | None = None  # None while someone is reachable, or when nobody is expected soon


def out_of_hours(
    roster: Roster,
    now: datetime,
    language: str | None,
    horizon: timedelta = DEFAULT_HORIZON,
) -> datetime | None:
    """None when someone who speaks `language` is on call now; else when the next one starts.

    If no active operator speaks the language at all, anyone counts, so a
    person writing in an unsupported language is not told "never". If
    nobody comes on call within `horizon`, returns `now + horizon` as a
    "not before" answer rather than pretending to know.
    """
    _require_aware(now)
    if language is not None and not any(
        op.active and language in op.languages for op in roster.operators
    ):
        language = None
    if any(_speaks(roster, login, language) for login in on_call_logins(roster, now)):
        return None
    best: datetime | None = None
    for schedule in roster.schedules:
        for shift in timeline(schedule, now, now + horizon):
            if _speaks(roster, shift.login, language) and shift.start > now.astimezone(UTC):
                if best is None or shift.start < best:
                    best = shift.start
                break
    return best if best is not None else now.astimezone(UTC) + horizon


def local_date_range(schedule: Schedule, day: date, days: int) -> tuple[datetime, datetime]:
    """UTC bounds of `days` local calendar days from `day` (for the week view)."""
    tz = zone(schedule.timezone)
    start = _to_utc(datetime.combine(day, time(0, 0)), tz)
    end = _to_utc(datetime.combine(day + timedelta(days=days), time(0, 0)), tz)
    return start, end
