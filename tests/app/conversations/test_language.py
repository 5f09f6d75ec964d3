"""Language and script: answered as the person writes; a language the bot cannot answer in gets one line in four."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.conversations.language import ANSWERABLE, MULTILINGUAL
from app.platform.models import Case, DailyCount
from tests.app.conversations.test_service import person, say


def _buttons(outcome) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.data for reply in outcome.replies for row in reply.buttons for b in row]


def _multilingual(services, key: str) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(services.scripts.get(key, lang) for lang in MULTILINGUAL)


async def test_uzbek_cyrillic_in_gets_uzbek_cyrillic_out(services) -> None:
    outcome = await say(services, person("Менинг паспортимни олиб қўйишди"))
    assert outcome.language == "uz"
    reply = outcome.replies[0].text
    assert reply == services.scripts.get("documents_taken", "uz-Cyrl")
    assert re.search("[ўқғҳ]", reply) and not re.search("[a-zA-Z]", reply)
    labels = [b.label for r in outcome.replies for row in r.buttons for b in row]
    assert labels and not any(re.search("[a-zA-Z]", label) for label in labels)


async def test_uzbek_back_in_latin_is_answered_in_latin(services) -> None:
    await say(services, person("Менинг паспортимни олиб қўйишди"))
    outcome = await say(services, person("Ish beruvchi maoshimni to'lamayapti, uch oy bo'ldi"))
    assert outcome.language == "uz"
    assert outcome.replies and not any(re.search("[а-яёўқғҳ]", r.text.lower()) for r in outcome.replies)


async def test_kazakh_typed_in_latin_letters_gets_kazakh(services) -> None:
    outcome = await say(services, person("Jumys berushi pasportymdy alyp qoidy"))
    assert outcome.language == "kk"
    assert outcome.replies[0].text == services.scripts.get("documents_taken", "kk")


@pytest.mark.parametrize(
    "text",
    ["they locked me in a room", "I need help, my employer took my passport", "Men Moskwada işleýärin, hojaýyn pasportymy aldy"],
)
async def test_a_language_the_bot_cannot_answer_in_gets_the_multilingual_line_and_the_menu(services, text: str) -> None:
    outcome = await say(services, person(text))
    texts = [r.text for r in outcome.replies]
    assert _multilingual(services, "language_unclear") in texts
    assert not any(t == services.scripts.get(outcome.intent or "", "uz") for t in texts)  # not an Uzbek reply
    assert {b.removeprefix("lang:") for b in _buttons(outcome)} == set(ANSWERABLE)
    assert outcome.language is None


@pytest.mark.parametrize("text", ["they locked me in a room, help", "please help me, they locked me in the basement and took my phone"])
async def test_an_urgent_message_in_english_still_reaches_an_operator(services, text: str) -> None:
    outcome = await say(services, person(text))
    assert outcome.urgent
    assert any(e.name == "case.waiting" and e.data["urgent"] for e in outcome.events)
    assert outcome.replies[0].text == _multilingual(services, "urgent_unclear")
    async with services.sessionmaker() as session:
        case = await session.scalar(select(Case))
        assert case.status == "waiting" and case.language is None and case.urgent_reason == "confinement"


async def test_an_unknown_language_is_counted_as_undetermined(services) -> None:
    await say(services, person("they locked me in a room"))
    async with services.sessionmaker() as session:
        assert (await session.scalars(select(DailyCount.language))).all() == ["und"]


async def test_privet_in_latin_letters_is_russian(services) -> None:
    assert (await say(services, person("privet"))).language == "ru"


async def test_salam_does_not_pick_a_language_but_asks(services) -> None:
    outcome = await say(services, person("salam"))
    assert outcome.language is None
    assert "lang:kk" in _buttons(outcome)


async def test_a_greeting_or_one_word_does_not_switch_an_ongoing_conversation(services) -> None:
    await say(services, person("Жұмыс берушім паспортымды алып қойды"))
    for text in ("salam", "privet", "рахмат", "ok"):
        assert (await say(services, person(text))).language == "kk", text


async def test_the_language_menu_offers_only_languages_the_bot_answers_in(services) -> None:
    outcome = await say(services, person(command="language"))
    offered = {b.removeprefix("lang:") for b in _buttons(outcome)}
    assert offered == set(ANSWERABLE) and "en" not in offered
    assert (await say(services, person(command="lang:en"))).language is None  # not offered, not taken


def test_the_web_chat_picker_offers_only_languages_the_bot_answers_in() -> None:
    from app.channels.webchat import PAGE

    assert re.findall(r'<option value="([\w-]+)"', PAGE) == list(ANSWERABLE)


async def test_an_english_message_in_the_web_chat_gets_the_multilingual_line_with_the_picker(services) -> None:
    outcome = await say(services, person("hello, my employer took my passport", channel="webchat", chat="w" * 24,
                                         msg="wc:1"))  # fmt: skip
    assert outcome.language is None
    assert outcome.replies[-1].text == _multilingual(services, "language_unclear")
    assert [b.removeprefix("lang:") for b in _buttons(outcome)] == list(ANSWERABLE)
