"""Signed, expiring tokens for cookies, made with the standard library only.

A token is ``base64(json).base64(hmac)``; the purpose is part of the MAC so a
token minted for one cookie (a half-finished TOTP sign-in) is never accepted
as another (a full session).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

MAX_TOKEN = 4096


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("a secret key is required to sign sessions")
        self._key = hashlib.sha256(b"helpline-web:" + secret.encode()).digest()

    def _mac(self, purpose: str, body: str) -> str:
        return _b64(hmac.new(self._key, f"{purpose}|{body}".encode(), hashlib.sha256).digest())

    def sign(self, purpose: str, data: dict[str, Any], max_age: int) -> str:
        body = _b64(json.dumps({**data, "exp": int(time.time()) + max_age}, separators=(",", ":")).encode())
        return f"{body}.{self._mac(purpose, body)}"

    def load(self, purpose: str, token: str | None) -> dict[str, Any] | None:
        """The data, or None when the token is missing, forged, for another purpose or expired."""
        if not token or token.count(".") != 1 or len(token) > MAX_TOKEN or not token.isascii():
            return None  # a cookie of stray bytes is no session, never a 500
        body, mac = token.split(".")
        if not hmac.compare_digest(mac.encode(), self._mac(purpose, body).encode()):
            return None
        try:
            data = json.loads(_unb64(body))
        except (ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or int(data.get("exp", 0)) < time.time():
            return None
        return data

    def derive(self, purpose: str, value: str) -> str:
        """A stable secret derived from ``value`` (CSRF tokens bound to a session nonce)."""
        return self._mac(purpose, value)


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def password_stamp(password_hash: str | None) -> str:
    """Changes whenever the password does, so a reset ends every open session."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]
