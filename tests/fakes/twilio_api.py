"""A loopback HTTP server that plays Twilio's REST API for the real twilio Client."""

from __future__ import annotations

import asyncio
import base64
import secrets
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

from aiohttp import web
from twilio.request_validator import RequestValidator

from tests.fakes.http import LoopbackServer

DEFAULT_ACCOUNT_SID = "AC" + "0" * 32
DEFAULT_AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PREFIX = "/2010-04-01/Accounts/{account}"


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    times: int
    code: int | None


def signed_form(auth_token: str, url: str, params: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and form of a webhook as Twilio would send it to ``url``."""
    signature = RequestValidator(auth_token).compute_signature(url, params)
    headers = {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}
    return headers, dict(params)


class FakeTwilioAPI(LoopbackServer):
    """Messages.json, Calls.json and Calls/{sid}.json with Basic auth, call records and faults.

    Endpoint names for ``fail_next``/``calls_for``: "messages.create", "calls.create", "calls.update",
    "calls.delete", "recordings.delete" (``stored`` and ``deleted`` keep what the account holds).
    WhatsApp rides the same Messages endpoint with ``whatsapp:`` addresses: a ``ContentSid`` (an
    approved template) may replace the body, and a free-form body to a number whose 24-hour window
    is closed (``close_window``) is accepted, then fails with 63016 in a status callback, as Twilio
    does. Status callbacks are kept in ``callbacks`` for the test to deliver (signed) to the app.
    """

    def __init__(self, account_sid: str = DEFAULT_ACCOUNT_SID, auth_token: str = DEFAULT_AUTH_TOKEN) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.finished_calls: set[str] = set()
        self._faults: dict[str, list[_Fault]] = {}
        self._delay = 0.0
        self.closed_windows: set[str] = set()
        self.callbacks: list[tuple[str, dict[str, str]]] = []
        router = self.app.router
        router.add_post(PREFIX + "/Messages.json", self._messages_create)
        router.add_post(PREFIX + "/Calls.json", self._calls_create)
        router.add_post(PREFIX + "/Calls/{call}.json", self._calls_update)
        router.add_get(PREFIX + ".json", self._account)
        router.add_get(PREFIX + "/IncomingPhoneNumbers.json", self._numbers)
        # The account's numbers and the webhook URLs set on them in the console: {"+7717…": {"sms_url": …}}.
        self.numbers: dict[str, dict[str, str]] = {}
        router.add_delete(PREFIX + "/Calls/{call}.json", self._delete)
        router.add_delete(PREFIX + "/Recordings/{recording}.json", self._delete)
        # What the account still holds: recordings and call logs a test put there, until deleted.
        self.stored: set[str] = set()
        self.deleted: list[str] = []

    def fail_next(self, endpoint: str, status: int = 500, *, retry_after: int | None = None, times: int = 1,
                  code: int | None = None) -> None:  # fmt: skip
        self._faults.setdefault(endpoint, []).append(_Fault(status, retry_after, times, code))

    def delay(self, seconds: float) -> None:
        self._delay = seconds

    def calls_for(self, endpoint: str) -> list[dict[str, str]]:
        return [params for name, params in self.calls if name == endpoint]

    def sent_sms(self, to: str | None = None) -> list[dict[str, str]]:
        return [p for p in self.calls_for("messages.create") if to is None or p.get("To") == to]

    def sent_whatsapp(self, to: str | None = None) -> list[dict[str, str]]:
        """Messages sent to ``whatsapp:`` addresses (``to`` with or without the prefix)."""
        want = None if to is None else "whatsapp:" + to.removeprefix("whatsapp:")
        return [p for p in self.sent_sms() if p.get("To", "").startswith("whatsapp:") and want in (None, p["To"])]

    def close_window(self, to: str) -> None:
        """The person behind ``to`` last wrote more than 24 hours ago: free-form bodies fail with 63016."""
        self.closed_windows.add("whatsapp:" + to.removeprefix("whatsapp:"))

    def take_callbacks(self) -> list[tuple[str, dict[str, str]]]:
        taken, self.callbacks = self.callbacks, []
        return taken

    def _error(self, status: int, code: int, message: str, retry_after: int | None = None) -> web.Response:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        body = {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status}  # fmt: skip
        return web.json_response(body, status=status, headers=headers)

    def _authorised(self, request: web.Request) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}" and \
            request.match_info["account"] == self.account_sid  # fmt: skip

    async def _begin(self, endpoint: str, request: web.Request) -> tuple[dict[str, str], web.Response | None]:
        if self._delay:
            await asyncio.sleep(self._delay)
        if not self._authorised(request):
            return {}, self._error(401, 20003, "Authenticate")
        params = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        self.calls.append((endpoint, params))
        queue = self._faults.get(endpoint)
        if queue:
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            default_code = {429: 20429, 400: 21211, 404: 20404}.get(fault.status, 20500)
            return params, self._error(fault.status, fault.code or default_code, "Injected failure", fault.retry_after)
        return params, None

    def _resource(self, prefix: str, kind: str, **fields: Any) -> dict[str, Any]:
        sid = prefix + secrets.token_hex(16)
        now = formatdate(usegmt=True)
        return {"sid": sid, "account_sid": self.account_sid, "date_created": now, "date_updated": now,
                "api_version": "2010-04-01", "uri": f"/2010-04-01/Accounts/{self.account_sid}/{kind}/{sid}.json",
                **fields}  # fmt: skip

    async def _account(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        return web.json_response({"sid": self.account_sid, "status": "active", "type": "Full"})

    async def _numbers(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        wanted = request.query.get("PhoneNumber")
        found = [{"phone_number": number, "sid": "PN" + secrets.token_hex(16), **urls}
                 for number, urls in self.numbers.items() if wanted in (None, number)]  # fmt: skip
        return web.json_response({"incoming_phone_numbers": found})

    async def _messages_create(self, request: web.Request) -> web.Response:
        params, error = await self._begin("messages.create", request)
        if error is not None:
            return error
        if not params.get("To") or not params.get("From"):
            return self._error(400, 21604, "A 'To' phone number is required.")
        if not (params.get("Body") or params.get("MediaUrl") or params.get("ContentSid")):
            return self._error(400, 21619, "A text message body or media URL is required.")
        whatsapp = params["To"].startswith("whatsapp:")
        if whatsapp != params["From"].startswith("whatsapp:"):
            return self._error(400, 63007, "Twilio could not find a Channel with the specified From address")
        if params.get("ContentSid") and not params["ContentSid"].startswith("HX"):
            return self._error(400, 21656, "The ContentSid is invalid.")
        body = params.get("Body", "")
        resource = self._resource(
            "SM", "Messages", to=params["To"], body=body, status="queued",
            num_segments="1", num_media="0", direction="outbound-api", price=None, error_code=None,
        ) | {"from": params["From"]}  # fmt: skip
        callback = params.get("StatusCallback")
        if callback:
            failed = whatsapp and params["To"] in self.closed_windows and not params.get("ContentSid")
            final = {"MessageStatus": "failed", "ErrorCode": "63016"} if failed else {"MessageStatus": "delivered"}
            self.callbacks.append((callback, {"MessageSid": resource["sid"], "AccountSid": self.account_sid,
                                              "To": params["To"], "From": params["From"], **final}))  # fmt: skip
        return web.json_response(resource, status=201)

    async def _calls_create(self, request: web.Request) -> web.Response:
        params, error = await self._begin("calls.create", request)
        if error is not None:
            return error
        if not params.get("To") or not params.get("From") or not (params.get("Url") or params.get("Twiml")):
            return self._error(400, 21205, "Url parameter is required.")
        return web.json_response(self._resource("CA", "Calls", to=params["To"], status="queued",
                                                direction="outbound-api") | {"from": params["From"]},
                                 status=201)  # fmt: skip

    async def _calls_update(self, request: web.Request) -> web.Response:
        params, error = await self._begin("calls.update", request)
        if error is not None:
            return error
        call_sid = request.match_info["call"]
        if call_sid in self.finished_calls:
            return self._error(400, 21220, "Call is not in-progress. Cannot redirect.")
        if params.get("Status") == "completed":
            self.finished_calls.add(call_sid)
        return web.json_response(self._resource("CA", "Calls", status=params.get("Status", "in-progress"))
                                 | {"sid": call_sid})  # fmt: skip

    async def _delete(self, request: web.Request) -> web.Response:
        sid = request.match_info.get("recording") or request.match_info["call"]
        _, error = await self._begin("recordings.delete" if sid.startswith("RE") else "calls.delete", request)
        if error is not None:
            return error
        if sid not in self.stored:
            return self._error(404, 20404, "The requested resource was not found")
        self.stored.discard(sid)
        self.deleted.append(sid)
        return web.Response(status=204)
