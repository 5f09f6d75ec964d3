"""What a roster problem says, by code: the English text here, the app's pages say it in their language.

Each `RosterIssue` carries its `code` and the values it names (`params`), so a page can look the
code up in its own catalogue (``roster.issue.<code>``) instead of showing this English.
"""

from __future__ import annotations

ISSUE_TEXTS: dict[str, str] = {
    "yaml_syntax": "YAML syntax: {problem}",
    "yaml_syntax_at": "YAML syntax: {problem} ({context} at line {at})",
    "yaml_error": "YAML: {error}",
    "empty_file": "the file is empty",
    "key_not_text": "key {key} must be text",
    "duplicate_key": "duplicate key",
    "expected_mapping": "expected a mapping (key: value)",
    "unknown_key": "unknown key {key} (allowed: {allowed})",
    "missing_key": "missing required key {key}",
    "expected_list": "expected a list",
    "must_not_be_empty": "must not be empty",
    "expected_text": "expected non-empty text",
    "expected_whole_number": "expected a whole number",
    "out_of_range": "must be between {low} and {high}",
    "expected_boolean": "expected true or false",
    "unknown_role": "unknown role {value} (expected one of: {options})",
    "unknown_language": "unknown language {value} (expected one of: {options})",
    "unknown_channel": "unknown channel {value} (expected one of: {options})",
    "unknown_rotation": "unknown rotation {value} (expected one of: {options})",
    "unknown_weekday": "unknown weekday {value} (expected one of: {options})",
    "duplicate_language": "duplicate language",
    "duplicate_channel": "duplicate channel",
    "duplicate_weekday": "duplicate weekday",
    "bad_time": 'bad time {raw}: write "HH:MM" between 00:00 and 23:59',
    "bad_date": 'bad date {raw}: write "YYYY-MM-DD"',
    "bad_datetime": "bad date-time {raw}: write \"YYYY-MM-DDTHH:MM\" (schedule's local time)",
    "unknown_login": "unknown operator login {value}",
    "bad_login": "bad login {login}: 2-63 lowercase letters, digits, _ . - (e.g. {example})",
    "duplicate_login": "duplicate login {login}",
    "bad_phone": 'phone {phone} is not E.164 (quote it: "+77010000001")',
    "duplicate_schedule": "duplicate schedule {name}",
    "bad_timezone": "bad time zone {value}: use an IANA name like Asia/Almaty",
    "unknown_timezone": "unknown time zone {value}",
    "shift_needs_hours": "rotation shift needs shift_hours",
    "shift_hours_only_shift": "shift_hours only applies to rotation: shift",
    "from_equals_to": "from and to must differ",
    "end_before_start": "end must be after start",
    "duplicate_policy": "duplicate policy {name}",
    "several_defaults": "more than one default policy",
    "no_default": "mark one policy `default: true`",
    "one_target": "name exactly one of: schedule, operators, coordinators: all",
    "unknown_schedule": "unknown schedule {name}",
    "coordinators_all": "write `coordinators: all` or `all_coordinators: true`",
    "file_too_large": "the file is larger than {kib} KiB",
}


def issue_text(code: str, params: dict[str, str]) -> str:
    """The English text of one problem (what the CLI and the logs show)."""
    return ISSUE_TEXTS[code].format(**params)
