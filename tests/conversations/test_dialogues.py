"""The scripted dialogues of ``dialogues/*.yml``, written apart from the code, played through the real core
(``handle_inbound`` with the real NLU model, seeded texts, routing and a roster), checked on what the person reads.

Format (one file per set: ru, ru-latn, kk, uz, uz-cyrl): a list of dialogues, each
``{id, note, channel: core|telegram|webchat|sms, on_call: bool, phone, turns: [{say, expect}]}``;
``expect`` keys: language, script, urgent, asks_safety, asks_where, numbers_of, flags_named, not_asking,
must_not_say_operator_told, erased. ``known_failures.yml`` names the dialogues that still fail, each with
its reason; they run as non-strict xfail, so the count passing is what the run reports.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from app.conversations.service import handle_inbound
from app.platform.db import session_scope
from app.platform.models import Operator
from tests.conversations.runner import (
    NOBODY_TIME,
    ON_CALL_TIME,
    Dialogue,
    TurnResult,
    address_of,
    bot_messages,
    case_state,
    check,
    inbound,
    known_failures,
    load_dialogues,
)

DIALOGUES = load_dialogues()
KNOWN = known_failures()


async def play(world: Any, dialogue: Dialogue, *, keep_clock: bool = False) -> list[TurnResult]:
    """Every turn through the core, one transaction each, as the job loop runs them."""
    if not keep_clock:
        world.test_clock.now = ON_CALL_TIME if dialogue.on_call else NOBODY_TIME
    if not dialogue.on_call:
        async with session_scope(world.sessionmaker) as session:
            await session.execute(update(Operator).values(available=False))
    address = address_of(dialogue)
    variant = "sms" if dialogue.channel == "sms" else "chat"
    results: list[TurnResult] = []
    case_id = None
    for n, turn in enumerate(dialogue.turns):
        async with world.sessionmaker() as session:
            before = await bot_messages(session, world.vault, case_id)
        async with session_scope(world.sessionmaker) as session:
            outcome = await handle_inbound(session, inbound(dialogue, str(turn["say"]), n, address), world.core)
        case_id = outcome.case_id or case_id
        async with world.sessionmaker() as session:
            after = await bot_messages(session, world.vault, case_id)
            urgent, erased = await case_state(session, case_id)
        replies = [body for mid, body in after.items() if mid not in before]
        if not replies:  # erased: the messages are gone, what the person saw came back in the outcome
            replies = [r.text for r in outcome.replies]
        result = TurnResult(str(turn["say"]), replies, outcome.language, urgent, erased)
        result.problems = check(result, dict(turn.get("expect") or {}), world.scripts, variant)
        results.append(result)
        world.test_clock.now = world.test_clock.now.replace(second=(n + 1) % 60)
    return results


def _params() -> list[Any]:
    return [
        pytest.param(d, id=d.id, marks=pytest.mark.xfail(reason=KNOWN[d.id], strict=False)) if d.id in KNOWN
        else pytest.param(d, id=d.id)
        for d in DIALOGUES
    ]  # fmt: skip


@pytest.mark.parametrize("dialogue", _params())
async def test_dialogue_reads_right_to_the_person(world, dialogue: Dialogue) -> None:  # type: ignore[no-untyped-def]
    results = await play(world, dialogue)
    failed = [(i, r) for i, r in enumerate(results) if r.problems]
    assert not failed, "\n".join(
        f"turn {i + 1} {r.say!r}: {'; '.join(r.problems)}\n    bot: {r.text!r}" for i, r in failed
    )


def test_every_set_has_at_least_twenty_dialogues() -> None:
    counts: dict[str, int] = {}
    for dialogue in DIALOGUES:
        counts[dialogue.set] = counts.get(dialogue.set, 0) + 1
    assert set(counts) >= {"ru", "ru-latn", "kk", "uz", "uz-cyrl"} and min(counts.values()) >= 20, counts


def test_known_failures_name_real_dialogues_with_a_reason() -> None:
    ids = {d.id for d in DIALOGUES}
    assert set(KNOWN) <= ids and all(reason.strip() for reason in KNOWN.values())
