"""`helpline doctor` asks the real parts (database, Redis, Telegram, Twilio, backups) and names every
problem with its fix; it passes a sound deployment and fails an unmigrated one."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.cli import main
from app.platform.settings import new_key_spec
from app.scripts.service import LANGUAGES
from tests.conftest import PG_URL
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, FakeTwilioAPI
from tests.reliability.conftest import REDIS_URL, needs_redis

PUBLIC = "https://help.example.org"
NUMBER = "+77170000000"
SOUND = {
    "HELPLINE_ENV": "production", "HELPLINE_SECRET_KEY": "Kx9-" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z",
    "HELPLINE_PEPPER": "Pq8_" + "zY2xW4vU6tS8rQ0pO2nM4lK6jI8hG0fE2d", "HELPLINE_ENCRYPTION_KEYS": new_key_spec("k1"),
    "HELPLINE_PUBLIC_URL": PUBLIC, "HELPLINE_RETENTION_DAYS": "90", "HELPLINE_REDIS_URL": REDIS_URL,
    "HELPLINE_TELEGRAM_WEBHOOK_SECRET": "tg-webhook-secret-0123456789", "HELPLINE_TWILIO_ACCOUNT_SID": DEFAULT_ACCOUNT_SID,
    "HELPLINE_TWILIO_AUTH_TOKEN": DEFAULT_AUTH_TOKEN, "HELPLINE_TWILIO_PHONE_NUMBER": NUMBER,
}  # fmt: skip


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, clean_db: str, tmp_path: Path, fake_telegram: FakeTelegramAPI,
        fake_twilio: FakeTwilioAPI) -> pytest.MonkeyPatch:  # fmt: skip
    """A deployment as docs/deploy.md leaves it: webhooks registered, number pointed here, a fresh dump."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, value in SOUND.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HELPLINE_DATABASE_URL", clean_db)
    monkeypatch.setenv("HELPLINE_TELEGRAM_TOKEN", fake_telegram.token)
    monkeypatch.setenv("HELPLINE_TELEGRAM_API_BASE", fake_telegram.base_url)
    monkeypatch.setenv("HELPLINE_TWILIO_API_BASE", fake_twilio.base_url)
    fake_telegram.webhook = {"url": f"{PUBLIC}/webhooks/telegram"}
    fake_twilio.numbers[NUMBER] = {"sms_url": f"{PUBLIC}/webhooks/twilio/sms", "voice_url": f"{PUBLIC}/webhooks/twilio/voice"}
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "helpline-20261202T0300.dump").write_bytes(b"PGDMP")
    monkeypatch.setenv("HELPLINE_BACKUP_DIR", str(backups))
    return monkeypatch


async def doctor(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the command in a thread: the fake providers answer on this test's loop meanwhile."""
    code = await asyncio.to_thread(main, ["doctor"])
    return code, capsys.readouterr().out


@needs_redis
async def test_a_sound_deployment_passes(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = await doctor(capsys)
    problems = [line for line in out.splitlines() if line.startswith("✗")]
    on_sqlite = [p for p in problems if "SQLite" in p]  # the test database, when the suite runs on SQLite
    assert problems == on_sqlite, out
    assert code == (1 if on_sqlite else 0)
    for name in ("database migrated to head", "Redis", "Telegram", "Twilio", "backups"):
        assert f"✓ {name}" in out


@pytest.fixture
def unmigrated_url(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A brand-new, never-migrated database on the suite's engine."""
    if not PG_URL:
        yield f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
        return
    name = f"helpline_doctor_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        engine = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    asyncio.run(admin(f'DROP DATABASE "{name}"'))


async def test_a_never_migrated_database_fails_with_the_fix(env: pytest.MonkeyPatch, unmigrated_url: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    env.setenv("HELPLINE_DATABASE_URL", unmigrated_url)
    code, out = await doctor(capsys)
    assert code == 1
    assert "database is not migrated (at an empty schema" in out and "helpline migrate" in out, out


async def test_refused_credentials_and_unregistered_webhooks_are_named(env: pytest.MonkeyPatch, fake_telegram: FakeTelegramAPI,
                                                                      fake_twilio: FakeTwilioAPI,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    fake_telegram.webhook = {}
    fake_twilio.numbers[NUMBER] = {"sms_url": "https://old.example.org/sms", "voice_url": f"{PUBLIC}/webhooks/twilio/voice"}
    code, out = await doctor(capsys)
    assert code == 1
    assert "not https://help.example.org/webhooks/telegram: run 'helpline telegram set-webhook'" in out, out
    assert "'A MESSAGE COMES IN' URL is https://old.example.org/sms: set it to https://help.example.org/webhooks/twilio/sms" in out
    assert "A CALL COMES IN" not in out  # the right one is not blamed

    env.setenv("HELPLINE_TELEGRAM_TOKEN", "999:not-the-bot")
    env.setenv("HELPLINE_TWILIO_AUTH_TOKEN", "wrong-token")
    code, out = await doctor(capsys)
    assert code == 1
    assert "Telegram refused the token" in out and "@BotFather" in out
    assert "Twilio refused the credentials" in out


async def test_missing_or_stale_backups_are_named(env: pytest.MonkeyPatch, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    import os

    old = tmp_path / "backups" / "helpline-20261110T0300.dump"
    (tmp_path / "backups" / "helpline-20261202T0300.dump").rename(old)
    os.utime(old, (0, 0))
    code, out = await doctor(capsys)
    assert code == 1 and "h old: check the backup service's log" in out
    env.delenv("HELPLINE_BACKUP_DIR")
    code, out = await doctor(capsys)
    assert code == 1 and "HELPLINE_BACKUP_DIR is not set" in out


async def test_each_unsafe_setting_is_named_with_its_fix(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    env.setenv("HELPLINE_ENV", "development")
    env.setenv("HELPLINE_PEPPER", "changeme")
    env.setenv("HELPLINE_PUBLIC_URL", "http://help.example.org")
    env.delenv("HELPLINE_TELEGRAM_WEBHOOK_SECRET")
    env.delenv("HELPLINE_TWILIO_AUTH_TOKEN")
    env.setenv("HELPLINE_RETENTION_DAYS", "0")
    env.setenv("HELPLINE_DATABASE_URL", "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    env.setenv("HELPLINE_REDIS_URL", "redis://127.0.0.1:1/0")
    code, out = await doctor(capsys)
    assert code == 1
    for needle in ("HELPLINE_ENV", "HELPLINE_PEPPER", "https://", "TELEGRAM_WEBHOOK_SECRET", "TWILIO_AUTH_TOKEN",
                   "RETENTION_DAYS", "database unreachable", "Redis unreachable"):  # fmt: skip
        assert needle in out, (needle, out)
    assert "SECRET_KEY" not in out  # the good one is not blamed


async def test_no_channel_and_no_redis_on_postgresql_are_problems(env: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    for name in ("HELPLINE_TELEGRAM_TOKEN", "HELPLINE_TWILIO_ACCOUNT_SID", "HELPLINE_REDIS_URL"):
        env.delenv(name)
    env.setenv("HELPLINE_DATABASE_URL", "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    code, out = await doctor(capsys)
    assert code == 1 and "no channel is configured" in out and "HELPLINE_REDIS_URL is not set" in out


async def test_a_missing_encryption_key_is_reported(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    env.delenv("HELPLINE_ENCRYPTION_KEYS")
    code, out = await doctor(capsys)
    assert code == 1 and "helpline keys new" in out


async def test_whatsapp_sender_templates_and_window_are_checked(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    env.setenv("HELPLINE_TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    env.setenv("HELPLINE_TWILIO_AUTH_TOKEN", "t" * 32)
    env.setenv("HELPLINE_WHATSAPP_SENDER", "+77170000001")
    env.setenv("HELPLINE_WHATSAPP_TEMPLATES", '{"ru": "HX' + "a" * 32 + '", "kk": "template-1"}')
    env.setenv("HELPLINE_WHATSAPP_WINDOW_HOURS", "48")
    env.setenv("HELPLINE_WHATSAPP_BUTTON_TEMPLATES", '{"erase:kk": "quick"}')
    code, out = await doctor(capsys)
    assert code == 1
    for needle in ("HELPLINE_WHATSAPP_SENDER is '+77170000001'", "HELPLINE_WHATSAPP_TEMPLATES[kk]",
                   "no approved template for uz", "the Russian one", "HELPLINE_WHATSAPP_WINDOW_HOURS is 48",
                   "HELPLINE_WHATSAPP_BUTTON_TEMPLATES[erase:kk]"):  # fmt: skip
        assert needle in out, (needle, out)

    env.setenv("HELPLINE_WHATSAPP_SENDER", "whatsapp:+77170000001")
    every = {lang: f"HX{n:032x}" for n, lang in enumerate(LANGUAGES) if lang != "en"}
    env.setenv("HELPLINE_WHATSAPP_TEMPLATES", json.dumps(every))
    env.setenv("HELPLINE_WHATSAPP_WINDOW_HOURS", "24")
    env.setenv("HELPLINE_WHATSAPP_BUTTON_TEMPLATES", '{"erase:kk": "HX' + "e" * 32 + '"}')
    _, out = await doctor(capsys)
    assert "WHATSAPP" not in out


async def test_person_facing_texts_waiting_for_review_are_refused(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                                                  clean_db: str) -> None:  # fmt: skip
    from app.scripts.service import seed_database

    await seed_database(clean_db)  # a fresh install: every country's full numbers line waits for review
    code, out = await doctor(capsys)
    assert code == 1
    assert "wait for review" in out and "/admin/scripts" in out  # e.g. numbers.AE and the ky/tg legal texts
