"""Files every instance shares, kept in the database (``shared_files``), not on one container's disk.

Voice prompts Twilio fetches, the coordinators' NLU additions and the trained model versions are
small enough for a ``bytea`` column (a model is ~35 MB) and the database is already what every
replica has in common and what the backups cover; no object store to run, secure and back up.
Writers flush in the caller's session: the request or job boundary commits, as everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.models import SharedFile, utcnow


async def put_file(session: AsyncSession, name: str, content: bytes, content_type: str = "application/octet-stream") -> None:
    """Create or replace the file ``name``."""
    row = await session.get(SharedFile, name)
    if row is None:
        session.add(SharedFile(name=name, content=content, content_type=content_type, size=len(content)))
    else:
        row.content, row.content_type, row.size, row.updated_at = content, content_type, len(content), utcnow()
    await session.flush()


async def get_file(session: AsyncSession, name: str) -> SharedFile | None:
    return await session.get(SharedFile, name)


async def files_under(session: AsyncSession, prefix: str) -> Sequence[SharedFile]:
    """Every file whose name starts with ``prefix`` (a folder such as ``"nlu/extra/"``), by name."""
    rows = await session.scalars(select(SharedFile).where(SharedFile.name.startswith(prefix, autoescape=True))
                                 .order_by(SharedFile.name))  # fmt: skip
    return rows.all()


async def file_names_under(session: AsyncSession, prefix: str) -> list[str]:
    """The names under ``prefix``, by name, without reading the contents (model versions are ~35 MB each)."""
    rows = await session.scalars(select(SharedFile.name).where(SharedFile.name.startswith(prefix, autoescape=True))
                                 .order_by(SharedFile.name))  # fmt: skip
    return list(rows.all())


async def delete_file(session: AsyncSession, name: str) -> None:
    await session.execute(delete(SharedFile).where(SharedFile.name == name))
