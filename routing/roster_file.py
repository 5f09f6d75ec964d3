"""Roster YAML import/export with line-numbered errors.

Validation collects *every* problem and rejects the whole file if there is
any, so a half-valid roster never goes live (see `roster_validate`).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from routing.model import LANGUAGES, WEEKDAYS, Roster
from routing.roster_diff import diff_roster
from routing.roster_issues import ISSUE_TEXTS
from routing.roster_validate import Reader, RosterError, RosterIssue, Validator

__all__ = ["ISSUE_TEXTS", "RosterError", "RosterIssue", "diff_roster", "dump_roster", "parse_roster"]


def parse_roster(text: str, languages: tuple[str, ...] | None = None) -> Roster:
    """Parse and validate a roster file; raise RosterError listing every problem.

    ``languages``: the codes operators and policies may name (the app passes its language registry).
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = str(exc.problem or exc)
        if exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
            issue = RosterIssue.of(line, "", "yaml_syntax_at", problem=problem, context=exc.context,
                                   at=exc.context_mark.line + 1)  # fmt: skip
        else:
            issue = RosterIssue.of(line, "", "yaml_syntax", problem=problem)
        raise RosterError([issue]) from None
    except yaml.YAMLError as exc:
        raise RosterError([RosterIssue.of(None, "", "yaml_error", error=exc)]) from None
    finally:
        loader.dispose()
    if node is None:
        raise RosterError([RosterIssue.of(None, "", "empty_file")])
    reader = Reader(loader)
    try:
        data = reader.read(node, ())
    except yaml.YAMLError as exc:
        raise RosterError([RosterIssue.of(None, "", "yaml_error", error=exc)]) from None
    roster = Validator(reader, languages or LANGUAGES).roster(data)
    if reader.issues:
        issues = sorted(set(reader.issues), key=lambda x: (x.line or 0, x.path, x.message))
        raise RosterError(issues)
    return roster


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _local(moment: datetime, tz: str) -> str:
    local = moment.astimezone(ZoneInfo(tz))
    return local.strftime("%Y-%m-%dT%H:%M:%S" if local.second else "%Y-%m-%dT%H:%M")


def _roster_data(roster: Roster) -> dict[str, Any]:
    operators = []
    for o in roster.operators:
        row: dict[str, Any] = {"login": o.login, "name": o.name, "role": o.role, "languages": list(o.languages)}
        if o.telegram_chat_id is not None:
            row["telegram_chat_id"] = o.telegram_chat_id
        if o.phone is not None:
            row["phone"] = o.phone
        if not o.active:
            row["active"] = False
        operators.append(row)
    schedules = []
    for s in roster.schedules:
        layers = []
        for layer in s.layers:
            row = {"rotation": layer.rotation, "handoff": _hhmm(layer.handoff), "start": layer.start.isoformat(),
                   "members": list(layer.members)}
            if layer.shift_hours is not None:
                row["shift_hours"] = layer.shift_hours
            if layer.restrict is not None:
                r = layer.restrict
                row["restrict"] = {"days": [WEEKDAYS[d] for d in r.days], "from": _hhmm(r.start), "to": _hhmm(r.end)}
            layers.append(row)
        sched: dict[str, Any] = {"name": s.name, "timezone": s.timezone, "layers": layers}
        if s.overrides:
            sched["overrides"] = [
                {"login": o.login, "start": _local(o.start, s.timezone), "end": _local(o.end, s.timezone)}
                | ({"replaces": o.replaces} if o.replaces else {})
                for o in s.overrides
            ]
        schedules.append(sched)
    return {
        "operators": operators,
        "schedules": schedules,
        "escalation_policies": [p.to_dict() for p in roster.policies],
    }


def dump_roster(roster: Roster) -> str:
    """Export a roster in the import format (parse_roster(dump_roster(r)) == r)."""
    return yaml.safe_dump(_roster_data(roster), sort_keys=False, allow_unicode=True, default_flow_style=None)
