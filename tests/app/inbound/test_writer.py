"""Group commit at the door: requests arriving together share one commit; each hears its own answer."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from app.inbound.writer import GroupWriter
from app.platform.db import create_engine, create_sessionmaker
from app.platform.errors import HelplineError
from app.platform.models import InboundDelivery
from tests.app.conversations.test_service import person


async def test_concurrent_deliveries_share_commits_and_a_retry_in_the_same_batch_is_stored_once(services) -> None:  # type: ignore[no-untyped-def]
    messages = [person(f"вопрос {i}", chat=f"73000{i:03d}") for i in range(100)]
    answers = await asyncio.gather(*(services.intake.accept(m) for m in messages + [messages[7]]))
    assert answers.count(True) == 100 and answers.count(False) == 1
    writer = services.intake.writer
    assert writer.rows == 101 and writer.batches < 20, "requests waiting together were committed together"
    async with services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(InboundDelivery)) == 100
    assert await services.intake.accept(messages[0]) is False  # a provider retry later on


async def test_every_request_of_a_failed_batch_hears_503_and_the_next_batch_works(services, settings) -> None:  # type: ignore[no-untyped-def]
    broken = create_engine("sqlite+aiosqlite:////nonexistent-dir/x/helpline.db" if settings.is_sqlite
                           else settings.database_url.rsplit("/", 1)[0] + "/no_such_database")  # fmt: skip
    good = services.intake.writer
    services.intake.writer = GroupWriter(create_sessionmaker(broken))
    results = await asyncio.gather(*(services.intake.accept(person(f"q{i}", chat=f"7400{i}")) for i in range(5)),
                                   return_exceptions=True)  # fmt: skip
    assert all(isinstance(r, HelplineError) and r.status_code == 503 for r in results)
    await services.intake.writer.close()
    await broken.dispose()
    services.intake.writer = good
    assert await services.intake.accept(person("снова работает", chat="7400001")) is True


async def test_a_lone_request_is_stored_at_once(services) -> None:  # type: ignore[no-untyped-def]
    assert await asyncio.wait_for(services.intake.accept(person("привет")), 5) is True
    assert services.intake.writer.batches == 1
