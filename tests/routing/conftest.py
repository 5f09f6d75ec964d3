"""Shared fixtures for routing tests: the example roster file."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing import Roster, parse_roster

EXAMPLE = Path(__file__).resolve().parents[2] / "routing" / "examples" / "roster.yml"


@pytest.fixture(scope="session")
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def roster(example_text: str) -> Roster:
    return parse_roster(example_text)
