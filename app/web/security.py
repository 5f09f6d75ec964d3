"""Security headers for the workspace pages, as plain ASGI.

A plain ASGI wrapper instead of ``@app.middleware("http")``: the latter wraps
every request, webhooks included, in extra tasks and streams, which cost more
than the webhook itself.
"""

from __future__ import annotations

from typing import Any

WEB_PREFIXES = ("/auth", "/console", "/admin", "/web/static")
# No inline scripts, no third parties, no framing: a console shows people's words.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")  # fmt: skip


class SecurityHeaders:
    """Adds CSP, nosniff, no-referrer, DENY framing (and no-store for pages) under the workspace prefixes."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(WEB_PREFIXES):
            await self.app(scope, receive, send)
            return
        extra = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                 (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]  # fmt: skip
        if not path.startswith("/web/static"):
            extra.append((b"cache-control", b"no-store"))

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in extra if h[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)
