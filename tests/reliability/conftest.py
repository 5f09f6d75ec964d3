"""Shared helpers for the reliability tests: is Redis or PostgreSQL here, free ports, signed webhooks."""

from __future__ import annotations

import os
import socket

import pytest

REDIS_URL = os.environ.get("HELPLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PG_URL = os.environ.get("HELPLINE_TEST_DATABASE_URL", "")


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])), timeout=0.5):
            return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379 (CI starts one)")
needs_pg = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: set HELPLINE_TEST_DATABASE_URL (make test-pg)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The real app wired to the loopback fakes, as in tests/app/channels (same fixture names on purpose).
from tests.app.channels.conftest import HOTLINE, SECRET, channel_settings, client  # noqa: E402,F401
from tests.fakes.conftest_plugin import fake_telegram, fake_twilio  # noqa: E402,F401

TG_HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
BASE = "https://helpline.example.org"


async def post_signed(client, path: str, params: dict[str, str]):  # type: ignore[no-untyped-def]
    from tests.fakes.twilio_api import DEFAULT_AUTH_TOKEN, signed_form

    headers, form = signed_form(DEFAULT_AUTH_TOKEN, BASE + path, params)
    return await client.post(path, data=form, headers=headers)


def sms(sender: str, body: str, sid: str) -> dict[str, str]:
    from tests.fakes.twilio_api import DEFAULT_ACCOUNT_SID

    return {"MessageSid": sid, "AccountSid": DEFAULT_ACCOUNT_SID, "From": sender, "To": HOTLINE, "Body": body,
            "NumMedia": "0"}  # fmt: skip
