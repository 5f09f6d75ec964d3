"""Settings refuse unsafe production secrets and generate development ones once."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from app.platform.settings import SettingsError, load_settings, new_key_spec

STRONG = secrets.token_urlsafe(48)


def test_production_without_a_secret_names_the_missing_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HELPLINE_PEPPER", raising=False)
    with pytest.raises(SettingsError, match="HELPLINE_SECRET_KEY"):
        load_settings(env="production", secret_key="changeme", _env_file=None)
    with pytest.raises(SettingsError, match="HELPLINE_PEPPER"):
        load_settings(env="production", secret_key=STRONG, _env_file=None)
    with pytest.raises(SettingsError, match="HELPLINE_ENCRYPTION_KEYS"):
        load_settings(env="production", secret_key=STRONG, pepper=STRONG[::-1], _env_file=None)


def test_production_with_strong_secrets_starts() -> None:
    settings = load_settings(env="production", secret_key=STRONG, pepper=STRONG[::-1],
                             encryption_keys=new_key_spec("k1"), _env_file=None)  # fmt: skip
    assert settings.key_list[0][0] == "k1"


@pytest.mark.parametrize("weak", ["a" * 41, "ab" * 30, "0123456789" * 5, "password" * 6, "x" * 64])
def test_production_refuses_a_long_secret_with_low_entropy(weak: str) -> None:
    with pytest.raises(SettingsError, match="HELPLINE_SECRET_KEY is not random enough"):
        load_settings(env="production", secret_key=weak, pepper=STRONG, encryption_keys=new_key_spec("k1"),
                      _env_file=None)  # fmt: skip


def test_development_secrets_are_generated_once_and_reused(tmp_path: Path) -> None:
    first = load_settings(env="development", data_dir=tmp_path, _env_file=None)
    second = load_settings(env="development", data_dir=tmp_path, _env_file=None)
    assert first.pepper.get_secret_value() == second.pepper.get_secret_value()
    assert (tmp_path / "secrets.json").stat().st_mode & 0o077 == 0


def test_malformed_encryption_key_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="32 bytes"):
        load_settings(env="development", data_dir=tmp_path, encryption_keys="k1:abcd", _env_file=None)
