"""Uzbek Latin → Cyrillic: the bot's Cyrillic Uzbek texts are generated from the reviewed Latin ones."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.platform.db import session_scope
from app.platform.models import ScriptText
from app.scripts import edits
from app.scripts.service import ScriptCatalog, load_seed
from app.scripts.translit import UZ_CYRILLIC, uz_latin_to_cyrillic


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("O'zbekiston", "Ўзбекистон"),
        ("Oʻzbekiston", "Ўзбекистон"),  # okina
        ("O‘zbekiston", "Ўзбекистон"),  # left quote
        ("O’zbekiston", "Ўзбекистон"),  # right quote
        ("O`zbekiston", "Ўзбекистон"),  # backtick
        ("g'alaba", "ғалаба"),
        ("shahar choy", "шаҳар чой"),
        ("yangi tong", "янги тонг"),
        ("yo'q", "йўқ"),
        ("yordam yuboring", "ёрдам юборинг"),
        ("ertaga yer", "эртага ер"),
        ("poyezd", "поезд"),
        ("tsement militsiya", "цемент милиция"),
        ("ketsa aytsin", "кетса айтсин"),
        ("ma'no", "маъно"),
        ("As'hob", "Асҳоб"),
        ("Qo'ng'iroq qiling", "Қўнғироқ қилинг"),
        ("Xavf bor", "Хавф бор"),
    ],
)
def test_latin_letters_and_digraphs_become_cyrillic(latin: str, cyrillic: str) -> None:
    assert uz_latin_to_cyrillic(latin) == cyrillic


def test_placeholders_commands_numbers_and_keywords_stay_as_they_are() -> None:
    text = "Qo'ng'iroq qiling: {numbers}, 112 yoki +998 71 200-00-00. /erase — o'chirish. STOP"
    assert uz_latin_to_cyrillic(text) == "Қўнғироқ қилинг: {numbers}, 112 ёки +998 71 200-00-00. /erase — ўчириш. STOP"


def test_every_uzbek_text_has_a_cyrillic_variant_a_coordinator_can_review() -> None:
    entries = load_seed()
    latin = {(e.key, e.variant): e for e in entries if e.language == "uz"}
    cyrillic = {(e.key, e.variant): e for e in entries if e.language == UZ_CYRILLIC}
    assert set(cyrillic) == set(latin)
    for slot, entry in cyrillic.items():
        assert entry.text == uz_latin_to_cyrillic(latin[slot].text) and entry.author == "translit"
        assert entry.needs_review == latin[slot].needs_review


def test_an_edited_cyrillic_text_wins_over_the_generated_one() -> None:
    catalog = ScriptCatalog(texts={("greet", "uz", "chat"): "Salom", ("greet", UZ_CYRILLIC, "chat"): "Ассалому алайкум",
                                   ("goodbye", "uz", "chat"): "Xayr"})  # fmt: skip
    assert catalog.get("greet", UZ_CYRILLIC) == "Ассалому алайкум"
    assert catalog.get("goodbye", UZ_CYRILLIC) == "Хайр"  # none of its own yet: generated


async def _published(session, key: str, language: str) -> ScriptText:  # type: ignore[no-untyped-def]
    return await session.scalar(select(ScriptText).where(
        ScriptText.key == key, ScriptText.language == language, ScriptText.variant == "chat",
        ScriptText.status == "published"))  # fmt: skip


async def test_publishing_a_latin_text_renews_the_generated_cyrillic_until_a_coordinator_edits_it(services) -> None:
    async with session_scope(services.sessionmaker) as session:
        await edits.save_draft(session, "greet", "uz", "chat", "Salom! Bu yerda yashirin yozish mumkin.", "coord")
        await edits.publish(session, "greet", "uz", "chat", "coord")
    async with services.sessionmaker() as session:
        assert (await _published(session, "greet", UZ_CYRILLIC)).text == "Салом! Бу ерда яширин ёзиш мумкин."
    async with session_scope(services.sessionmaker) as session:
        await edits.save_draft(session, "greet", UZ_CYRILLIC, "chat", "Ассалому алайкум!", "coord")
        await edits.publish(session, "greet", UZ_CYRILLIC, "chat", "coord")
        await edits.save_draft(session, "greet", "uz", "chat", "Salom!", "coord")
        await edits.publish(session, "greet", "uz", "chat", "coord")
    async with services.sessionmaker() as session:
        assert (await _published(session, "greet", UZ_CYRILLIC)).text == "Ассалому алайкум!"
