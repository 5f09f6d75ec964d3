"""YAML files read through libyaml, and each file parsed once until it changes.

Every start (and every test's app) seeds the bot's texts from six YAML files of ~600 keys each;
pure-Python parsing was most of the ~1 s that took per start. libyaml parses the same ~10x faster, and an unchanged
file (same size and modification time) is not parsed again in the same process.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str) -> Any:
    """``yaml.safe_load`` of a string, with libyaml when installed."""
    return yaml.load(text, Loader=LOADER)  # noqa: S506 - LOADER is a safe loader


@lru_cache(maxsize=64)
def _parsed(path: str, mtime_ns: int, size: int) -> Any:
    return parse(Path(path).read_text(encoding="utf-8"))


def read(path: Path) -> Any:
    """The parsed file, a copy the caller may change; parsed again only after the file changes."""
    st = path.stat()
    return copy.deepcopy(_parsed(str(path), st.st_mtime_ns, st.st_size))
