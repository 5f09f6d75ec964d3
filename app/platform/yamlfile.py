"""YAML parsed through libyaml when it is installed (PyYAML's C loader), the pure-Python one otherwise.

Every start (and every test's app) seeds the bot's texts from six YAML files of ~600 keys each; pure-Python
parsing was most of the ~1 s that took per start, libyaml parses the same ~10x faster.
"""

from __future__ import annotations

from typing import Any

import yaml

LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str) -> Any:
    """``yaml.safe_load`` of a string, with libyaml when installed."""
    return yaml.load(text, Loader=LOADER)  # noqa: S506 - LOADER is a safe loader
