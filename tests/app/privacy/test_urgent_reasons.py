"""An urgent conversation leaves the person's words only inside encrypted messages."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from app.platform.models import Base, Case, Escalation
from tests.app.conversations.test_service import person, say

CUE_WORDS = ("заперли", "запер", "помогите")


async def test_database_bytes_after_an_urgent_russian_conversation_hold_no_cue_word(services, caplog) -> None:
    await say(services, person("меня заперли, помогите"))
    await say(services, person("меня заперли в комнате, хозяин забрал паспорт"))
    await services.jobs.drain()
    async with services.sessionmaker() as session:
        case = await session.scalar(select(Case))
        assert case.urgent and case.urgent_reason == "confinement"
        escalation = await session.scalar(select(Escalation))
        assert escalation is None or escalation.state.get("reasons") == ["confinement"]
        dump = []
        for table in Base.metadata.sorted_tables:
            dump += [repr(tuple(row)) for row in (await session.execute(select(table))).all()]
    everything = "\n".join(dump)
    assert "confinement" in everything
    assert not [w for w in CUE_WORDS if w in everything]
    url = services.settings.database_url
    if url.startswith("sqlite"):
        async with services.engine.connect() as conn:  # free pages of earlier tests hold their own words
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM"))
        path = Path(url.split(":///", 1)[1])
        raw = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
        assert not [w for w in CUE_WORDS if w.encode() in raw]
    assert not [w for w in CUE_WORDS if w in caplog.text]
