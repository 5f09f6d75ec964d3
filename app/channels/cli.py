"""``helpline telegram set-webhook|poll``: register the webhook, or poll in development."""

from __future__ import annotations

import argparse
import asyncio
import sys

from app.inbound.accept import Intake
from app.platform.commands import Handler, OneLineParser, Subparsers, settings_or_exit
from app.platform.settings import Settings
from bots.errors import InvalidRequest


def cmd_set_webhook(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    if not settings.telegram_token or not settings.telegram_webhook_secret:
        print("helpline: set HELPLINE_TELEGRAM_TOKEN and HELPLINE_TELEGRAM_WEBHOOK_SECRET first", file=sys.stderr)
        return 2
    url = args.url or settings.public_url.rstrip("/") + "/webhooks/telegram"
    if not url.startswith("https://"):
        print("helpline: Telegram only calls https webhooks; set HELPLINE_PUBLIC_URL", file=sys.stderr)
        return 2
    token, secret = settings.telegram_token.get_secret_value(), settings.telegram_webhook_secret.get_secret_value()
    from bots.telegram import TelegramSender  # aiogram: imported by the command that uses it, not by every command

    async def run() -> None:
        sender = TelegramSender(token, settings.telegram_api_base)
        try:
            await sender.set_webhook(url, secret)
        finally:
            await sender.close()

    asyncio.run(run())
    print(f"webhook set to {url}")
    return 0


async def poll_into(settings: Settings, intake: Intake) -> None:
    """Long polling for development: updates take the same path as webhook deliveries (``Intake.accept``)."""
    assert settings.telegram_token is not None
    from bots.telegram import parse_update, poll

    async def handle(raw: bytes) -> None:
        try:
            parsed = parse_update(raw)
        except InvalidRequest:
            return
        if parsed.inbound is not None:
            await intake.accept(parsed.inbound, {"callback_query_id": parsed.callback_query_id})

    print("polling Telegram; Ctrl-C to stop")
    await poll(settings.telegram_token.get_secret_value(), settings.telegram_api_base, handle)


def register(sub: Subparsers, *, poll_command: Handler) -> None:
    """``poll_command`` runs the whole app around ``poll_into`` (``app.runtime.terminal``)."""
    telegram = sub.add_parser("telegram", help="the Telegram bot").add_subparsers(dest="action", required=True,
                                                                                  parser_class=OneLineParser)  # fmt: skip
    p = telegram.add_parser("set-webhook", help="register PUBLIC_URL/webhooks/telegram with Telegram")
    p.add_argument("--url", help="override the webhook URL")
    p.set_defaults(func=cmd_set_webhook)
    telegram.add_parser("poll", help="long polling instead of a webhook (development)").set_defaults(func=poll_command)
