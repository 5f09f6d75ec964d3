"""The NLU state every worker of every instance shares: the activated model and the coordinators' additions.

Both live in the database (``app.platform.shared``): a model activated on one instance is stored
there as a new version and marked active in ``runtime_settings``; every worker then loads it,
told at once by a Redis notice or, with Redis away, by its own poll of the database every
``nlu_model_poll_seconds``. The coordinators' example and cue files are copied up after each edit
and down before each read or edit, so every instance's admin shows and trains on the same data.
The local copies (``data_dir/nlu``, the model file) stay what start-up reads, so a warm start
loads a file and asks nothing of the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

from redis import asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.platform.db import session_scope
from app.platform.models import Setting, utcnow
from app.platform.shared import delete_file, file_names_under, files_under, get_file, put_file
from app.understanding.gateway import LiveClassifier
from app.understanding.workbench import Workbench

log = logging.getLogger("helpline.nlu_sharing")
ACTIVE_KEY = "nlu.active_model"
NOTICE_CHANNEL = "helpline:nlu-model"
MODEL_PREFIX = "nlu/models/"
EXTRA_PREFIX = "nlu/extra/"
KEEP_VERSIONS = 3


def _extra_files(wb: Workbench) -> list[Path]:
    return sorted([*wb.extra_dir.glob("*.yml"), *(wb.extra_dir / "urgency").glob("*.yml")])


async def save_extras(session: AsyncSession, wb: Workbench) -> None:
    """Copy this instance's coordinators' files up (after an edit)."""
    for path in _extra_files(wb):
        await put_file(session, EXTRA_PREFIX + path.relative_to(wb.extra_dir).as_posix(), path.read_bytes(), "text/yaml")


async def load_extras(session: AsyncSession, wb: Workbench) -> None:
    """Bring the shared coordinators' files down (before reading or editing them here)."""
    for row in await files_under(session, EXTRA_PREFIX):
        relative = row.name.removeprefix(EXTRA_PREFIX)
        if ".." in relative.split("/"):
            continue
        path = wb.extra_dir / relative
        if not path.exists() or path.read_bytes() != row.content:
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(path, row.content)


def _write_atomic(path: Path, content: bytes) -> None:
    """Workers of one instance share the data folder: write beside, then rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


async def publish_model(session: AsyncSession, content: bytes) -> str:
    """Store a saved model file as a new version and mark it active; returns the version's name.

    The newest ``KEEP_VERSIONS`` stay (a model is ~35 MB; the older ones are in the backups)."""
    name = f"{MODEL_PREFIX}{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.pkl"  # sorts by time
    await put_file(session, name, content)
    for old in (await file_names_under(session, MODEL_PREFIX))[:-KEEP_VERSIONS]:
        await delete_file(session, old)
    row = await session.get(Setting, ACTIVE_KEY)
    value = {"name": name, "activated_at": utcnow().isoformat()}
    if row is None:
        session.add(Setting(key=ACTIVE_KEY, value=value))
    else:
        row.value = value
    await session.flush()
    return name


async def active_model_name(session: AsyncSession) -> str | None:
    row = await session.get(Setting, ACTIVE_KEY)
    return str(row.value.get("name")) if row is not None and row.value.get("name") else None


class ModelSync:
    """One per worker: keeps ``live`` on the model marked active in the database."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], live: LiveClassifier, model_path: Path,
                 redis: aioredis.Redis | None = None, interval: float = 2.0) -> None:  # fmt: skip
        self.sessionmaker = sessionmaker
        self.live = live
        self.model_path = Path(model_path)
        self.redis = redis
        self.interval = interval
        self.loaded = self._local_name()
        self._tasks: list[asyncio.Task[None]] = []
        self._lock = asyncio.Lock()

    @property
    def _name_file(self) -> Path:
        return self.model_path.with_name(self.model_path.name + ".version")

    def _local_name(self) -> str | None:
        """The version the local model file is a copy of (so a warm start does not load it twice)."""
        with contextlib.suppress(OSError):
            return self._name_file.read_text().strip() or None
        return None

    def mark_local(self, name: str, saved_to: Path) -> None:
        """This worker activated ``name`` itself and saved it to ``saved_to``."""
        self.loaded = name
        with contextlib.suppress(OSError):
            Path(saved_to).with_name(Path(saved_to).name + ".version").write_text(name)

    async def refresh(self) -> bool:
        """Load the active version if it is not the one answering now; True when it swapped the model."""
        async with self._lock:
            async with session_scope(self.sessionmaker) as session:
                name = await active_model_name(session)
                if name is None or name == self.loaded:
                    return False
                stored = await get_file(session, name)
                content = stored.content if stored is not None else None
            self.loaded = name  # tried once: an unreadable version is not retried every poll
            if content is None:
                log.warning("active NLU model is missing from the database", extra={"version": name})
                return False
            try:
                model = await asyncio.to_thread(self._install, content)
            except Exception as exc:  # noqa: BLE001 - e.g. made by another release: keep the model we have
                log.warning("active NLU model not loaded: %s", exc, extra={"version": name})
                return False
            self.live.activate(model)
            with contextlib.suppress(OSError):
                self._name_file.write_text(name)
            log.info("NLU model activated elsewhere is live here", extra={"version": name})
            return True

    def _install(self, content: bytes) -> Any:
        """Check the bytes load, then make them this instance's model file (the next start reads it)."""
        from nlu.model import NLUModel

        self.model_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.model_path.parent, prefix=self.model_path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        try:
            model = NLUModel.load(Path(tmp))
        except BaseException:
            os.unlink(tmp)
            raise
        os.chmod(tmp, 0o644)
        os.replace(tmp, self.model_path)
        return model

    async def notify(self, name: str) -> None:
        """Tell the other workers now; the ones Redis does not reach find it on their next poll."""
        if self.redis is not None:
            with contextlib.suppress(aioredis.RedisError, OSError):
                await self.redis.publish(NOTICE_CHANNEL, name)

    async def start(self) -> None:
        await self._refresh_quietly()
        if self.interval > 0:
            self._tasks.append(asyncio.create_task(self._poll(), name="nlu-model-poll"))
        if self.redis is not None:
            self._tasks.append(asyncio.create_task(self._listen(), name="nlu-model-notices"))

    async def _refresh_quietly(self) -> None:
        try:
            await self.refresh()
        except Exception as exc:  # noqa: BLE001 - the database is away: the model we have keeps answering
            log.warning("NLU model check failed: %s", type(exc).__name__)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self._refresh_quietly()

    async def _listen(self) -> None:
        assert self.redis is not None
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(NOTICE_CHANNEL)
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        await self._refresh_quietly()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - Redis away: the poll carries on; resubscribe later
                await asyncio.sleep(1)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(BaseException):
                await task
