"""RasaBackend against a fake Rasa on loopback, and with the server down."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest

import nlu
from nlu.model import NLUModel
from nlu.rasa_backend import RasaBackend

SECRET = "менинг паспортимни олиб қўйишди"


class _FakeRasa(BaseHTTPRequestHandler):
    reply: ClassVar[dict[str, Any]] = {}
    seen: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append({"path": self.path, **body})
        data = json.dumps(type(self).reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def fake_rasa() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _FakeRasa)
    _FakeRasa.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_rasa_response_is_mapped_and_language_and_urgency_stay_ours(
    model: NLUModel, fake_rasa: str
) -> None:
    _FakeRasa.reply = {
        "text": "x",
        "intent": {"name": "unpaid_wages", "confidence": 0.81},
        "intent_ranking": [
            {"name": "unpaid_wages", "confidence": 0.81},
            {"name": "forced_labor", "confidence": 0.12},
            {"name": "legal_aid", "confidence": 0.04},
            {"name": "greet", "confidence": 0.01},
        ],
        "entities": [],
    }
    backend = RasaBackend(fake_rasa, fallback_model=model)
    p = await backend.apredict("Айлық бермейді, үш ай болды")
    await backend.aclose()
    assert _FakeRasa.seen[0]["path"] == "/model/parse"
    assert (p.intent, p.confidence) == ("unpaid_wages", 0.81)
    assert [r[0] for r in p.ranking] == ["unpaid_wages", "forced_labor", "legal_aid"]
    assert p.language == "kk" and not p.fallback
    assert isinstance(backend, nlu.NLUBackend)


async def test_rasa_nlu_fallback_becomes_our_fallback_flag(
    model: NLUModel, fake_rasa: str
) -> None:
    _FakeRasa.reply = {
        "intent": {"name": "nlu_fallback", "confidence": 0.4},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "greet", "confidence": 0.3},
        ],
    }
    backend = RasaBackend(fake_rasa, fallback_model=model)
    p = await backend.predict("хм")
    await backend.aclose()
    assert p.intent == "greet" and p.fallback


async def test_rasa_emergency_is_urgent_even_without_our_cues(
    model: NLUModel, fake_rasa: str
) -> None:
    _FakeRasa.reply = {
        "intent": {"name": "emergency", "confidence": 0.95},
        "intent_ranking": [{"name": "emergency", "confidence": 0.95}],
    }
    backend = RasaBackend(fake_rasa, fallback_model=model)
    p = await backend.predict("привет")
    await backend.aclose()
    assert p.intent == "emergency" and p.urgent


async def test_falls_back_to_the_embedded_model_when_rasa_is_down(
    model: NLUModel, caplog: pytest.LogCaptureFixture
) -> None:
    backend = RasaBackend(
        f"http://127.0.0.1:{_closed_port()}", fallback_model=model, timeout=0.5
    )
    with caplog.at_level(logging.WARNING, logger="nlu.rasa"):
        p = await backend.predict(SECRET)
    await backend.aclose()
    assert p == model.predict(SECRET)
    assert "Rasa unavailable" in caplog.text
    assert "паспорт" not in caplog.text and "pasport" not in caplog.text
