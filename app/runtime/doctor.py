"""``helpline doctor``: checks a deployment before people rely on it, by asking the real parts.

Start-up already refuses the worst (missing secrets in production); the doctor
also says what start-up tolerates but a real deployment must not have: plain
http, a development mode, a database behind the newest migration, no Redis, a
Telegram token Telegram refuses, Twilio credentials Twilio refuses, webhook URLs
pointing elsewhere, no recent backup, bot texts a person would read that still
wait for a coordinator's review. Each check is one entry of ``CHECKS``; one
line per problem, each with its fix; exit status 1 when anything is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from collections.abc import Awaitable, Callable

import httpx
from redis import asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.platform.commands import Subparsers
from app.platform.db import create_engine, create_sessionmaker
from app.platform.settings import WEAK_VALUES, Settings, SettingsError
from app.scripts.service import LANGUAGES, unfinished_texts

Problem = str
Check = Callable[[Settings], Awaitable[list[Problem]]]
TIMEOUT = 10.0


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
    missing = [lang for lang in LANGUAGES if lang != "en" and lang not in templates]
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


async def check_config(settings: Settings) -> list[Problem]:
    problems = check_settings(settings)
    if not settings.telegram_token and not settings.twilio_account_sid:
        problems.append("no channel is configured: set HELPLINE_TELEGRAM_TOKEN and/or HELPLINE_TWILIO_ACCOUNT_SID "
                        "(docs/deploy.md, steps 4 and 5)")  # fmt: skip
    return problems


def _heads(sync_conn) -> tuple[set[str], set[str]]:  # type: ignore[no-untyped-def]
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from app.platform.migrate import alembic_config

    current = set(MigrationContext.configure(sync_conn).get_current_heads())
    return current, set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


async def check_database(settings: Settings) -> list[Problem]:
    """The database answers and its schema is at the newest migration this release ships."""
    engine = create_engine(settings.database_url, pgbouncer=settings.db_pgbouncer)
    try:
        async with engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=5)
            current, head = await conn.run_sync(_heads)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return [f"database unreachable ({type(exc).__name__}): check HELPLINE_DATABASE_URL and that it runs"]
    finally:
        await engine.dispose()
    if current != head:
        at = ", ".join(sorted(current)) or "an empty schema"
        return [f"database is not migrated (at {at}, this release needs {', '.join(sorted(head))}): "
                "run 'helpline migrate' (compose: docker compose run --rm migrate)"]  # fmt: skip
    return []


async def check_redis(settings: Settings) -> list[Problem]:
    if not settings.redis_url:
        if settings.is_sqlite:
            return []  # one process: nothing to fan out
        return ["HELPLINE_REDIS_URL is not set: with several instances or workers, consoles miss events and web-chat "
                "frames stay on one instance; set it (compose: redis://redis:6379/0)"]  # fmt: skip
    client = aioredis.from_url(settings.redis_url, socket_connect_timeout=3, socket_timeout=3)
    try:
        await client.ping()
    except Exception as exc:  # noqa: BLE001
        return [f"Redis unreachable ({type(exc).__name__}): check HELPLINE_REDIS_URL and that it runs"]
    finally:
        await client.aclose()
    return []


async def check_telegram(settings: Settings) -> list[Problem]:
    """getMe through the configured API base proves the token; getWebhookInfo shows where updates go."""
    if not settings.telegram_token:
        return []
    base = f"{settings.telegram_api_base.rstrip('/')}/bot{settings.telegram_token.get_secret_value()}"
    expected = settings.public_url.rstrip("/") + "/webhooks/telegram"
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            me = await http.get(f"{base}/getMe")
            if me.status_code != 200 or not me.json().get("ok"):
                return [f"Telegram refused the token (HTTP {me.status_code}): copy it again from @BotFather into "
                        "HELPLINE_TELEGRAM_TOKEN"]  # fmt: skip
            info = (await http.get(f"{base}/getWebhookInfo")).json().get("result") or {}
    except (httpx.HTTPError, ValueError) as exc:
        return [f"Telegram unreachable at {settings.telegram_api_base} ({type(exc).__name__}): check "
                "HELPLINE_TELEGRAM_API_BASE and the server's outgoing network"]  # fmt: skip
    if info.get("url") != expected:
        return [f"Telegram sends updates to {info.get('url') or 'nowhere'}, not {expected}: run "
                "'helpline telegram set-webhook'"]  # fmt: skip
    return []


async def check_twilio(settings: Settings) -> list[Problem]:
    """The account answers to the SID and token, and the number sends its SMS and calls here."""
    if not settings.twilio_account_sid or not settings.twilio_auth_token:
        return []
    sid = settings.twilio_account_sid
    account = f"{settings.twilio_api_base.rstrip('/')}/2010-04-01/Accounts/{sid}"
    auth = (sid, settings.twilio_auth_token.get_secret_value())
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT, auth=auth) as http:
            answer = await http.get(f"{account}.json")
            if answer.status_code != 200:
                return [f"Twilio refused the credentials (HTTP {answer.status_code}): copy the Account SID and Auth "
                        "Token again from the Twilio console into HELPLINE_TWILIO_ACCOUNT_SID/AUTH_TOKEN"]  # fmt: skip
            if not settings.twilio_phone_number:
                return ["HELPLINE_TWILIO_PHONE_NUMBER is not set: the helpline's number in E.164 (+7717…)"]
            numbers = (await http.get(f"{account}/IncomingPhoneNumbers.json",
                                      params={"PhoneNumber": settings.twilio_phone_number})).json()  # fmt: skip
    except (httpx.HTTPError, ValueError) as exc:
        return [f"Twilio unreachable at {settings.twilio_api_base} ({type(exc).__name__}): check "
                "HELPLINE_TWILIO_API_BASE and the server's outgoing network"]  # fmt: skip
    found = (numbers.get("incoming_phone_numbers") or [None])[0]
    if found is None:
        return [f"{settings.twilio_phone_number} is not a number of this Twilio account: check "
                "HELPLINE_TWILIO_PHONE_NUMBER"]  # fmt: skip
    public = settings.public_url.rstrip("/")
    problems = []
    for field, path, label in (("sms_url", "/webhooks/twilio/sms", "A MESSAGE COMES IN"),
                               ("voice_url", "/webhooks/twilio/voice", "A CALL COMES IN")):  # fmt: skip
        if found.get(field) != public + path:
            problems.append(f"the Twilio number's '{label}' URL is {found.get(field) or 'empty'}: set it to "
                            f"{public + path} (HTTP POST) in the Twilio console")  # fmt: skip
    return problems


async def check_backups(settings: Settings) -> list[Problem]:
    """A dump newer than ``backup_max_age_hours`` where the backup service writes (the keys are kept apart)."""
    if settings.backup_dir is None:
        return ["HELPLINE_BACKUP_DIR is not set: point it at the folder the backup service writes its dumps to "
                "(compose: /backups), see docs/deploy.md 'Backups'"]  # fmt: skip
    dumps = [p for p in settings.backup_dir.glob("*") if p.is_file() and p.stat().st_size > 0] \
        if settings.backup_dir.is_dir() else []  # fmt: skip
    if not dumps:
        return [f"no backup in {settings.backup_dir}: start the backup service (docker compose up -d backup) "
                "or run one now (docker compose run --rm backup once)"]  # fmt: skip
    age = (time.time() - max(p.stat().st_mtime for p in dumps)) / 3600
    if age > settings.backup_max_age_hours:
        return [f"the newest backup in {settings.backup_dir} is {age:.0f} h old: check the backup service's log "
                "(docker compose logs backup)"]  # fmt: skip
    return []


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


async def check_texts_reviewed(settings: Settings) -> list[Problem]:
    engine = create_engine(settings.database_url, pgbouncer=settings.db_pgbouncer)
    try:
        return await check_texts(engine)
    finally:
        await engine.dispose()


# Every check, in the order printed. Other rooms add theirs with ``register_check``.
CHECKS: list[tuple[str, Check]] = [
    ("settings, keys and pepper", check_config),
    ("database migrated to head", check_database),
    ("every person-facing text reviewed", check_texts_reviewed),
    ("Redis", check_redis),
    ("Telegram", check_telegram),
    ("Twilio", check_twilio),
    ("backups", check_backups),
]


def register_check(name: str, check: Check) -> None:
    CHECKS.append((name, check))


async def _diagnose(settings: Settings) -> list[tuple[str, list[Problem]]]:
    return [(name, await check(settings)) for name, check in CHECKS]


def diagnose(settings: Settings) -> list[Problem]:
    return [problem for _, problems in asyncio.run(_diagnose(settings)) for problem in problems]


def cmd_doctor(_: argparse.Namespace, make_settings: Callable[[], Settings] = Settings) -> int:
    try:
        settings = make_settings()
    except Exception as exc:  # noqa: BLE001 - a setting that does not even parse
        print(f"✗ settings do not load: {exc}")
        return 1
    results = asyncio.run(_diagnose(settings))
    failed = 0
    for name, problems in results:
        if not problems:
            print(f"✓ {name}")
        for problem in problems:
            print(f"✗ {problem}")
        failed += len(problems)
    if failed:
        print(f"{failed} problem(s): fix them and run 'helpline doctor' again")
        return 1
    print("✓ this deployment is ready for people to rely on")
    return 0


def register(sub: Subparsers) -> None:
    sub.add_parser("doctor", help="check this deployment (database, Redis, Telegram, Twilio, keys, backups); "
                   "exit 1 if anything is wrong").set_defaults(func=cmd_doctor)  # fmt: skip
