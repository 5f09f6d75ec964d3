"""Coordinators add examples and urgency words, train a candidate in the background, compare, activate or discard."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.platform.db import session_scope
from app.platform.models import AuditEntry
from app.understanding.routes import Workbench
from nlu.data_io import DATA_DIR, load_dir
from tests.pages import services_of, signed_in

TINY = Path(__file__).with_name("nlu_tiny")


@pytest.fixture
async def wb(client, tmp_path: Path) -> Workbench:  # type: ignore[no-untyped-def]
    """A tiny training set (seconds, not a minute) with the package's urgency words."""
    base = tmp_path / "base"
    shutil.copytree(TINY, base)
    shutil.copytree(DATA_DIR / "urgency", base / "urgency")
    bench = Workbench(base, tmp_path / "extra", tmp_path / "merged", tune=False)
    services = services_of(client)
    services.workbench = bench
    # Activation writes the model file: never the shared test model other tests load.
    services.settings = services.settings.model_copy(update={"nlu_model_path": tmp_path / "model.pkl"})
    return bench


async def _actions(client) -> list[str]:  # type: ignore[no-untyped-def]
    async with session_scope(services_of(client).sessionmaker) as session:
        return list((await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all())


async def test_added_examples_are_stored_in_rasa_format_and_shown_marked(client, wb: Workbench) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "coord", role="coordinator")
    response = await client.post("/admin/nlu/examples", data={"intent": "shelter_request", "language": "kk",
                                                              "examples": "жатақхана керек\n\nжатақхана керек\nпәтер іздеймін", "csrf": token})  # fmt: skip
    assert response.status_code == 303 and "added=2" in response.headers["location"]
    stored = load_dir(wb.extra_dir)
    assert [(e.intent, e.language, e.text) for e in stored] == [("shelter_request", "kk", "жатақхана керек"),
                                                                 ("shelter_request", "kk", "пәтер іздеймін")]  # fmt: skip
    page = await client.get("/admin/nlu/shelter_request")
    assert "пәтер іздеймін" in page.text
    assert "nlu.example.add" in await _actions(client)
    bad = await client.post("/admin/nlu/examples", data={"intent": "nonsense", "language": "kk", "examples": "x", "csrf": token})
    assert "error=bad_example" in bad.headers["location"]


async def test_retrain_runs_in_background_then_compare_and_activate(client, wb: Workbench) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "coord", role="coordinator")
    services = services_of(client)
    before = services.classifier
    await client.post("/admin/nlu/examples", data={"intent": "shelter_request", "language": "ru",
                                                   "examples": "нет крыши над головой", "csrf": token})  # fmt: skip
    response = await client.post("/admin/nlu/retrain", data={"csrf": token})
    assert response.status_code == 303 and wb.status == "training"  # the request did not wait for training
    await wb.task
    assert wb.status == "ready", wb.error
    assert wb.metrics["candidate"]["n"] == 45 and "ru" in wb.metrics["candidate"]["per_language"]
    page = await client.get("/admin/nlu")
    assert 'id="compare"' in page.text and "macro-F1" in page.text
    assert services.classifier is before
    response = await client.post("/admin/nlu/activate", data={"csrf": token})
    assert response.status_code == 303 and "activated=1" in response.headers["location"]
    assert services.classifier is not before and services.settings.model_path.exists()
    assert (await services.classifier.apredict("нет крыши над головой")).intent == "shelter_request"
    assert wb.status == "idle" and {"nlu.retrain", "nlu.activate"} <= set(await _actions(client))


async def test_discard_drops_the_candidate_and_keeps_the_live_model(client, wb: Workbench) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "coord", role="coordinator")
    services = services_of(client)
    before = services.classifier
    await client.post("/admin/nlu/retrain", data={"csrf": token})
    await wb.task
    await client.post("/admin/nlu/discard", data={"csrf": token})
    assert wb.status == "idle" and wb.candidate is None and services.classifier is before
    response = await client.post("/admin/nlu/activate", data={"csrf": token})
    assert "error=no_candidate" in response.headers["location"] and services.classifier is before
    assert "nlu.discard" in await _actions(client)


async def test_coordinators_urgency_words_reach_the_training_data(client, wb: Workbench) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "coord", role="coordinator")
    response = await client.post("/admin/nlu/cues", data={"language": "ru", "cat_confinement": "замуровали\nзамуровали",
                                                          "cat_made_up": "x", "list_present": "прямо щас", "csrf": token})  # fmt: skip
    assert response.status_code == 303
    page = await client.get("/admin/nlu/cues?language=ru")
    assert "замуровали" in page.text
    from nlu.data_io import load_cues

    merged = {f.language: f for f in load_cues(wb.training_dir() / "urgency")}
    assert "замуровали" in merged["ru"].cues["confinement"] and "заперл" in merged["ru"].cues["confinement"]
    assert "made_up" not in merged["ru"].cues and "прямо щас" in merged["ru"].present
    assert "nlu.cues.update" in await _actions(client)


async def test_operator_is_refused_and_posts_need_csrf(client, wb: Workbench) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "olzhas", role="operator")
    for path in ("/admin/nlu/examples", "/admin/nlu/retrain", "/admin/nlu/activate", "/admin/nlu/discard", "/admin/nlu/cues"):
        assert (await client.post(path, data={"csrf": token, "language": "ru"})).status_code == 403, path
        assert (await client.post(path, data={"csrf": "forged", "language": "ru"})).status_code == 403, path
    assert (await client.get("/admin/nlu/cues")).status_code == 403
    assert wb.status == "idle" and not wb.extra_dir.exists()


def test_without_additions_the_package_folder_is_trained_as_is(tmp_path: Path) -> None:
    bench = Workbench(DATA_DIR, tmp_path / "extra", tmp_path / "merged")
    assert bench.training_dir() == DATA_DIR
