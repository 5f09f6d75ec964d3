"""What can be checked of the deployment without a Docker daemon: the example settings cover every
setting, compose resolves with them, the image is built the safe way, the backup restores."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from app.inbound.ratelimit import LimitSettings
from app.outbox.worker import OutboxSettings
from app.platform.settings import Settings
from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


@pytest.mark.parametrize("settings_class", [Settings, LimitSettings, OutboxSettings])
def test_every_setting_the_app_reads_is_in_the_example_env(settings_class: type) -> None:
    listed = set(re.findall(r"^#?\s*(HELPLINE_[A-Z0-9_]+)=", EXAMPLE, re.MULTILINE))
    prefix = settings_class.model_config["env_prefix"]  # type: ignore[attr-defined]
    missing = [f"{prefix}{name}".upper() for name in settings_class.model_fields if f"{prefix}{name}".upper() not in listed]
    assert not missing, f"add to .env.example: {missing}"


def test_the_example_env_has_no_inline_comments_compose_v1_would_keep_in_the_value() -> None:
    assert not [line for line in EXAMPLE.splitlines() if re.match(r"^[A-Z_]+=\S*\s+#", line)]


def _compose() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    return None


@pytest.mark.skipif(_compose() is None, reason="neither docker-compose nor the compose plugin is installed")
def test_compose_resolves_with_the_example_env() -> None:
    env = {**os.environ, "HELPLINE_ENV_FILE": ".env.example", "HELPLINE_DOMAIN": "help.example.org",
           "ACME_EMAIL": "it@example.org", "POSTGRES_PASSWORD": "example-password"}  # fmt: skip
    run = subprocess.run([*_compose(), "--env-file", ".env.example", "config"], cwd=ROOT, env=env,  # type: ignore[misc]
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.returncode == 0, run.stderr
    import yaml

    config = yaml.safe_load(run.stdout)
    services = config["services"]
    assert {"app", "migrate", "caddy", "postgres", "redis", "backup"} <= set(services)
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["helpline", "migrate"]
    assert services["app"]["environment"]["HELPLINE_PUBLIC_URL"] == "https://help.example.org"
    ports = services["caddy"]["ports"]
    assert any("443:443" in p if isinstance(p, str) else int(p["published"]) == 443 for p in ports), ports
    unset = {k: v for k, v in env.items() if k != "POSTGRES_PASSWORD"}
    without = subprocess.run([*_compose(), "--env-file", ".env.example", "config"], cwd=ROOT, env=unset,  # type: ignore[misc]
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert without.returncode != 0 and "POSTGRES_PASSWORD" in without.stderr  # says what to set, by name


def test_the_image_trains_in_the_build_stage_runs_unprivileged_and_keeps_no_secrets() -> None:
    stages = re.findall(r"^FROM ", DOCKERFILE, re.MULTILINE)
    assert len(stages) == 2
    build, final = DOCKERFILE.split("\nFROM python:3.11-slim\n")
    assert "nlu train" in build and "|| true" not in DOCKERFILE
    assert "build-essential" in build and "build-essential" not in final
    assert re.search(r"^USER helpline$", final, re.MULTILINE) and "tzdata" in final and "HEALTHCHECK" in final
    for secret in ("SECRET_KEY", "PEPPER", "ENCRYPTION_KEYS", "TOKEN", "PASSWORD"):
        assert secret not in DOCKERFILE
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {".env", "var/", ".git/", "nlu/model/*.pkl"} <= set(ignored)


def test_time_zones_know_kazakhstan_moved_to_utc_plus_5() -> None:
    after = datetime(2024, 3, 2, 12, tzinfo=ZoneInfo("Asia/Almaty")).utcoffset()
    assert after is not None and after.total_seconds() == 5 * 3600


@pytest.mark.skipif(not PG_URL or "pgbouncer" in PG_URL or shutil.which("pg_restore") is None,
                    reason="the restore drill needs PostgreSQL and its client tools")  # fmt: skip
def test_the_backup_service_dump_restores_into_a_new_database(clean_db: str, tmp_path: Path) -> None:
    """docs/deploy.md's restore drill, for real: backup.sh once, pg_restore into a new database, same rows."""
    from urllib.parse import urlsplit

    from app.platform.db import create_engine
    from app.scripts.service import seed_database

    asyncio.run(seed_database(clean_db))
    parts = urlsplit(clean_db.replace("+asyncpg", ""))
    pg_env = {**os.environ, "PGHOST": parts.hostname or "127.0.0.1", "PGPORT": str(parts.port or 5432),
              "PGUSER": parts.username or "postgres", "PGDATABASE": parts.path.lstrip("/"), "BACKUP_DIR": str(tmp_path)}  # fmt: skip
    made = subprocess.run(["sh", str(ROOT / "deploy" / "backup.sh"), "once"], env=pg_env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    (dump,) = tmp_path.glob("helpline-*.dump")
    target = f"helpline_restore_{uuid.uuid4().hex[:8]}"
    subprocess.run(["createdb", target], env=pg_env, check=True)
    try:
        restored = subprocess.run(["pg_restore", "--no-owner", "--dbname", target, str(dump)], env=pg_env,
                                  capture_output=True, text=True, timeout=120)  # fmt: skip
        assert restored.returncode == 0, restored.stderr

        async def counts(url: str) -> tuple[int, str]:
            engine = create_engine(url)
            async with engine.connect() as conn:
                rows = (await conn.execute(text("SELECT count(*) FROM script_texts"))).scalar_one()
                version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
            await engine.dispose()
            return rows, version

        original = asyncio.run(counts(clean_db))
        assert original[0] > 0 and asyncio.run(counts(clean_db.rsplit("/", 1)[0] + "/" + target)) == original
    finally:
        subprocess.run(["dropdb", target], env=pg_env, check=False)


def test_the_grafana_dashboard_only_charts_metrics_the_app_exports() -> None:
    import json

    from app.platform import metrics as platform_metrics
    from app.runtime import metrics as runtime_metrics

    dashboard = json.loads((ROOT / "deploy" / "grafana" / "helpline.json").read_text())
    charted = {name for panel in dashboard["panels"] for target in panel["targets"]
               for name in re.findall(r"helpline_[a-z_]+", target["expr"])}  # fmt: skip
    exported = set(re.findall(r'"(helpline_[a-z_]+)"', Path(runtime_metrics.__file__).read_text()
                              + Path(platform_metrics.__file__).read_text()))  # fmt: skip
    histograms = {f"{name}_{suffix}" for name in exported for suffix in ("bucket", "count", "sum")}
    assert charted <= exported | histograms, charted - exported - histograms
