"""``helpline doctor``: checks a deployment's settings before people rely on it.

Start-up already refuses the worst (missing secrets in production); the doctor
also says what start-up tolerates but a real deployment must not have: plain
http, a development mode, an unreachable database or Redis, no retention, bot
texts a person would read that still wait for a coordinator's review. One
line per problem, each with its fix; exit status 1 when anything is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from collections.abc import Callable

from redis import asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.platform import languages as registry
from app.platform.commands import Subparsers
from app.platform.db import create_engine, create_sessionmaker
from app.platform.settings import WEAK_VALUES, Settings, SettingsError
from app.scripts.service import unfinished_texts

Problem = str


def _secret(settings: Settings, name: str, min_len: int = 32) -> list[Problem]:
    value = getattr(settings, name.lower())
    raw = value.get_secret_value() if value is not None else ""
    if not raw or raw.strip().lower() in WEAK_VALUES:
        return [f"HELPLINE_{name} is not set: set a random value of at least {min_len} characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"]  # fmt: skip
    if len(raw) < min_len or len(set(raw)) < 10:
        return [f"HELPLINE_{name} is weak: use at least {min_len} random characters"]
    return []


def _whatsapp(settings: Settings) -> list[Problem]:
    """The WhatsApp sender, its approved template in every language people write in, the window."""
    sender = settings.whatsapp_sender
    if not sender:
        return []
    problems: list[Problem] = []
    if not re.fullmatch(r"whatsapp:\+[1-9]\d{6,14}", sender):
        problems.append(f"HELPLINE_WHATSAPP_SENDER is {sender!r}: write the approved sender as whatsapp:+<country><number>")
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        problems.append("HELPLINE_WHATSAPP_SENDER is set without HELPLINE_TWILIO_ACCOUNT_SID and "
                        "HELPLINE_TWILIO_AUTH_TOKEN: WhatsApp goes through Twilio and needs both")  # fmt: skip
    templates = settings.whatsapp_templates
    for lang, sid in sorted(templates.items()):
        if not re.fullmatch(r"HX[0-9a-fA-F]{32}", sid):
            problems.append(f"HELPLINE_WHATSAPP_TEMPLATES[{lang}] is {sid!r}: use the ContentSid (HX…) of an approved template")
    missing = [lang for lang in registry.codes() if lang != "en" and lang not in templates]
    if missing:
        fallback = "they get the Russian one" if "ru" in templates else "nothing can reach them"
        problems.append(f"HELPLINE_WHATSAPP_TEMPLATES has no approved template for {', '.join(missing)}: after 24 hours "
                        f"of silence {fallback}; add a neutral 'You have a new message' template per language")  # fmt: skip
    for name, sid in sorted(settings.whatsapp_button_templates.items()):
        if not re.fullmatch(r"HX[0-9a-fA-F]{32}", sid):
            problems.append(f"HELPLINE_WHATSAPP_BUTTON_TEMPLATES[{name}] is {sid!r}: use the ContentSid (HX…) of an "
                            "approved quick-reply template")  # fmt: skip
    alert = settings.whatsapp_alert_template
    if alert and not re.fullmatch(r"HX[0-9a-fA-F]{32}", alert):
        problems.append(f"HELPLINE_WHATSAPP_ALERT_TEMPLATE is {alert!r}: use the ContentSid (HX…) of an approved template")
    if not 1 <= settings.whatsapp_window_hours <= 24:
        problems.append(f"HELPLINE_WHATSAPP_WINDOW_HOURS is {settings.whatsapp_window_hours}: WhatsApp allows free-form "
                        "replies for at most 24 hours after the person's last message")  # fmt: skip
    return problems


def check_settings(settings: Settings) -> list[Problem]:
    """Everything that can be judged from the settings alone."""
    problems: list[Problem] = []
    if not settings.is_production:
        problems.append(f"HELPLINE_ENV is {settings.env}: set HELPLINE_ENV=production (refuses weak secrets at start)")
    problems += _secret(settings, "SECRET_KEY") + _secret(settings, "PEPPER")
    if settings.encryption_keys is None:
        problems.append("HELPLINE_ENCRYPTION_KEYS is not set: generate one with 'helpline keys new'")
    else:
        try:
            _ = settings.key_list  # parsing it is the check
        except SettingsError as exc:
            problems.append(f"{exc}: generate one with 'helpline keys new'")
    if not settings.public_url.startswith("https://"):
        problems.append(f"HELPLINE_PUBLIC_URL is {settings.public_url}: use the public https:// address "
                        "(webhooks and Twilio signatures need it)")  # fmt: skip
    if settings.telegram_token and not settings.telegram_webhook_secret:
        problems.append("HELPLINE_TELEGRAM_WEBHOOK_SECRET is not set while Telegram is on: set a random value "
                        "(forged updates are refused with it)")  # fmt: skip
    elif settings.telegram_token:
        problems += [p.replace("at least 32", "at least 16") for p in _secret(settings, "TELEGRAM_WEBHOOK_SECRET", 16)]
    if settings.twilio_account_sid and not settings.twilio_auth_token:
        problems.append("HELPLINE_TWILIO_AUTH_TOKEN is not set while Twilio is on: copy it from the Twilio console "
                        "(signatures are checked with it)")  # fmt: skip
    problems += _whatsapp(settings)
    if not 1 <= settings.retention_days <= 365:
        problems.append(f"HELPLINE_RETENTION_DAYS is {settings.retention_days}: set 1-365 days (90 is the default)")
    if settings.is_sqlite and settings.is_production:
        problems.append("HELPLINE_DATABASE_URL is SQLite: production runs on PostgreSQL (postgresql+asyncpg://…)")
    return problems


async def check_reachable(settings: Settings) -> list[Problem]:
    """The database answers, and Redis when it is configured."""
    problems: list[Problem] = []
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=5)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        problems.append(f"database unreachable ({type(exc).__name__}): check HELPLINE_DATABASE_URL and that it runs")
    else:
        problems += await check_texts(engine)
    finally:
        await engine.dispose()
    if settings.redis_url:
        client = aioredis.from_url(settings.redis_url, socket_connect_timeout=3)
        try:
            await client.ping()
        except Exception as exc:  # noqa: BLE001
            problems.append(f"Redis unreachable ({type(exc).__name__}): check HELPLINE_REDIS_URL and that it runs")
        finally:
            await client.aclose()
    return problems


async def check_texts(engine: AsyncEngine) -> list[Problem]:
    """Person-facing texts still unreviewed (or holding a ``[...]`` note): people get fallbacks meanwhile."""
    try:
        async with create_sessionmaker(engine)() as session:
            waiting = await unfinished_texts(session)
    except Exception as exc:  # noqa: BLE001 - an unmigrated database is reported, not raised
        return [f"bot texts unreadable ({type(exc).__name__}): run 'helpline migrate'"]
    if not waiting:
        return []
    shown = ", ".join(f"{key} {lang}/{variant}" for key, lang, variant in waiting[:6])
    more = f" and {len(waiting) - 6} more" if len(waiting) > 6 else ""
    return [f"{len(waiting)} bot text(s) wait for review ({shown}{more}): check and publish them in /admin/scripts "
            "(until then people get the short 112 line or the previous reviewed version)"]


def diagnose(settings: Settings) -> list[Problem]:
    return check_settings(settings) + asyncio.run(check_reachable(settings))


def cmd_doctor(_: argparse.Namespace, make_settings: Callable[[], Settings] = Settings) -> int:
    try:
        settings = make_settings()
    except Exception as exc:  # noqa: BLE001 - a setting that does not even parse
        print(f"settings do not load: {exc}")
        return 1
    problems = diagnose(settings)
    for problem in problems:
        print(f"✗ {problem}")
    if problems:
        print(f"{len(problems)} problem(s): fix them and run 'helpline doctor' again")
        return 1
    print("✓ settings, database and Redis look right for production")
    return 0


def register(sub: Subparsers) -> None:
    sub.add_parser("doctor", help="check this deployment's settings; exit 1 if anything is wrong").set_defaults(
        func=cmd_doctor)  # fmt: skip

