"""The one place where identifiers become pseudonyms and texts become ciphertexts.

* A pseudonym is HMAC-SHA256(PEPPER, channel:external id). A plain hash of a
  phone number is reversible in minutes; the pepper never lives in the
  database, so a leaked backup cannot be joined back to numbers.
* Stored secrets are AES-256-GCM with the row's identity as associated data,
  so a ciphertext copied into another row does not decrypt. Each ciphertext
  names its key id, so keys can be rotated while old rows stay readable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1"


class DecryptionError(ValueError):
    """A ciphertext that does not open: wrong row, unknown key or tampered bytes."""


class Vault:
    """Pseudonymises identifiers and encrypts or decrypts stored secrets."""

    def __init__(self, pepper: str, keys: list[tuple[str, bytes]]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._pepper = pepper.encode()
        self._primary = keys[0][0]
        self._keys = {kid: AESGCM(key) for kid, key in keys}

    @property
    def primary_key_id(self) -> str:
        return self._primary

    def pseudonym(self, channel: str, external_id: str) -> str:
        """Stable look-up key for a person on a channel; not reversible without the pepper."""
        digest = hmac.new(self._pepper, f"{channel}:{external_id}".encode(), hashlib.sha256)
        return digest.hexdigest()

    def fingerprint(self, value: str) -> str:
        """Keyed hash for a secret we only compare (a safe word)."""
        return hmac.new(self._pepper, f"fp:{value}".encode(), hashlib.sha256).hexdigest()

    def encrypt(self, plaintext: str, aad: str) -> str:
        nonce = os.urandom(12)
        sealed = self._keys[self._primary].encrypt(nonce, plaintext.encode(), aad.encode())
        return f"{PREFIX}:{self._primary}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, aad: str) -> str:
        try:
            prefix, kid, body = token.split(":", 2)
        except ValueError as exc:
            raise DecryptionError("not a ciphertext") from exc
        if prefix != PREFIX or kid not in self._keys:
            raise DecryptionError(f"unknown key id {kid!r}")
        raw = base64.urlsafe_b64decode(body)
        try:
            return self._keys[kid].decrypt(raw[:12], raw[12:], aad.encode()).decode()
        except InvalidTag as exc:
            raise DecryptionError("ciphertext does not belong to this row or was altered") from exc

    def needs_rotation(self, token: str) -> bool:
        return token.split(":", 2)[1] != self._primary

    def rotate(self, token: str, aad: str) -> str:
        """Re-encrypt under the primary key; unchanged when it already is."""
        if not self.needs_rotation(token):
            return token
        return self.encrypt(self.decrypt(token, aad), aad)

    def decrypt_opt(self, token: str | None, aad: str) -> str | None:
        return None if token is None else self.decrypt(token, aad)
