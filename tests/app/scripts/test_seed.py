"""Seeding the bot's texts (app/scripts/service.py): every seed entry once, never over a coordinator's edit."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, select

from app.platform.db import session_scope
from app.platform.models import ScriptText
from app.scripts import edits
from app.scripts.service import load_seed, seed_scripts


async def test_a_fresh_database_gets_every_seed_text_and_a_second_seeding_adds_nothing(services) -> None:  # type: ignore[no-untyped-def]
    # the services fixture seeded once already
    count = select(func.count()).select_from(ScriptText)
    async with services.sessionmaker() as session:
        assert await session.scalar(count) == len({(e.key, e.language, e.variant) for e in load_seed()})
    async with session_scope(services.sessionmaker) as session:
        assert await seed_scripts(session) == 0


async def test_seeding_again_keeps_a_coordinators_published_edit(services) -> None:  # type: ignore[no-untyped-def]
    async with session_scope(services.sessionmaker) as session:
        await edits.save_draft(session, "greet", "ru", "chat", "Здравствуйте. Здесь можно писать анонимно.", "coord")
        await edits.publish(session, "greet", "ru", "chat", "coord")
    async with session_scope(services.sessionmaker) as session:
        assert await seed_scripts(session) == 0
    async with services.sessionmaker() as session:
        newest = await session.scalar(
            select(ScriptText.text)
            .where(ScriptText.key == "greet", ScriptText.language == "ru", ScriptText.variant == "chat",
                   ScriptText.status == "published")
            .order_by(ScriptText.version.desc())
        )  # fmt: skip
    assert newest == "Здравствуйте. Здесь можно писать анонимно."


def test_the_seed_read_twice_is_the_same_and_a_callers_change_does_not_stick() -> None:
    first = load_seed()
    first.clear()
    assert load_seed() and load_seed() == load_seed()


def test_a_seed_file_changed_on_disk_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "ru.yml"
    path.write_text("texts:\n  greet: {chat: Здравствуйте}\n", encoding="utf-8")
    assert [e.text for e in load_seed(tmp_path) if e.key == "greet"] == ["Здравствуйте"]
    path.write_text("texts:\n  greet: {chat: Добрый день}\n", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert [e.text for e in load_seed(tmp_path) if e.key == "greet"] == ["Добрый день"]
