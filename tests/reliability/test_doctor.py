"""`helpline doctor` names every unsafe setting with its fix, and passes a sound deployment."""

from __future__ import annotations

import asyncio
import json

import pytest

from app.cli import main
from app.platform.settings import new_key_spec
from app.scripts.service import LANGUAGES

SOUND = {
    "HELPLINE_ENV": "production", "HELPLINE_SECRET_KEY": "Kx9-" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z",
    "HELPLINE_PEPPER": "Pq8_" + "zY2xW4vU6tS8rQ0pO2nM4lK6jI8hG0fE2d", "HELPLINE_ENCRYPTION_KEYS": new_key_spec("k1"),
    "HELPLINE_PUBLIC_URL": "https://help.example.org", "HELPLINE_RETENTION_DAYS": "90",
}  # fmt: skip


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, clean_db: str, tmp_path) -> pytest.MonkeyPatch:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("HELPLINE_TELEGRAM_TOKEN", "HELPLINE_TWILIO_ACCOUNT_SID", "HELPLINE_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in SOUND.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HELPLINE_DATABASE_URL", clean_db)
    return monkeypatch


def test_a_sound_deployment_passes(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["doctor"])
    out = capsys.readouterr().out
    problems = [line for line in out.splitlines() if line.startswith("✗")]
    on_sqlite = [p for p in problems if "SQLite" in p]  # the test database, when the suite runs on SQLite
    assert problems == on_sqlite, out
    assert code == (1 if on_sqlite else 0)


def test_each_unsafe_setting_is_named_with_its_fix(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    env.setenv("HELPLINE_ENV", "development")
    env.setenv("HELPLINE_PEPPER", "changeme")
    env.setenv("HELPLINE_PUBLIC_URL", "http://help.example.org")
    env.setenv("HELPLINE_TELEGRAM_TOKEN", "123:abc")
    env.setenv("HELPLINE_TWILIO_ACCOUNT_SID", "AC123")
    env.setenv("HELPLINE_RETENTION_DAYS", "0")
    env.setenv("HELPLINE_DATABASE_URL", "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    env.setenv("HELPLINE_REDIS_URL", "redis://127.0.0.1:1/0")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    for needle in ("HELPLINE_ENV", "HELPLINE_PEPPER", "https://", "TELEGRAM_WEBHOOK_SECRET", "TWILIO_AUTH_TOKEN",
                   "RETENTION_DAYS", "database unreachable", "Redis unreachable"):  # fmt: skip
        assert needle in out, (needle, out)
    assert "SECRET_KEY" not in out  # the good one is not blamed


def test_a_missing_encryption_key_is_reported(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    env.delenv("HELPLINE_ENCRYPTION_KEYS")
    assert main(["doctor"]) == 1
    assert "helpline keys new" in capsys.readouterr().out


def test_whatsapp_sender_templates_and_window_are_checked(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    env.setenv("HELPLINE_TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    env.setenv("HELPLINE_TWILIO_AUTH_TOKEN", "t" * 32)
    env.setenv("HELPLINE_WHATSAPP_SENDER", "+77170000001")
    env.setenv("HELPLINE_WHATSAPP_TEMPLATES", '{"ru": "HX' + "a" * 32 + '", "kk": "template-1"}')
    env.setenv("HELPLINE_WHATSAPP_WINDOW_HOURS", "48")
    env.setenv("HELPLINE_WHATSAPP_BUTTON_TEMPLATES", '{"erase:kk": "quick"}')
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    for needle in ("HELPLINE_WHATSAPP_SENDER is '+77170000001'", "HELPLINE_WHATSAPP_TEMPLATES[kk]",
                   "no approved template for uz", "the Russian one", "HELPLINE_WHATSAPP_WINDOW_HOURS is 48",
                   "HELPLINE_WHATSAPP_BUTTON_TEMPLATES[erase:kk]"):  # fmt: skip
        assert needle in out, (needle, out)

    env.setenv("HELPLINE_WHATSAPP_SENDER", "whatsapp:+77170000001")
    every = {lang: f"HX{n:032x}" for n, lang in enumerate(LANGUAGES) if lang != "en"}
    env.setenv("HELPLINE_WHATSAPP_TEMPLATES", json.dumps(every))
    env.setenv("HELPLINE_WHATSAPP_WINDOW_HOURS", "24")
    env.setenv("HELPLINE_WHATSAPP_BUTTON_TEMPLATES", '{"erase:kk": "HX' + "e" * 32 + '"}')
    main(["doctor"])
    assert "WHATSAPP" not in capsys.readouterr().out


def test_person_facing_texts_waiting_for_review_are_refused(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                                            clean_db: str) -> None:  # fmt: skip
    from app.scripts.service import seed_database

    asyncio.run(seed_database(clean_db))  # a fresh install: every country's full numbers line waits for review
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "wait for review" in out and "numbers.AE" in out and "/admin/scripts" in out
