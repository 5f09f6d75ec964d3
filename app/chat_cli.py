"""``helpline chat``: a terminal conversation with the bot through the same core."""

from __future__ import annotations

import asyncio
import sys
import uuid

from app.conversations.service import handle_inbound
from app.db import session_scope
from app.migrate import upgrade
from app.services import build_services
from app.settings import Settings
from bots.messages import InboundMessage

HELP = "Type a message as a person would. /start /language /help /human /erase; /lang kk to choose; Ctrl-D to leave."


async def run_chat(settings: Settings, language: str | None = None) -> int:
    upgrade(settings.database_url)
    from app.cli import _seed

    await _seed(settings)
    services = await build_services(settings)
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
            async with session_scope(services.sessionmaker) as session:
                outcome = await handle_inbound(session, inbound, services.core_deps())
            tag = f"[{outcome.case_alias} {outcome.language or '?'} {outcome.intent or '-'}{' URGENT' if outcome.urgent else ''}]"
            print(tag)
            for reply in outcome.replies:
                print("bot>", reply.text)
                for row in reply.buttons:
                    print("     " + "  ".join(f"[{b.label} → /{b.data.replace(':', ' ')}]" for b in row))
    finally:
        await services.close()
    return 0


def _read(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        print(file=sys.stderr)
        return None
