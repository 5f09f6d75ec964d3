"""Human-readable differences between two rosters.

Shown before an import is applied and written to the audit log, so it names
what changed but never prints phone numbers or Telegram chat ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from routing.model import WEEKDAYS, Layer, Override, Policy, Restriction, Roster, Schedule, Step, Target

T = TypeVar("T")
SECRET_FIELDS = ("telegram_chat_id", "phone")


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value) or "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Restriction):
        days = ",".join(WEEKDAYS[d] for d in value.days)
        return f"{days} {value.start:%H:%M}–{value.end:%H:%M}"
    if hasattr(value, "strftime") and hasattr(value, "hour") and not hasattr(value, "year"):
        return f"{value:%H:%M}"
    return str(value)


def _fields(prefix: str, old: Any, new: Any, names: Sequence[str], sep: str = ": ") -> list[str]:
    out: list[str] = []
    for name in names:
        a, b = getattr(old, name), getattr(new, name)
        if a == b:
            continue
        if name in SECRET_FIELDS:
            out.append(f"{prefix}{sep}{name} changed")
        else:
            out.append(f"{prefix}{sep}{name} {_show(a)} → {_show(b)}")
    return out


def _keyed(
    kind: str,
    old: Sequence[T],
    new: Sequence[T],
    key: Callable[[T], str],
    inner: Callable[[str, T, T], list[str]],
) -> list[str]:
    olds = {key(x): x for x in old}
    news = {key(x): x for x in new}
    out = [f"{kind} {k}: removed" for k in olds if k not in news]
    out += [f"{kind} {k}: added" for k in news if k not in olds]
    for k, a in olds.items():
        if k in news and a != news[k]:
            out += inner(f"{kind} {k}", a, news[k])
    return out


def _numbered(prefix: str, what: str, old: Sequence[T], new: Sequence[T], inner: Callable[[str, T, T], list[str]]) -> list[str]:
    out: list[str] = []
    for i, (a, b) in enumerate(zip(old, new), start=1):
        if a != b:
            out += inner(f"{prefix}: {what} {i}", a, b)
    out += [f"{prefix}: {what} {i} removed" for i in range(len(new) + 1, len(old) + 1)]
    out += [f"{prefix}: {what} {i} added" for i in range(len(old) + 1, len(new) + 1)]
    return out


def _layer(prefix: str, a: Layer, b: Layer) -> list[str]:
    return _fields(prefix, a, b, ("rotation", "handoff", "start", "members", "shift_hours", "restrict"), " ")


def _override_text(o: Override, tz: str) -> str:
    def local(m: datetime) -> str:
        return m.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")

    cover = f" (covers {o.replaces})" if o.replaces else ""
    return f"{o.login} {local(o.start)}–{local(o.end)}{cover}"


def _schedule(prefix: str, a: Schedule, b: Schedule) -> list[str]:
    out = _fields(prefix, a, b, ("timezone",))
    out += _numbered(prefix, "layer", a.layers, b.layers, _layer)
    out += [f"{prefix}: override removed: {_override_text(o, a.timezone)}" for o in a.overrides if o not in b.overrides]
    out += [f"{prefix}: override added: {_override_text(o, b.timezone)}" for o in b.overrides if o not in a.overrides]
    return out


def _target_text(t: Target) -> str:
    if t.schedule is not None:
        return f"schedule {t.schedule}"
    if t.coordinators:
        return "all coordinators"
    return "operators " + ",".join(t.operators)


def _step(prefix: str, a: Step, b: Step) -> list[str]:
    out = [f"{prefix} notify {_target_text(a.notify)} → {_target_text(b.notify)}"] if a.notify != b.notify else []
    return out + _fields(prefix, a, b, ("via", "wait_seconds"), " ")


def _policy(prefix: str, a: Policy, b: Policy) -> list[str]:
    out = _fields(prefix, a, b, ("default", "repeat", "owner_reply_seconds", "widen_to"))
    return out + _numbered(prefix, "step", a.steps, b.steps, _step)


def diff_roster(old: Roster, new: Roster) -> list[str]:
    """Changes from `old` to `new`, one line each; empty when nothing changed."""
    out = _keyed(
        "operator",
        old.operators,
        new.operators,
        lambda o: o.login,
        lambda p, a, b: _fields(p, a, b, ("name", "role", "languages", "telegram_chat_id", "phone", "active")),
    )
    out += _keyed("schedule", old.schedules, new.schedules, lambda s: s.name, _schedule)
    out += _keyed("policy", old.policies, new.policies, lambda p: p.name, _policy)
    return out
