"""``/metrics``, ``/docs`` and ``/openapi.json`` for the people who run the service, not the internet.

They answer a client address listed in ``HELPLINE_OPS_ADDRESSES`` (addresses
or networks, e.g. ``127.0.0.1,10.0.0.0/8``) or a request carrying
``Authorization: Bearer <HELPLINE_OPS_TOKEN>``; anyone else gets the same 404
as an unknown path, so the endpoints are not even confirmed to exist.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from functools import cache
from typing import Any

OPS_PATHS = ("/metrics", "/docs", "/redoc", "/openapi.json")
_NOT_FOUND = json.dumps({"error": "http_error", "message": "Not Found"}).encode()


@cache
def _networks(spec: str) -> tuple[list[Any], frozenset[str]]:
    """Parsed address list: networks, and the names that are not addresses (an ASGI test client's 'testclient')."""
    networks, names = [], set()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            names.add(part)
    return networks, frozenset(names)


def allowed(host: str | None, authorization: str, addresses: str, token: str | None) -> bool:
    if token and authorization.startswith("Bearer ") and hmac.compare_digest(
            authorization[7:].strip().encode("utf-8", "surrogatepass"), token.encode()):  # fmt: skip
        return True
    if not host:
        return False
    networks, names = _networks(addresses)
    if host in names:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


class OpsGuard:
    """Plain ASGI, like ``SecurityHeaders``: checks only the few operations paths."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path in OPS_PATHS or path.startswith("/docs/")):
            await self.app(scope, receive, send)
            return
        container = scope["app"].state.container
        settings = container.settings
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        peer = (scope.get("client") or (None, None))[0]
        host = container.limiter.ip_of(peer, headers) if peer else None  # past trusted proxies only
        token = settings.ops_token.get_secret_value() if settings.ops_token else None
        if allowed(host, headers.get("authorization", ""), settings.ops_addresses, token):
            await self.app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 404,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(_NOT_FOUND)).encode())]})  # fmt: skip
        await send({"type": "http.response.body", "body": _NOT_FOUND})
