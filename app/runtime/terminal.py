"""The whole app in a terminal: ``helpline chat`` (talk to the bot) and ``helpline telegram poll``.

Both build the same container as the web app, so a terminal conversation and a
polled Telegram update take exactly the path a webhook delivery takes.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid

from app.channels.cli import poll_into
from app.platform import languages as registry
from app.platform.commands import Subparsers, settings_or_exit
from app.platform.db import session_scope
from app.platform.migrate import upgrade
from app.platform.settings import Settings
from app.runtime.container import build_container
from app.scripts.service import seed_database
from bots.messages import InboundMessage

HELP = "Type a message as a person would. /start /language /help /human /erase; /lang kk to choose; Ctrl-D to leave."


async def run_chat(settings: Settings, language: str | None = None) -> int:
    upgrade(settings.database_url)
    await seed_database(settings.database_url)
    container = await build_container(settings)
    session_id = f"terminal-{uuid.uuid4().hex[:8]}"
    print(HELP)
    try:
        while True:
            line = await asyncio.to_thread(_read, "you> ")
            if line is None:
                break
            if not line.strip():
                continue
            command = None
            if line.startswith("/"):
                name, _, arg = line[1:].strip().partition(" ")
                command = f"{name}:{arg}" if arg else name
            inbound = InboundMessage(channel="cli", external_id=session_id, external_message_id=uuid.uuid4().hex,
                                     text="" if command else line, command=command, language_hint=language)  # fmt: skip
            async with session_scope(container.sessionmaker) as session:
                outcome = await container.conversation.handle(session, inbound)
            tag = f"[{outcome.case_alias} {outcome.language or '?'} {outcome.intent or '-'}{' URGENT' if outcome.urgent else ''}]"
            print(tag)
            for reply in outcome.replies:
                print("bot>", reply.text)
                for row in reply.buttons:
                    print("     " + "  ".join(f"[{b.label} → /{b.data.replace(':', ' ')}]" for b in row))
    finally:
        await container.close()
    return 0


def _read(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        print(file=sys.stderr)
        return None


def cmd_chat(args: argparse.Namespace) -> int:
    return asyncio.run(run_chat(settings_or_exit(), language=args.language))


def cmd_poll(_: argparse.Namespace) -> int:
    """``helpline telegram poll``: the app's job loop running, updates fed to its intake."""
    settings = settings_or_exit()
    if not settings.telegram_token:
        print("helpline: set HELPLINE_TELEGRAM_TOKEN first", file=sys.stderr)
        return 2
    upgrade(settings.database_url)

    async def run() -> None:
        container = await build_container(settings)
        container.jobs.start()
        try:
            await poll_into(settings, container.intake)
        finally:
            await container.close()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    return 0


def register(sub: Subparsers) -> None:
    p = sub.add_parser("chat", help="talk to the bot in this terminal, through the same core")
    p.add_argument("--language", choices=registry.codes())
    p.set_defaults(func=cmd_chat)
