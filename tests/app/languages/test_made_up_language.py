"""A language added through the registry and data alone holds a conversation: no code changes.

The fixture writes "Quessan" (xq, invented words) as a registry line, NLU examples and cues, and a
bot-text seed file; the app, unchanged, detects it, answers in it, raises its urgent case, offers it
in the language menu and reads its missing texts in its fallback.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from app.conversations.service import handle_inbound
from app.platform import languages as registry
from app.platform.db import create_engine, create_sessionmaker, session_scope
from app.platform.models import Case
from app.scripts.service import SEED_DIR, seed_scripts
from app.understanding.gateway import EmbeddedClassifier
from app.web.i18n import translate
from bots.messages import InboundMessage
from nlu.data_io import DATA_DIR
from tests.app.languages import xq_data

XQ_LINE = {"code": "xq", "name": xq_data.NAME, "scripts": ["Latn"], "direction": "ltr", "fallback": "en",
           "country": "XQ", "voice_digit": "9"}  # fmt: skip


@pytest.fixture(scope="module")
def quessan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    root = tmp_path_factory.mktemp("quessan")
    # 1. The registry line.
    entries = yaml.safe_load(registry.DEFAULT_FILE.read_text(encoding="utf-8"))
    entries["languages"].append(XQ_LINE)
    (root / "languages.yml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    # 2. NLU data: Russian beside it, so telling the two apart is part of the test.
    data = root / "nlu"
    for lang in ("ru", "xq"):
        (data / "train" / lang).mkdir(parents=True)
    (data / "urgency").mkdir()
    shutil.copy(DATA_DIR / "train" / "ru" / "original.yml", data / "train" / "ru" / "original.yml")
    shutil.copy(DATA_DIR / "urgency" / "ru.yml", data / "urgency" / "ru.yml")
    (data / "urgency" / "xq.yml").write_text(xq_data.CUES, encoding="utf-8")
    blocks = [{"intent": i, "examples": "".join(f"- {e}\n" for e in ex)} for i, ex in xq_data.EXAMPLES.items()]
    (data / "train" / "xq" / "original.yml").write_text(yaml.safe_dump({"version": "3.1", "nlu": blocks}), encoding="utf-8")
    # 3. Bot texts: the package's seed files plus one for xq (what it lacks is read in its fallback).
    seed = root / "seed"
    shutil.copytree(SEED_DIR, seed)
    (seed / "xq.yml").write_text(yaml.safe_dump({
        "language": "xq", "texts": {key: {"chat": text} for key, text in xq_data.TEXTS.items()},
        "emergency_numbers": {"XQ": {"text": xq_data.NUMBERS}, "default": {"text": xq_data.NUMBERS}},
    }, allow_unicode=True), encoding="utf-8")  # fmt: skip
    with registry.use(root / "languages.yml"):
        yield {"data": data, "seed": seed}


@pytest.fixture(scope="module")
def quessan_model(quessan: dict[str, Path]) -> object:
    from nlu.model import NLUModel

    return NLUModel.train(quessan["data"], tune=False)


@pytest.fixture
async def core(settings, recording_senders, quessan, quessan_model) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    from app.runtime.container import build_container

    engine = create_engine(settings.database_url)
    async with session_scope(create_sessionmaker(engine)) as session:
        await seed_scripts(session, quessan["seed"])
    await engine.dispose()
    built = await build_container(settings, senders=recording_senders, classifier=EmbeddedClassifier(quessan_model))
    yield built
    await built.close()


def person(text: str = "", command: str | None = None) -> InboundMessage:
    return InboundMessage(channel="telegram", external_id="700900900", external_message_id=f"tg:{uuid.uuid4().hex}",
                          text=text, command=command)  # fmt: skip


async def say(services, message: InboundMessage):  # type: ignore[no-untyped-def]
    async with session_scope(services.sessionmaker) as session:
        return await handle_inbound(session, message, services.core)


async def test_a_language_added_as_data_is_understood_and_answered_in_itself(core) -> None:
    outcome = await say(core, person("velix ami"))
    assert (outcome.language, outcome.intent) == ("xq", "greet")
    assert outcome.replies[0].text == xq_data.TEXTS["greet"]
    taken = await say(core, person("patrox prenix mia pasix"))
    assert taken.intent == "documents_taken" and taken.replies[0].text == xq_data.TEXTS["documents_taken"]


async def test_an_urgent_message_in_the_new_language_raises_the_case_with_numbers_in_that_language(core) -> None:
    outcome = await say(core, person("ili lokix nin nun"))
    assert outcome.urgent and outcome.language == "xq"
    assert any(xq_data.NUMBERS in r.text and "homix" in r.text for r in outcome.replies)
    async with core.sessionmaker() as session:
        case = await session.scalar(select(Case))
    assert case.language == "xq" and case.urgent and case.status == "waiting"


async def test_the_new_language_is_offered_and_its_missing_texts_fall_back(core) -> None:
    start = await say(core, person(command="start"))
    labels = [b.label for r in start.replies for row in r.buttons for b in row]
    assert xq_data.NAME in labels and "Кыргызча" in labels and "Тоҷикӣ" in labels
    chosen = await say(core, person(command="lang:xq"))
    assert chosen.replies[0].text == xq_data.TEXTS["language_set"]
    helped = await say(core, person(command="help"))  # no xq text: its fallback, English
    assert helped.replies[0].text == core.scripts.get("help", "en")
    assert translate("xq", "console.title") == translate("en", "console.title")
