"""Parsing a request body as JSON with a size and nesting limit, before ``json`` recurses into it.

A provider's update is a few levels deep; 5,000 nested brackets are an attack
that would otherwise end in a RecursionError (a 500 and a retry storm).
"""

from __future__ import annotations

import json
import re
from typing import Any

from bots.errors import InvalidRequest

MAX_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def nesting_depth(body: bytes) -> int:
    """How deep the arrays and objects go, counting brackets outside strings only."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', body)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def load_json(body: bytes | str, *, max_bytes: int, max_depth: int = MAX_DEPTH, what: str = "body") -> Any:
    """The decoded value, or InvalidRequest: 413 when too large, 400 when not JSON or nested too deep."""
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if len(raw) > max_bytes:
        raise InvalidRequest(413, f"{what} too large")
    if nesting_depth(raw) > max_depth:
        raise InvalidRequest(400, f"{what} is nested too deeply")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidRequest(400, f"{what} is not JSON") from exc
