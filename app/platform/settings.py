"""Settings from the environment (prefix ``HELPLINE_``) and ``.env``.

Secrets have no defaults: in production a missing or weak one stops start-up
with the setting's name; in development they are generated once into
``DATA_DIR/secrets.json`` so that ``make run`` works on a fresh machine.
"""

from __future__ import annotations

import base64
import json
import math
import os
import secrets
from collections import Counter
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# 41 repeated "a"s have the length of a secret and none of its strength.
MIN_ENTROPY_BITS = 128
MIN_DISTINCT = 12
WEAK_VALUES = {"", "changeme", "change-me", "secret", "password", "dev", "test", "default"}
GENERATED = ("SECRET_KEY", "PEPPER", "ENCRYPTION_KEYS")


class SettingsError(RuntimeError):
    """A deployment setting is missing or unsafe; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HELPLINE_", env_file=".env", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = "sqlite+aiosqlite:///./var/helpline.db"
    data_dir: Path = Path("./var")
    public_url: str = "http://127.0.0.1:8000"
    secret_key: SecretStr | None = None
    pepper: SecretStr | None = None
    # "kid:base64key,kid:base64key" - the first encrypts, all decrypt.
    encryption_keys: SecretStr | None = None
    retention_days: int = 90
    # Casework statistics show a count under this as "<k" (app.casework.stats); a page may raise it, never lower it.
    stats_min_count: int = 11
    log_level: str = "INFO"
    log_json: bool = True

    telegram_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_phone_number: str | None = None
    twilio_api_base: str = "https://api.twilio.com"
    # WhatsApp over Twilio: the approved sender ("whatsapp:+…"), the approved neutral Content
    # template per language ('{"ru": "HX…", "kk": "HX…"}') sent when the 24-hour window is closed.
    whatsapp_sender: str | None = None
    whatsapp_templates: dict[str, str] = {}
    # Operator alerts on WhatsApp: an approved template "{{1}} needs you, reply TAKE {{1}}" (optional).
    whatsapp_alert_template: str | None = None
    # Quick-reply templates for the bot's buttons, by button set and language ('{"erase:kk": "HX…", "lang": "HX…"}');
    # a set without one is sent as numbered options.
    whatsapp_button_templates: dict[str, str] = {}
    whatsapp_window_hours: int = 24

    nlu_backend: Literal["embedded", "rasa", "keywords"] = "embedded"
    rasa_url: str = "http://127.0.0.1:5005"
    nlu_model_path: Path | None = None
    redis_url: str | None = None

    discreet_mode: bool = False
    outbox_max_attempts: int = 8
    worker_enabled: bool = True
    worker_interval: float = 0.2
    owner_silence_seconds: int = 300
    demo_login: bool = True
    # Workspace sessions end after this long without a request.
    session_idle_minutes: int = 30
    # /metrics, /docs and /openapi.json answer only these client addresses, or a request bearing ops_token.
    ops_addresses: str = "127.0.0.1,::1"
    ops_token: SecretStr | None = None

    # Deployment (docs/deploy.md). Per process: at most pool + overflow PostgreSQL connections.
    db_pool_size: int = 5
    db_max_overflow: int = 5
    db_pgbouncer: bool = False  # through PgBouncer in transaction mode: statement caches off
    nlu_model_poll_seconds: float = 2.0  # how often each worker asks the database for a newly activated model
    backup_dir: Path | None = None  # where the pg_dump service writes; `helpline doctor` checks the newest dump
    backup_max_age_hours: int = 36

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def model_path(self) -> Path:
        return self.nlu_model_path or self.data_dir / "nlu-model.pkl"

    @cached_property
    def key_list(self) -> list[tuple[str, bytes]]:
        """Parse ENCRYPTION_KEYS into (key id, 32-byte key) pairs, primary first."""
        raw = self.encryption_keys.get_secret_value() if self.encryption_keys else ""
        keys: list[tuple[str, bytes]] = []
        for part in filter(None, (p.strip() for p in raw.split(","))):
            kid, sep, b64 = part.partition(":")
            if not sep or not kid.isalnum():
                raise SettingsError("HELPLINE_ENCRYPTION_KEYS: each key must be 'id:base64' with an alphanumeric id")
            try:
                key = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
            except ValueError as exc:
                raise SettingsError(f"HELPLINE_ENCRYPTION_KEYS: key {kid!r} is not base64") from exc
            if len(key) != 32:
                raise SettingsError(f"HELPLINE_ENCRYPTION_KEYS: key {kid!r} must be 32 bytes, got {len(key)}")
            keys.append((kid, key))
        if not keys:
            raise SettingsError("HELPLINE_ENCRYPTION_KEYS is not set")
        return keys


def new_key_spec(kid: str) -> str:
    """A fresh 'kid:base64' key for ENCRYPTION_KEYS."""
    return f"{kid}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('=')}"


def entropy_bits(raw: str) -> float:
    """A generous estimate of a secret's randomness: its length times the spread of its characters."""
    if not raw:
        return 0.0
    counts = Counter(raw)
    per_char = -sum(n / len(raw) * math.log2(n / len(raw)) for n in counts.values())
    return per_char * len(raw)


def _repeats_a_shorter_unit(raw: str) -> bool:
    return bool(raw) and (raw + raw).find(raw, 1) < len(raw)


def _check_secret(name: str, value: SecretStr | None, min_len: int = 32) -> None:
    raw = value.get_secret_value() if value else ""
    if raw.strip().lower() in WEAK_VALUES:
        raise SettingsError(f"HELPLINE_{name} is missing: set a strong random value (at least {min_len} characters)")
    if len(raw) < min_len:
        raise SettingsError(f"HELPLINE_{name} is too short: at least {min_len} characters")
    if len(set(raw)) < MIN_DISTINCT or entropy_bits(raw) < MIN_ENTROPY_BITS or _repeats_a_shorter_unit(raw):
        raise SettingsError(f"HELPLINE_{name} is not random enough: generate one, e.g. "
                            "python -c 'import secrets; print(secrets.token_urlsafe(48))'")  # fmt: skip


def _load_dev_secrets(settings: Settings) -> Settings:
    """Generate development secrets once into DATA_DIR and reuse them afterwards."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / "secrets.json"
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    changed = False
    generators = {
        "SECRET_KEY": lambda: secrets.token_urlsafe(48),
        "PEPPER": lambda: secrets.token_urlsafe(48),
        "ENCRYPTION_KEYS": lambda: new_key_spec("k1"),
    }
    updates: dict[str, SecretStr] = {}
    for name in GENERATED:
        if getattr(settings, name.lower()) is not None:
            continue
        if name not in stored:
            stored[name] = generators[name]()
            changed = True
        updates[name.lower()] = SecretStr(stored[name])
    if changed:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(stored, fh, indent=2)
    return settings.model_copy(update=updates) if updates else settings


def load_settings(**overrides: object) -> Settings:
    """Read settings; fill development secrets or refuse unsafe production ones."""
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if settings.is_production:
        _check_secret("SECRET_KEY", settings.secret_key)
        _check_secret("PEPPER", settings.pepper)
        if settings.encryption_keys is None:
            raise SettingsError("HELPLINE_ENCRYPTION_KEYS is missing: generate one with 'helpline keys new'")
        if settings.telegram_token and not settings.telegram_webhook_secret:
            raise SettingsError("HELPLINE_TELEGRAM_WEBHOOK_SECRET is missing while HELPLINE_TELEGRAM_TOKEN is set")
        if settings.ops_token is not None:
            _check_secret("OPS_TOKEN", settings.ops_token)
        if settings.twilio_account_sid and not settings.twilio_auth_token:
            raise SettingsError("HELPLINE_TWILIO_AUTH_TOKEN is missing while HELPLINE_TWILIO_ACCOUNT_SID is set")
    else:
        settings = _load_dev_secrets(settings)
    _ = settings.key_list  # validate now, not on the first message
    return settings
