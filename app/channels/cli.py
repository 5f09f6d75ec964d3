"""``helpline telegram set-webhook|poll``: register the webhook, or poll in development."""

from __future__ import annotations

import argparse
import asyncio
import sys

from app.cli import REGISTRARS, OneLineParser, _settings


def cmd_set_webhook(args: argparse.Namespace) -> int:
    from bots.telegram import TelegramSender

    settings = _settings()
    if not settings.telegram_token or not settings.telegram_webhook_secret:
        print("helpline: set HELPLINE_TELEGRAM_TOKEN and HELPLINE_TELEGRAM_WEBHOOK_SECRET first", file=sys.stderr)
        return 2
    url = args.url or settings.public_url.rstrip("/") + "/webhooks/telegram"
    if not url.startswith("https://"):
        print("helpline: Telegram only calls https webhooks; set HELPLINE_PUBLIC_URL", file=sys.stderr)
        return 2

    async def run() -> None:
        sender = TelegramSender(settings.telegram_token.get_secret_value(), settings.telegram_api_base)
        try:
            await sender.set_webhook(url, settings.telegram_webhook_secret.get_secret_value())
        finally:
            await sender.close()

    asyncio.run(run())
    print(f"webhook set to {url}")
    return 0


def cmd_poll(_: argparse.Namespace) -> int:
    """Long polling for development: updates take the same path as webhook deliveries."""
    from app.channels.webhooks import accept
    from app.migrate import upgrade
    from app.services import build_services
    from bots.errors import InvalidRequest
    from bots.telegram import parse_update, poll

    settings = _settings()
    if not settings.telegram_token:
        print("helpline: set HELPLINE_TELEGRAM_TOKEN first", file=sys.stderr)
        return 2
    upgrade(settings.database_url)

    async def run() -> None:
        services = await build_services(settings)
        services.jobs.start()

        async def handle(raw: bytes) -> None:
            try:
                parsed = parse_update(raw)
            except InvalidRequest:
                return
            if parsed.inbound is not None:
                await accept(services, parsed.inbound, {"callback_query_id": parsed.callback_query_id})

        try:
            print("polling Telegram; Ctrl-C to stop")
            await poll(settings.telegram_token.get_secret_value(), settings.telegram_api_base, handle)
        finally:
            await services.close()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    telegram = sub.add_parser("telegram", help="the Telegram bot").add_subparsers(dest="action", required=True,
                                                                                  parser_class=OneLineParser)  # fmt: skip
    p = telegram.add_parser("set-webhook", help="register PUBLIC_URL/webhooks/telegram with Telegram")
    p.add_argument("--url", help="override the webhook URL")
    p.set_defaults(func=cmd_set_webhook)
    telegram.add_parser("poll", help="long polling instead of a webhook (development)").set_defaults(func=cmd_poll)


REGISTRARS.append(register)
