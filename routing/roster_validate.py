"""Roster validation: YAML nodes → Roster, collecting every problem with its line.

The file is composed into YAML nodes (not loaded straight to dicts) so each
value keeps its line. Times and dates are read from the raw scalar text,
because YAML 1.1 turns an unquoted 19:30 into the number 1170 and
2026-01-01 into a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from routing.model import (
    CHANNELS,
    LANGUAGES,
    ROLES,
    ROTATIONS,
    WEEKDAYS,
    WIDEN_TO,
    Layer,
    Operator,
    Override,
    Policy,
    Restriction,
    Roster,
    Schedule,
    Step,
    Target,
)
from routing.roster_issues import issue_text

Path = tuple[str | int, ...]
_MISSING = object()
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
# The same rule the importer stores logins by (app.operators.service.LOGIN_RE): a file this accepts imports.
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,62}$")
_HHMM = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MAX_REPEAT = 10


@dataclass(frozen=True)
class RosterIssue:
    """One problem in a roster file; `line` is 1-based, None when unknown.

    `code` (a key of `ISSUE_TEXTS`) and `params` let a page say `message` in its own language.
    """

    line: int | None
    path: str
    message: str
    code: str = ""
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, line: int | None, path: str, code: str, **params: object) -> RosterIssue:
        """An issue from its code; the English message is built from `ISSUE_TEXTS`."""
        values = {k: str(v) for k, v in params.items()}
        return cls(line, path, issue_text(code, values), code, tuple(sorted(values.items())))

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "file"
        return f"{where}: {self.path or '(top)'}: {self.message}"


class RosterError(ValueError):
    """The roster file was rejected; `errors` lists every problem found."""

    def __init__(self, errors: list[RosterIssue]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _render(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class Reader:
    """Turns YAML nodes into plain data while remembering lines and raw text."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.lines: dict[Path, int] = {}
        self.raw: dict[Path, str] = {}
        self.issues: list[RosterIssue] = []

    def read(self, node: yaml.Node, path: Path) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node, deep=True)
                if not isinstance(key, str):
                    self.error(path, "key_not_text", key_node.start_mark.line + 1, key=repr(key))
                    continue
                if key in result:
                    self.error(path + (key,), "duplicate_key", key_node.start_mark.line + 1)
                result[key] = self.read(value_node, path + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.read(item, path + (i,)) for i, item in enumerate(node.value)]
        self.raw[path] = str(node.value)
        return self.loader.construct_object(node, deep=True)

    def line(self, path: Path) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def error(self, path: Path, code: str, line: int | None = None, **params: object) -> None:
        self.issues.append(RosterIssue.of(line or self.line(path), _render(path), code, **params))


class Validator:
    """Builds a Roster from plain data, reporting problems through the reader."""

    def __init__(self, reader: Reader, languages: tuple[str, ...] = LANGUAGES) -> None:
        self.r = reader
        self.languages = languages
        self.declared_logins: set[str] = set()
        self.declared_schedules: set[str] = set()

    # ------------------------------------------------------------ primitives
    def mapping(self, value: Any, path: Path, required: set[str], optional: set[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.r.error(path, "expected_mapping")
            return None
        for key in value:
            if key not in required | optional:
                allowed = ", ".join(sorted(required | optional))
                self.r.error(path + (key,), "unknown_key", key=repr(key), allowed=allowed)
        for key in sorted(required - value.keys()):
            self.r.error(path, "missing_key", key=repr(key))
        return value

    def seq(self, value: Any, path: Path, allow_empty: bool = True) -> list[Any]:
        if value is None and allow_empty:
            return []
        if not isinstance(value, list):
            self.r.error(path, "expected_list")
            return []
        if not value and not allow_empty:
            self.r.error(path, "must_not_be_empty")
        return value

    def text(self, value: Any, path: Path) -> str | None:
        if isinstance(value, str) and value.strip():
            return value
        if value is not _MISSING:
            self.r.error(path, "expected_text")
        return None

    def integer(self, value: Any, path: Path, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.r.error(path, "expected_whole_number")
            return None
        if not low <= value <= high:
            self.r.error(path, "out_of_range", low=low, high=high)
            return None
        return value

    def boolean(self, value: Any, path: Path) -> bool | None:
        if not isinstance(value, bool):
            self.r.error(path, "expected_boolean")
            return None
        return value

    def choice(self, value: Any, path: Path, options: tuple[str, ...], what: str) -> str | None:
        if value not in options:
            self.r.error(path, f"unknown_{what}", value=repr(value), options=", ".join(options))
            return None
        return str(value)

    def choices(self, value: Any, path: Path, options: tuple[str, ...], what: str) -> tuple[str, ...]:
        items = self.seq(value, path, allow_empty=False)
        out = [self.choice(v, path + (i,), options, what) for i, v in enumerate(items)]
        texts = [v for v in items if isinstance(v, str)]
        if len(set(texts)) != len(texts):
            self.r.error(path, f"duplicate_{what}")
        return tuple(v for v in out if v is not None)

    def clock(self, path: Path) -> time | None:
        raw = self.r.raw.get(path)
        m = _HHMM.match(raw or "")
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            self.r.error(path, "bad_time", raw=repr(raw))
            return None
        return time(int(m.group(1)), int(m.group(2)))

    def day(self, path: Path) -> date | None:
        raw = self.r.raw.get(path, "")
        try:
            if _DATE.match(raw):
                return date.fromisoformat(raw)
        except ValueError:
            pass
        self.r.error(path, "bad_date", raw=repr(raw))
        return None

    def moment(self, path: Path, tz: ZoneInfo | None) -> datetime | None:
        raw = self.r.raw.get(path, "")
        # People write "Friday 18:00-24:00"; accept T24:00 as the next midnight.
        midnight = re.match(r"^(\d{4}-\d{2}-\d{2})[T ]24:00$", raw)
        try:
            if midnight:
                value: datetime | None = datetime.fromisoformat(midnight.group(1)) + timedelta(days=1)
            else:
                value = datetime.fromisoformat(raw) if "T" in raw or " " in raw else None
        except ValueError:
            value = None
        if value is None:
            self.r.error(path, "bad_datetime", raw=repr(raw))
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=tz) if tz is not None else None
        return value

    def login_ref(self, value: Any, path: Path, logins: set[str]) -> str | None:
        if value not in logins:
            self.r.error(path, "unknown_login", value=repr(value))
            return None
        return str(value)

    # ------------------------------------------------------------ sections
    def roster(self, data: Any) -> Roster:
        top = self.mapping(data, (), set(), {"operators", "schedules", "escalation_policies"}) or {}
        # References are checked against every *declared* name, so one bad
        # operator does not also flag each schedule that mentions them.
        operators = self.operators(self.seq(top.get("operators"), ("operators",)))
        logins = self.declared_logins
        schedules = self.schedules(self.seq(top.get("schedules"), ("schedules",)), logins)
        names = self.declared_schedules
        policies = self.policies(self.seq(top.get("escalation_policies"), ("escalation_policies",)), logins, names)
        return Roster(tuple(operators), tuple(schedules), tuple(policies))

    def operators(self, items: list[Any]) -> list[Operator]:
        out: list[Operator] = []
        seen: set[str] = set()
        optional = {"telegram_chat_id", "phone", "active"}
        for i, item in enumerate(items):
            p: Path = ("operators", i)
            m = self.mapping(item, p, {"login", "name", "role", "languages"}, optional)
            if m is None:
                continue
            login = self.text(m.get("login", _MISSING), p + ("login",))
            if login is not None and not _LOGIN.match(login):
                self.r.error(p + ("login",), "bad_login", login=repr(login), example=repr(login.lower()))
                login = None
            if login is not None and login in seen:
                self.r.error(p + ("login",), "duplicate_login", login=repr(login))
            name = self.text(m.get("name", _MISSING), p + ("name",))
            role = self.choice(m.get("role"), p + ("role",), ROLES, "role") if "role" in m else None
            langs = self.choices(m.get("languages"), p + ("languages",), self.languages, "language") if "languages" in m else ()
            chat = m.get("telegram_chat_id")
            if chat is not None and (isinstance(chat, bool) or not isinstance(chat, int)):
                self.r.error(p + ("telegram_chat_id",), "expected_whole_number")
                chat = None
            phone = m.get("phone")
            if phone is not None and not (isinstance(phone, str) and _E164.match(phone)):
                self.r.error(p + ("phone",), "bad_phone", phone=repr(phone))
                phone = None
            active = self.boolean(m["active"], p + ("active",)) if "active" in m else True
            if login and name and role and langs and login not in seen:
                out.append(Operator(login, name, role, langs, chat, phone, bool(active)))  # type: ignore[arg-type]
            if login:
                seen.add(login)
        self.declared_logins = seen
        return out

    def schedules(self, items: list[Any], logins: set[str]) -> list[Schedule]:
        out: list[Schedule] = []
        seen: set[str] = set()
        for i, item in enumerate(items):
            p: Path = ("schedules", i)
            m = self.mapping(item, p, {"name", "timezone", "layers"}, {"overrides"})
            if m is None:
                continue
            name = self.text(m.get("name", _MISSING), p + ("name",))
            if name in seen:
                self.r.error(p + ("name",), "duplicate_schedule", name=repr(name))
            tz = self.timezone(m.get("timezone", _MISSING), p + ("timezone",))
            layer_items = self.seq(m.get("layers"), p + ("layers",), allow_empty=False) if "layers" in m else []
            layers = [self.layer(v, p + ("layers", j), logins) for j, v in enumerate(layer_items)]
            ov_items = self.seq(m.get("overrides"), p + ("overrides",))
            overrides = [self.override(v, p + ("overrides", j), logins, tz) for j, v in enumerate(ov_items)]
            if name and tz and layer_items and name not in seen and None not in layers and None not in overrides:
                out.append(Schedule(name, tz.key, tuple(layers), tuple(overrides)))  # type: ignore[arg-type]
            if name:
                seen.add(name)
        self.declared_schedules = seen
        return out

    def timezone(self, value: Any, path: Path) -> ZoneInfo | None:
        if not isinstance(value, str) or not value:
            self.r.error(path, "bad_timezone", value=repr(value))
            return None
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            self.r.error(path, "unknown_timezone", value=repr(value))
            return None

    def layer(self, item: Any, p: Path, logins: set[str]) -> Layer | None:
        m = self.mapping(item, p, {"rotation", "handoff", "start", "members"}, {"shift_hours", "restrict"})
        if m is None:
            return None
        rotation = self.choice(m.get("rotation"), p + ("rotation",), ROTATIONS, "rotation") if "rotation" in m else None
        handoff = self.clock(p + ("handoff",)) if "handoff" in m else None
        start = self.day(p + ("start",)) if "start" in m else None
        member_items = self.seq(m.get("members"), p + ("members",), allow_empty=False) if "members" in m else []
        members = [self.login_ref(v, p + ("members", j), logins) for j, v in enumerate(member_items)]
        shift_hours: int | None = None
        if rotation == "shift":
            if "shift_hours" not in m:
                self.r.error(p, "shift_needs_hours")
            else:
                shift_hours = self.integer(m["shift_hours"], p + ("shift_hours",), 1, 168)
        elif "shift_hours" in m:
            self.r.error(p + ("shift_hours",), "shift_hours_only_shift")
        restrict = self.restriction(m["restrict"], p + ("restrict",)) if "restrict" in m else None
        if rotation is None or handoff is None or start is None or not member_items or None in members:
            return None
        if (rotation == "shift" and shift_hours is None) or ("restrict" in m and restrict is None):
            return None
        names = tuple(x for x in members if x is not None)
        return Layer(rotation, handoff, start, names, shift_hours, restrict)  # type: ignore[arg-type]

    def restriction(self, item: Any, p: Path) -> Restriction | None:
        m = self.mapping(item, p, {"from", "to"}, {"days"})
        if m is None:
            return None
        days = self.choices(m["days"], p + ("days",), WEEKDAYS, "weekday") if "days" in m else WEEKDAYS
        start = self.clock(p + ("from",)) if "from" in m else None
        end = self.clock(p + ("to",)) if "to" in m else None
        if start is None or end is None or not days:
            return None
        if start == end:
            self.r.error(p, "from_equals_to")
            return None
        return Restriction(tuple(WEEKDAYS.index(d) for d in days), start, end)

    def override(self, item: Any, p: Path, logins: set[str], tz: ZoneInfo | None) -> Override | None:
        m = self.mapping(item, p, {"login", "start", "end"}, {"replaces"})
        if m is None:
            return None
        login = self.login_ref(m.get("login"), p + ("login",), logins) if "login" in m else None
        start = self.moment(p + ("start",), tz) if "start" in m else None
        end = self.moment(p + ("end",), tz) if "end" in m else None
        replaces = m.get("replaces")
        if replaces is not None:
            replaces = self.login_ref(replaces, p + ("replaces",), logins)
            if replaces is None:
                return None
        if start and end and end <= start:
            self.r.error(p + ("end",), "end_before_start")
            return None
        if not (login and start and end):
            return None
        return Override(login, start, end, replaces)

    def policies(self, items: list[Any], logins: set[str], schedules: set[str]) -> list[Policy]:
        out: list[Policy] = []
        seen: set[str] = set()
        defaults: list[int] = []
        for i, item in enumerate(items):
            p: Path = ("escalation_policies", i)
            m = self.mapping(item, p, {"name", "steps"}, {"default", "repeat", "owner_reply_seconds", "widen_to"})
            if m is None:
                continue
            name = self.text(m.get("name", _MISSING), p + ("name",))
            if name in seen:
                self.r.error(p + ("name",), "duplicate_policy", name=repr(name))
            default = self.boolean(m["default"], p + ("default",)) if "default" in m else False
            if default:
                defaults.append(i)
                if len(defaults) > 1:
                    self.r.error(p + ("default",), "several_defaults")
            repeat = self.integer(m["repeat"], p + ("repeat",), 0, MAX_REPEAT) if "repeat" in m else 0
            reply = m.get("owner_reply_seconds", 300)
            reply = self.integer(reply, p + ("owner_reply_seconds",), 1, 86400)
            widen = WIDEN_TO
            if "widen_to" in m:
                widen = self.choices(m["widen_to"], p + ("widen_to",), self.languages, "language")
            step_items = self.seq(m.get("steps"), p + ("steps",), allow_empty=False) if "steps" in m else []
            steps = [self.step(v, p + ("steps", j), logins, schedules) for j, v in enumerate(step_items)]
            if name and name not in seen and step_items and None not in steps and default is not None:
                if repeat is not None and reply is not None:
                    out.append(Policy(name, default, tuple(steps), repeat, reply, tuple(widen)))  # type: ignore[arg-type]
            if name:
                seen.add(name)
        if len(items) > 1 and not defaults:
            self.r.error(("escalation_policies",), "no_default")
        return out

    def step(self, item: Any, p: Path, logins: set[str], schedules: set[str]) -> Step | None:
        m = self.mapping(item, p, {"notify", "via", "wait_seconds"}, set())
        if m is None:
            return None
        target = self.target(m["notify"], p + ("notify",), logins, schedules) if "notify" in m else None
        via = self.choices(m["via"], p + ("via",), CHANNELS, "channel") if "via" in m else ()
        wait = self.integer(m["wait_seconds"], p + ("wait_seconds",), 1, 86400) if "wait_seconds" in m else None
        if target is None or not via or wait is None:
            return None
        return Step(target, via, wait)  # type: ignore[arg-type]

    def target(self, item: Any, p: Path, logins: set[str], schedules: set[str]) -> Target | None:
        keys = {"schedule", "operators", "coordinators", "all_coordinators"}
        m = self.mapping(item, p, set(), keys)
        if m is None:
            return None
        if len(keys & m.keys()) != 1:
            self.r.error(p, "one_target")
            return None
        if "schedule" in m:
            if m["schedule"] not in schedules:
                self.r.error(p + ("schedule",), "unknown_schedule", name=repr(m["schedule"]))
                return None
            return Target(schedule=str(m["schedule"]))
        if "operators" in m:
            items = self.seq(m["operators"], p + ("operators",), allow_empty=False)
            found = [self.login_ref(v, p + ("operators", j), logins) for j, v in enumerate(items)]
            return Target(operators=tuple(found)) if items and None not in found else None  # type: ignore[arg-type]
        key = "coordinators" if "coordinators" in m else "all_coordinators"
        if m[key] not in (("all", True) if key == "coordinators" else (True,)):
            self.r.error(p + (key,), "coordinators_all")
            return None
        return Target(coordinators=True)
