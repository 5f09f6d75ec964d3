"""Errors the channel parsers raise, so the app's endpoints can answer with the right status."""

from __future__ import annotations


class InvalidRequest(Exception):
    """A provider request the app must refuse: 400 malformed, 403 unauthenticated, 413 too large.

    The message is safe to log and to return: it never contains what the person sent.
    """

    def __init__(self, status: int, message: str) -> None:
        if status not in (400, 403, 413):
            raise ValueError(f"unexpected status {status}")
        super().__init__(message)
        self.status = status
        self.message = message

    def __repr__(self) -> str:
        return f"InvalidRequest(status={self.status}, message={self.message!r})"
