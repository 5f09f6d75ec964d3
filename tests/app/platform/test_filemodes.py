"""A backup thief's view: the database, its WAL and the data folder are readable by the service account only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from app.platform.settings import Settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def test_the_database_file_is_0600(settings: Settings, tmp_path: Path) -> None:
    from app.platform.migrate import upgrade
    from app.runtime.container import build_container

    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    url = f"sqlite+aiosqlite:///{data / 'helpline.db'}"
    old = os.umask(0o022)  # as an older release, or `alembic upgrade` in a shell, would have left it
    try:
        upgrade(url)
        (data / "left-behind.txt").write_text("x")
    finally:
        os.umask(old)
    assert _mode(data / "helpline.db") == 0o644
    container = await build_container(settings.model_copy(update={"database_url": url, "data_dir": data}))
    try:
        async with container.sessionmaker() as session:  # a write makes the WAL exist
            from app.platform.audit import audit

            audit(session, "test", "filemodes")
            await session.commit()
        assert _mode(data / "helpline.db") == 0o600
        assert _mode(data / "helpline.db-wal") == 0o600
        assert _mode(data) == 0o700 and _mode(data / "left-behind.txt") == 0o600
    finally:
        await container.close()
