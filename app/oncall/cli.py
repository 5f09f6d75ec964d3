"""``helpline oncall now|show`` and ``helpline roster import|export``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from app.oncall.roster_store import export_roster, import_roster, load_roster
from app.platform import languages as registry
from app.platform.commands import OneLineParser, Subparsers, settings_or_exit, with_session
from app.platform.identity import Vault
from app.platform.models import utcnow
from routing import RosterError, on_call_by_language, timeline

T = TypeVar("T")


def _with_session(work: Callable[[AsyncSession, Vault], Awaitable[T]]) -> T:
    return with_session(settings_or_exit(), work)


def cmd_oncall_now(args: argparse.Namespace) -> int:
    now = args.at or utcnow()
    roster = _with_session(lambda s, v: load_roster(s))
    by_language = on_call_by_language(roster, now)
    print(f"On call at {now:%Y-%m-%d %H:%M} UTC")
    for language in registry.codes():
        people = ", ".join(by_language.get(language, [])) or "nobody"
        print(f"  {language}: {people}")
    return 0


def cmd_oncall_show(args: argparse.Namespace) -> int:
    roster = _with_session(lambda s, v: load_roster(s))
    start = utcnow()
    end = start + timedelta(days=args.days)
    if not roster.schedules:
        print("no schedules: import a roster with 'helpline roster import FILE'")
    for schedule in roster.schedules:
        tz = ZoneInfo(schedule.timezone)
        print(f"{schedule.name} ({schedule.timezone})")
        for shift in timeline(schedule, start, end):
            print(f"  {shift.start.astimezone(tz):%a %d %b %H:%M} – {shift.end.astimezone(tz):%a %d %b %H:%M}  {shift.login}")
    return 0


def cmd_roster_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.exists():
        print(f"helpline: no such file: {path}", file=sys.stderr)
        return 2
    try:
        report = _with_session(lambda s, v: import_roster(s, v, path.read_text(encoding="utf-8"), actor="cli"))
    except RosterError as exc:
        print(f"{path}: rejected, nothing changed:", file=sys.stderr)
        for issue in exc.errors:
            print(f"  line {issue.line if issue.line is not None else '?'}: {issue.path}: {issue.message}", file=sys.stderr)
        return 1
    print(f"imported {report.operators} operators, {report.schedules} schedules, {report.policies} policies")
    for change in report.changes or ["no changes"]:
        print(f"  {change}")
    return 0


def cmd_roster_export(_: argparse.Namespace) -> int:
    print(_with_session(lambda s, v: export_roster(s, v)), end="")
    return 0


def _days(value: str) -> int:
    """``--days``: a whole number of days from 1 to 90 (argparse turns the error into one line and exit 2)."""
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days") from None
    if not 1 <= days <= 90:
        raise argparse.ArgumentTypeError(f"{days} is out of range: 1-90 days")
    return days


def _moment(value: str) -> datetime:
    """``--at``: a UTC moment ("2026-01-05 10:00"), so a coming shift can be checked before it starts."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date and time: write YYYY-MM-DD HH:MM") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def register(sub: Subparsers) -> None:
    oncall = sub.add_parser("oncall", help="who is on call").add_subparsers(dest="action", required=True,
                                                                            parser_class=OneLineParser)  # fmt: skip
    p = oncall.add_parser("now", help="who is on call now, per language")
    p.add_argument("--at", type=_moment, default=None, help='another moment instead of now: "YYYY-MM-DD HH:MM" UTC')
    p.set_defaults(func=cmd_oncall_now)
    p = oncall.add_parser("show", help="the coming shifts")
    p.add_argument("--days", type=_days, default=7, help="1-90 (default 7)")
    p.set_defaults(func=cmd_oncall_show)
    roster = sub.add_parser("roster", help="operators, schedules and policies").add_subparsers(
        dest="action", required=True, parser_class=OneLineParser)  # fmt: skip
    p = roster.add_parser("import", help="create or update the roster from a YAML file (all or nothing)")
    p.add_argument("file")
    p.set_defaults(func=cmd_roster_import)
    roster.add_parser("export", help="print the roster as YAML").set_defaults(func=cmd_roster_export)

