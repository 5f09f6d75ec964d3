"""A few scripted dialogues through the real channel endpoints (Telegram webhook, web chat socket).

Each turn is what a person types or presses; the checks are on what reaches their screen and on the
case the app keeps, the same semantics as tests/conversations/dialogues (``channel: telegram|webchat``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.fakes.person import ChannelWorld, Person, Turn


@dataclass(frozen=True)
class Step:
    say: str = ""
    press: str = ""
    expect: dict[str, Any] = field(default_factory=dict)


DIALOGUES: dict[str, tuple[Step, ...]] = {
    "kk-unpaid-wages-then-erase": (
        Step(say="Сәлеметсіз бе, жұмыс берушім үш ай жалақы төлемей жатыр", expect={"language": "kk", "urgent": False}),
        Step(say="/erase", expect={"offers": "erase:yes"}),
        Step(press="erase:yes", expect={"erased": True, "cleared": True}),
    ),
    "ru-locked-in-is-urgent": (
        Step(say="помогите нас заперли на складе в Москве и не выпускают", expect={"language": "ru", "urgent": True}),
    ),
    "uz-safe-word-is-silent": (
        Step(say="Salom, ishga boraman, pasportimni agent olib qo'ydi", expect={"language": "uz", "urgent": False}),
        Step(say="/safeword olma", expect={"reads": "safe_word_set", "urgent": False}),
        Step(say="olma", expect={"reads": "innocent_recipe", "urgent": True}),
    ),
}


async def check(world: ChannelWorld, person: Person, turn: Turn, expect: dict[str, Any], where: str) -> None:
    case = await person.case()
    assert turn.replies or expect.get("erased"), f"{where}: the person read nothing"
    if "erased" in expect:
        assert (case is None) == expect["erased"], where
    if "cleared" in expect:
        assert turn.cleared == expect["cleared"], where
    if "language" in expect:
        assert case is not None and case.language == expect["language"], f"{where}: {case and case.language}"
        assert all(r.lang in (None, expect["language"]) for r in turn.replies), where
    if "urgent" in expect:
        assert case is not None and case.urgent == expect["urgent"], f"{where}: {turn.texts}"
    if "offers" in expect:
        assert expect["offers"] in [data for _, data in turn.buttons], f"{where}: {turn.buttons}"
    if "reads" in expect:
        assert case is not None
        variant = "sms" if person.channel == "sms" else "chat"
        wanted = world.services.scripts.get(expect["reads"], case.language, variant)
        assert turn.texts[:1] == [wanted], f"{where}: {turn.texts}"


@pytest.mark.parametrize("channel", ["telegram", "webchat"])
@pytest.mark.parametrize("name", sorted(DIALOGUES))
async def test_dialogue_through_the_channel(channels: ChannelWorld, channel: str, name: str) -> None:
    async with channels.person(channel) as person:
        for number, step in enumerate(DIALOGUES[name], start=1):
            turn = await (person.press(step.press) if step.press else person.say(step.say))
            await check(channels, person, turn, step.expect, f"{name} turn {number} on {channel}")
