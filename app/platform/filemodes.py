"""Files only the service account can read: the database, its WAL, uploads and secrets.

A process umask of 077 makes everything created afterwards 0600 (files) or
0700 (folders); files left behind by an older release are tightened at start.
A copied-off laptop account or a shared backup folder then reads nothing.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_UMASK = 0o077
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def private_umask() -> None:
    os.umask(PRIVATE_UMASK)


def sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1]
    return Path(path) if path and path != ":memory:" else None


def tighten(data_dir: Path, database_url: str) -> None:
    """Make the data folder 0700 and every file in it, and the SQLite files, 0600."""
    private_umask()
    folders = [Path(data_dir)]
    db = sqlite_path(database_url)
    files = [db.with_name(db.name + suffix) for suffix in SQLITE_SUFFIXES] if db else []
    if db is not None:
        folders.append(db.parent)
    for folder in folders:
        if not folder.is_dir():
            continue
        with contextlib.suppress(OSError):
            folder.chmod(0o700)
        for path in folder.rglob("*"):
            with contextlib.suppress(OSError):
                path.chmod(0o700 if path.is_dir() else 0o600)
    for path in files:
        if path.exists():
            with contextlib.suppress(OSError):
                path.chmod(0o600)
