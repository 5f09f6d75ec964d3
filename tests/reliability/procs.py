"""Real uvicorn processes on loopback for the multi-instance and fault tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def app_env(settings, **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The environment of an instance sharing ``settings``' database and secrets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPLINE_")}
    env.update({
        "HELPLINE_ENV": "test", "HELPLINE_DATABASE_URL": settings.database_url, "HELPLINE_DATA_DIR": str(settings.data_dir),
        "HELPLINE_PEPPER": settings.pepper.get_secret_value(), "HELPLINE_SECRET_KEY": settings.secret_key.get_secret_value(),
        "HELPLINE_ENCRYPTION_KEYS": settings.encryption_keys.get_secret_value(), "HELPLINE_NLU_BACKEND": "keywords",
        "HELPLINE_LOG_LEVEL": "WARNING", "HELPLINE_WORKER_INTERVAL": "0.1", "HELPLINE_DEMO_LOGIN": "false",
    })  # fmt: skip
    env.update(extra)
    return env


class Instance:
    """One ``python -m uvicorn app.main:create_app --factory`` process."""

    def __init__(self, port: int, env: dict[str, str], workers: int = 1, log: Path | None = None) -> None:
        self.port = port
        self.env = env
        self.workers = workers
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> Instance:
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(self.workers), "--log-level", "warning", "--no-access-log"],
            cwd=ROOT, env=self.env, stdout=out, stderr=out,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:  # exited: nothing to clean up
                raise RuntimeError(f"instance on {self.port} exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"instance on {self.port} did not start")

    def kill(self) -> None:
        """SIGKILL: no lifespan shutdown, no flush — a crash."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
