"""The delivery and outbox tests pass through a real PgBouncer in transaction pooling mode (the setting
docs/deploy.md recommends when replicas x workers x pool would exceed PostgreSQL's connections)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability import pgbouncer
from tests.reliability.conftest import PG_URL, free_port

ROOT = Path(__file__).resolve().parents[2]
THROUGH_PGBOUNCER = ["tests/app/outbox", "tests/reliability/test_two_workers_pg.py"]


@pytest.mark.skipif(not PG_URL or "pgbouncer=1" in PG_URL or not pgbouncer.available(),
                    reason="needs PostgreSQL (make test-pg) and Debian's pgbouncer package")  # fmt: skip
def test_delivery_and_outbox_tests_pass_through_pgbouncer_in_transaction_mode() -> None:
    bouncer = pgbouncer.PgBouncer(PG_URL, free_port()).start()
    try:
        env = {**os.environ, "HELPLINE_TEST_DATABASE_URL": bouncer.url}
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *THROUGH_PGBOUNCER],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)  # fmt: skip
    finally:
        bouncer.stop()
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "skipped" not in run.stdout.splitlines()[-1], run.stdout[-2000:]
