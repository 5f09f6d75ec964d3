"""What the Twilio SMS and voice adapters share: webhook signatures, a rebased HTTP client, errors."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bots.errors import InvalidRequest
from bots.messages import SendError

TWILIO_API_BASE = "https://api.twilio.com"
# A wrong account or token needs a person; keep the messages and retry slowly meanwhile.
UNAUTHORIZED_RETRY_S = 300.0


def verify_twilio_signature(auth_token: str, url: str, form: Mapping[str, str], signature: str | None) -> None:
    """Check X-Twilio-Signature over the exact public URL Twilio called and its form; 403 if wrong."""
    if not signature or not auth_token:
        raise InvalidRequest(403, "missing Twilio signature")
    if not RequestValidator(auth_token).validate(url, dict(form), signature):
        raise InvalidRequest(403, "bad Twilio signature")


class RetryableResponse(Exception):
    """Twilio (or the network) said 'later': 429, 5xx, timeout, connection refused."""

    def __init__(self, status: int | None, retry_after: float | None = None) -> None:
        super().__init__(f"twilio retryable status {status}")
        self.status = status
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: let the outbox's backoff decide


class RebasedHttpClient(AsyncHttpClient):
    """Async Twilio HTTP client that sends every ``*.twilio.com`` request to ``api_base`` instead.

    It logs nothing (the stock client logs To/From at INFO) and turns 429/5xx and
    network failures into :class:`RetryableResponse` so the Retry-After header survives.
    """

    def __init__(self, api_base: str | None = None, timeout: float = 15.0) -> None:
        super().__init__(logging.getLogger("twilio.http_client"), True, timeout)
        # Production (no base, or the real one) keeps Twilio's own hosts untouched.
        rebased = api_base and api_base.rstrip("/") != TWILIO_API_BASE
        self.api_base = urlsplit(api_base.rstrip("/")) if api_base and rebased else None
        self._session: aiohttp.ClientSession | None = None

    def rebase(self, url: str) -> str:
        parts = urlsplit(url)
        if self.api_base is None or not parts.netloc.endswith("twilio.com"):
            return url
        path = self.api_base.path + parts.path
        return urlunsplit((self.api_base.scheme, self.api_base.netloc, path, parts.query, parts.fragment))

    async def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        try:
            async with self._session.request(
                method.upper(),
                self.rebase(uri),
                params=params,  # type: ignore[arg-type]
                data=data,
                headers=headers,
                auth=aiohttp.BasicAuth(*auth) if auth else None,
                timeout=aiohttp.ClientTimeout(total=timeout or self.timeout),
                allow_redirects=allow_redirects,
            ) as resp:
                text = await resp.text()
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise RetryableResponse(None) from exc
        if resp.status == 429 or resp.status >= 500:
            raise RetryableResponse(resp.status, _retry_after(resp.headers.get("Retry-After")))
        return Response(resp.status, text, resp.headers)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def make_client(account_sid: str, auth_token: str, api_base: str | None, timeout: float = 15.0) -> Client:
    """A real twilio Client whose requests all go to ``api_base`` (the fake in tests)."""
    return Client(account_sid, auth_token, http_client=RebasedHttpClient(api_base, timeout))


def to_send_error(exc: Exception) -> SendError:
    """Map a Twilio failure to the outbox's retry decision; never includes numbers or bodies."""
    if isinstance(exc, RetryableResponse):
        return SendError(f"twilio status {exc.status}", retryable=True, retry_after=exc.retry_after)
    if isinstance(exc, TwilioRestException):
        # Twilio's own message can quote the phone number: keep only status and code.
        if exc.status == 401:
            return SendError("twilio status 401", retryable=True, retry_after=UNAUTHORIZED_RETRY_S)
        return SendError(f"twilio status {exc.status} code {exc.code}", retryable=False)
    return SendError(f"twilio {type(exc).__name__}", retryable=True)
