"""A real PgBouncer (Debian's package) in transaction mode on a free port, in front of the test PostgreSQL."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

BINARY = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def available() -> bool:
    return Path(BINARY).exists()


class PgBouncer:
    def __init__(self, pg_url: str, port: int) -> None:
        parts = urlsplit(pg_url.replace("+asyncpg", ""))
        self.user = parts.username or "postgres"
        self.database = parts.path.lstrip("/")
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 5432)
        # Its own folder in /tmp: when run as root, PgBouncer runs as postgres, who cannot enter pytest's tmp_path.
        self.folder = Path(tempfile.mkdtemp(prefix="helpline-pgbouncer-"))
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The app's URL through PgBouncer, marked so every engine turns its statement caches off."""
        return f"postgresql+asyncpg://{self.user}@127.0.0.1:{self.port}/{self.database}?pgbouncer=1"

    def start(self) -> PgBouncer:
        (self.folder / "users.txt").write_text(f'"{self.user}" ""\n')
        host, port = self.upstream
        (self.folder / "pgbouncer.ini").write_text(
            f"[databases]\n{self.database} = host={host} port={port} dbname={self.database}\n\n"
            f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {self.port}\nauth_type = trust\n"
            f"auth_file = {self.folder / 'users.txt'}\npool_mode = transaction\nmax_client_conn = 400\n"
            f"default_pool_size = 20\nserver_reset_query =\nignore_startup_parameters = extra_float_digits\n"
            f"unix_socket_dir =\nlogfile = {self.folder / 'pgbouncer.log'}\npidfile = {self.folder / 'pgbouncer.pid'}\n"
        )  # fmt: skip
        command = [BINARY, str(self.folder / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root
            shutil.chown(self.folder, "postgres")
            for name in ("users.txt", "pgbouncer.ini"):
                shutil.chown(self.folder / name, "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("pgbouncer did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)
