"""Nothing unfinished reaches a person: a text waiting for review, or holding a coordinator's [...] note, is
never sent; the newest finished version is, and for numbers the country's short universal line."""

from __future__ import annotations

from sqlalchemy import select

from app.platform.db import session_scope
from app.platform.models import ScriptText
from app.scripts.service import load_seed, unfinished_texts


def test_seeded_texts_say_nothing_in_brackets() -> None:
    for entry in load_seed():
        assert "[" not in entry.text and "]" not in entry.text, (entry.key, entry.language)


async def test_unreviewed_numbers_give_way_to_the_short_112_line(services) -> None:  # type: ignore[no-untyped-def]
    assert services.scripts.numbers("KZ", "kk") == "Қазақстан: 112"  # the full line waits for review
    async with session_scope(services.sessionmaker) as session:
        row = await session.scalar(select(ScriptText).where(ScriptText.key == "numbers.KZ", ScriptText.language == "kk"))
        row.needs_review = False
        await services.scripts.reload(session)
    assert services.scripts.numbers("KZ", "kk") == row.text


async def test_a_newer_version_with_a_note_in_brackets_is_not_sent(services) -> None:  # type: ignore[no-untyped-def]
    before = services.scripts.get("greet", "ru")
    async with session_scope(services.sessionmaker) as session:
        session.add(ScriptText(key="greet", language="ru", variant="chat", version=2, status="published",
                               text="Здравствуйте [координатор: вставьте название]", needs_review=False, author="t"))  # fmt: skip
        await session.flush()
        await services.scripts.reload(session)
        waiting = await unfinished_texts(session)
    assert services.scripts.get("greet", "ru") == before
    assert ("greet", "ru", "chat") in waiting and ("numbers.KZ", "kk", "chat") in waiting


async def test_the_scripts_page_lists_what_still_needs_review(client) -> None:  # type: ignore[no-untyped-def]
    from tests.pages import signed_in

    await signed_in(client, "reviewcoord", role="coordinator")
    page = (await client.get("/admin/scripts")).text
    assert 'id="unfinished"' in page and "numbers.KZ · KK · chat" in page
