"""Ordering of the waiting queue an operator sees for non-urgent requests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_AGING = timedelta(minutes=15)


@dataclass(frozen=True)
class QueueItem:
    """A case waiting for an operator; `waiting_since` is tz-aware UTC."""

    case: str
    language: str | None
    urgent: bool
    waiting_since: datetime


def queue_order(
    items: Iterable[QueueItem],
    operator_languages: Sequence[str],
    now: datetime,
    aging: timedelta = DEFAULT_AGING,
) -> list[QueueItem]:
    """Urgent first, then cases in the operator's languages, then longest waiting.

    A case waiting longer than `aging` counts as a language match, so a
    request in a language nobody on shift speaks still rises to the top
    instead of starving behind a steady stream of matching ones.
    """
    langs = set(operator_languages)

    def key(item: QueueItem) -> tuple[int, int, datetime, str]:
        waited = now - item.waiting_since
        matches = item.language is None or item.language in langs or waited >= aging
        return (0 if item.urgent else 1, 0 if matches else 1, item.waiting_since, item.case)

    return sorted(items, key=key)
