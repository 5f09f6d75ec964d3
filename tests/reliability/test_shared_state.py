"""Two app instances on one database, each with its own disk: what one is given, the other serves.

Each instance is the real app (lifespan, container, routes) with its own data folder, as two
containers would be; the database (PostgreSQL under ``make test-pg``) is the only thing shared,
plus Redis when one runs here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

from app.main import create_app
from app.platform.settings import Settings
from app.scripts.service import seed_database
from app.understanding.gateway import EmbeddedClassifier, KeywordClassifier
from nlu.model import NLUModel
from tests.app.scripts.test_audio import WAV  # a real recording: uploads are judged by their bytes
from tests.pages import services_of, signed_in
from tests.reliability.conftest import REDIS_URL, redis_available


async def _instances(settings: Settings, tmp_path: Path, **extra: object) -> AsyncIterator[tuple[httpx.AsyncClient, ...]]:
    await seed_database(settings.database_url)
    async with AsyncExitStack() as stack:
        clients = []
        for name in ("a", "b"):
            own = settings.model_copy(update={"data_dir": tmp_path / name, "nlu_backend": "keywords",
                                              "nlu_model_path": tmp_path / name / "nlu-model.pkl", **extra})  # fmt: skip
            app = create_app(own)
            await stack.enter_async_context(app.router.lifespan_context(app))
            http = await stack.enter_async_context(httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                                                     base_url="http://testserver"))  # fmt: skip
            http.app = app  # type: ignore[attr-defined]
            clients.append(http)
        yield tuple(clients)


@pytest.fixture
async def pair(settings: Settings, tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, ...]]:
    """No Redis: only the database poll carries the news."""
    async for clients in _instances(settings, tmp_path, redis_url=None, nlu_model_poll_seconds=0.5):
        yield clients


async def test_a_voice_prompt_uploaded_on_one_instance_is_served_by_the_other(pair) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    token = await signed_in(a, "coord", role="coordinator")
    response = await a.post("/admin/scripts/voice_main_menu/audio", data={"language": "kk", "csrf": token},
                            files={"file": ("menu.wav", WAV, "audio/wav")})  # fmt: skip
    assert response.status_code == 303
    from app.channels.voice import _prompt

    played = _prompt(services_of(a).phone_line, "voice_main_menu", "kk").audio_url  # the signed link Twilio gets
    assert played is not None
    async with httpx.AsyncClient(transport=b._transport, base_url="http://testserver") as twilio:  # not signed in
        fetched = await twilio.get(played.removeprefix("http://testserver"))
        assert fetched.status_code == 200 and fetched.content == WAV
        assert fetched.headers["content-type"] == "audio/wav"
        assert (await twilio.get("/media/audio/nothing-here.wav")).status_code == 404
    assert not (services_of(b).settings.data_dir / "audio").exists()  # from the database, not a disk


async def test_examples_a_coordinator_adds_on_one_instance_are_shown_and_kept_on_the_other(pair) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    token_a = await signed_in(a, "coord", role="coordinator")
    token_b = await signed_in(b, "coord2", role="coordinator")
    await a.post("/admin/nlu/examples", data={"intent": "shelter_request", "language": "kk",
                                              "examples": "жатақхана керек", "csrf": token_a})  # fmt: skip
    assert "жатақхана керек" in (await b.get("/admin/nlu/shelter_request")).text
    await b.post("/admin/nlu/examples", data={"intent": "shelter_request", "language": "kk",
                                              "examples": "пәтер іздеймін", "csrf": token_b})  # fmt: skip
    page = (await a.get("/admin/nlu/shelter_request")).text
    assert "жатақхана керек" in page and "пәтер іздеймін" in page  # B's edit did not drop A's


async def _activate_on(client: httpx.AsyncClient, nlu_model_path: Path) -> None:
    """A coordinator activates a ready candidate on this instance (the trained model stands in for one)."""
    token = await signed_in(client, "coord", role="coordinator")
    wb = services_of(client).workbench
    wb.candidate = await asyncio.to_thread(NLUModel.load, nlu_model_path)
    wb.status = "ready"
    response = await client.post("/admin/nlu/activate", data={"csrf": token})
    assert response.status_code == 303 and "activated=1" in response.headers["location"]


async def _swapped_within(client: httpx.AsyncClient, seconds: float) -> float:
    services = services_of(client)
    started = time.monotonic()
    while not isinstance(services.classifier, EmbeddedClassifier):
        assert time.monotonic() - started < seconds, "the other instance still answers with its old model"
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def test_a_model_activated_on_one_instance_is_used_by_the_other_within_5_seconds(pair, nlu_model_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    assert isinstance(services_of(b).classifier, KeywordClassifier)
    await _activate_on(a, nlu_model_path)
    await _swapped_within(b, 5)
    prediction = await services_of(b).classifier.apredict("нас заперли на складе, отобрали паспорта")
    assert prediction.urgent and prediction.intent != "out_of_scope"
    stored = services_of(b).settings.model_path
    assert stored.exists()  # B's own copy: its next start loads the same model without asking anyone
    assert services_of(a).model_sync.loaded == services_of(b).model_sync.loaded


@pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")
async def test_with_redis_the_other_instance_is_told_at_once(settings: Settings, tmp_path: Path, nlu_model_path: Path) -> None:
    async for a, b in _instances(settings, tmp_path, redis_url=REDIS_URL, nlu_model_poll_seconds=60.0):
        await _activate_on(a, nlu_model_path)
        assert await _swapped_within(b, 5) < 5  # the poll is a minute away: the notice did it


async def test_only_the_newest_model_versions_are_kept(settings: Settings) -> None:
    from app.platform.db import create_engine, create_sessionmaker, session_scope
    from app.platform.shared import file_names_under
    from app.understanding.sharing import KEEP_VERSIONS, MODEL_PREFIX, active_model_name, publish_model

    engine = create_engine(settings.database_url)
    names = []
    for n in range(KEEP_VERSIONS + 2):
        async with session_scope(create_sessionmaker(engine)) as session:
            names.append(await publish_model(session, b"model %d" % n))
    async with session_scope(create_sessionmaker(engine)) as session:
        kept = await file_names_under(session, MODEL_PREFIX)
        active = await active_model_name(session)
    await engine.dispose()
    assert kept == names[-KEEP_VERSIONS:] and active == names[-1]
