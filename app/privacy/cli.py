"""``helpline purge`` and ``helpline keys rotate|new``: retention and key rotation by hand."""

from __future__ import annotations

import argparse
import asyncio
import uuid

from app.platform.commands import OneLineParser, Subparsers, settings_or_exit, vault_of, with_session
from app.platform.db import create_sessionmaker, engine_for
from app.platform.models import utcnow
from app.platform.settings import Settings, new_key_spec
from app.privacy.service import PurgeReport, purge_in_batches, rotate_keys


def cmd_purge(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    days = args.days if args.days is not None else settings.retention_days
    report = asyncio.run(_purge(settings, days))
    if report.skipped:
        print("another instance is purging; nothing done here")
        return 0
    print(", ".join(f"{k}: {v}" for k, v in report.counts.items()) +
          f" ({report.batches} transactions, longest {report.longest * 1000:.0f} ms)")  # fmt: skip
    return 0


async def _purge(settings: Settings, days: int) -> PurgeReport:
    """In short transactions of its own, like the job loop's daily run (one instance at a time)."""
    engine = engine_for(settings)
    try:
        return await purge_in_batches(create_sessionmaker(engine), utcnow(), days, vault_of(settings))
    finally:
        await engine.dispose()


def cmd_keys_rotate(_: argparse.Namespace) -> int:
    settings = settings_or_exit()
    changed = with_session(settings, rotate_keys)
    print(f"re-encrypted {changed} values under key {settings.key_list[0][0]}")
    return 0


def cmd_keys_new(args: argparse.Namespace) -> int:
    print(new_key_spec(args.id))
    return 0


def register(sub: Subparsers) -> None:
    p = sub.add_parser("purge", help="delete message bodies of closed cases past retention")
    p.add_argument("--days", type=int, help="override HELPLINE_RETENTION_DAYS")
    p.set_defaults(func=cmd_purge)

    keys = sub.add_parser("keys", help="encryption keys").add_subparsers(dest="action", required=True,
                                                                         parser_class=OneLineParser)  # fmt: skip
    keys.add_parser("rotate", help="re-encrypt every stored secret under the first key").set_defaults(func=cmd_keys_rotate)
    p = keys.add_parser("new", help="print a new key for HELPLINE_ENCRYPTION_KEYS")
    p.add_argument("--id", default="k" + uuid.uuid4().hex[:6])
    p.set_defaults(func=cmd_keys_new)
