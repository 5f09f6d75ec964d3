"""What every command group of ``helpline`` shares: one-line usage errors, settings, a session of its own."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.db import create_engine, create_sessionmaker, session_scope
from app.platform.identity import Vault
from app.platform.settings import Settings, SettingsError, load_settings

T = TypeVar("T")
Handler = Callable[[argparse.Namespace], int]
Subparsers = argparse._SubParsersAction  # what each group's ``register(sub)`` adds its commands to


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error on one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def settings_or_exit() -> Settings:
    """The deployment's settings, or exit 2 naming the one that is wrong."""
    try:
        return load_settings()
    except SettingsError as exc:
        print(f"helpline: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


def vault_of(settings: Settings) -> Vault:
    return Vault(settings.pepper.get_secret_value() if settings.pepper else "", settings.key_list)


def with_session(settings: Settings, work: Callable[[AsyncSession, Vault], Awaitable[T]]) -> T:
    """Run ``work`` in one committed transaction of its own (an engine made and disposed for it)."""

    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            async with session_scope(create_sessionmaker(engine)) as session:
                return await work(session, vault_of(settings))
        finally:
            await engine.dispose()

    return asyncio.run(run())
