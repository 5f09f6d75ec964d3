"""A real Rasa 3.6 server (Python 3.10 venv) trained from our export, read by RasaBackend.

Opt-in: runs only with HELPLINE_RASA_TESTS=1 and Python 3.10 present; rasa/setup.sh
creates `.venv-rasa` first if it is missing (~3 minutes). It is not run merely because
`.venv-rasa` exists: training a sample of 30 examples per intent and language takes about 10 minutes here (15 epochs, 2 shared cores), too long
for every `pytest tests/nlu`. HELPLINE_RASA_EPOCHS tunes the epochs.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nlu.model import NLUModel
from nlu.rasa_backend import RasaBackend
from nlu.rasa_export import export_rasa

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
EPOCHS = int(os.environ.get("HELPLINE_RASA_EPOCHS", "15"))
# The full data (18k examples) trains for over 25 minutes on 2 cores; a sample of each
# intent per language is enough to show that RasaBackend reads a real server.
PER_INTENT = int(os.environ.get("HELPLINE_RASA_PER_INTENT", "30"))


def _has_python310() -> bool:
    return (
        shutil.which("python3.10") is not None
        or Path.home().joinpath(".pyenv/versions/3.10.13/bin/python").exists()
    )


def _skip_reason() -> str | None:
    if os.environ.get("HELPLINE_RASA_TESTS") != "1":
        return "set HELPLINE_RASA_TESTS=1 to train and serve a real Rasa (10+ minutes on 2 cores)"
    if not RASA.exists() and not _has_python310():
        return "no Python 3.10 for Rasa 3.6 and no .venv-rasa"
    return None


pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def rasa_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not RASA.exists():
        subprocess.run(
            ["bash", str(ROOT / "rasa" / "setup.sh")], check=True, timeout=1800
        )
    project = export_rasa(tmp_path_factory.mktemp("rasa"), epochs=EPOCHS, per_intent=PER_INTENT)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false"}
    started = time.monotonic()
    subprocess.run(
        [str(RASA), "train", "nlu", "--fixed-model-name", "helpline", "--out", "models"],
        cwd=project, env=env, check=True, timeout=1500, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    trained = time.monotonic()
    port = _free_port()
    log = open(project / "server.log", "wb")  # noqa: SIM115 - stays open while the server runs
    proc = subprocess.Popen(
        [str(RASA), "run", "--enable-api", "-p", str(port), "-i", "127.0.0.1", "-m", "models/helpline.tar.gz"],
        cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/status", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                pytest.fail(
                    f"rasa run exited: {(project / 'server.log').read_text(errors='replace')[-2000:]}"
                )
            time.sleep(2)
        else:
            pytest.fail("rasa server did not come up in 5 minutes")
        sys.stderr.write(
            f"\nrasa: train {trained - started:.0f}s, serve-ready {time.monotonic() - trained:.0f}s\n"
        )
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


async def test_rasa_backend_reads_a_real_rasa_server(
    rasa_url: str, model: NLUModel
) -> None:
    backend = RasaBackend(rasa_url, fallback_model=model, timeout=10.0)
    try:
        greet = await backend.apredict("Здравствуйте")
        wages = await backend.apredict("третий месяц не платят зарплату")
        danger = await backend.apredict("меня заперли в подвале, помогите срочно")
    finally:
        await backend.aclose()
    assert greet.intent == "greet"
    assert wages.intent in {"unpaid_wages", "forced_labor"} and wages.language == "ru"
    assert danger.urgent
    assert len(greet.ranking) == 3 and all(
        name != "nlu_fallback" for name, _ in greet.ranking
    )
