"""FastAPI dependencies, each named once as an Annotated alias."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import session_scope
from app.services import Services


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_session(services: ServicesDep) -> AsyncIterator[AsyncSession]:
    """The request boundary: the one place a request's work is committed."""
    async with session_scope(services.sessionmaker) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
