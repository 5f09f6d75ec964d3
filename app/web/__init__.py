"""The web workspaces: sign-in, the operator console and the coordinators' area.

``install(app)`` is the single line ``app.main.create_app`` needs.
"""

from __future__ import annotations

from typing import Any

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from app.auth.deps import CsrfFailed, NotSignedIn, RoleRequired

STATIC = Path(__file__).parent / "static"
WEB_PREFIXES = ("/auth", "/console", "/admin", "/web/static")
# No inline scripts, no third parties, no framing: a console shows people's words.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")  # fmt: skip


def _wants_html(request: Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    from app.admin import accounts, nlu_data, scripts, stats
    from app.auth import routes as auth_routes
    from app.web import console
    from app.web.templating import render

    app.include_router(auth_routes.router)
    app.include_router(console.router)
    app.include_router(scripts.router)
    from app.admin import audio

    app.include_router(audio.router)
    app.include_router(audio.media)
    app.include_router(stats.router)
    app.include_router(accounts.router)
    from app.admin import nlu_admin

    app.include_router(nlu_admin.router)  # before nlu_data: its /admin/nlu/{intent} would swallow /admin/nlu/cues
    app.include_router(nlu_data.router)
    from app.admin import roster
    from app.referrals import routes as referrals

    app.include_router(roster.router)

    app.include_router(referrals.admin_router)
    app.include_router(referrals.console_router)
    app.mount("/web/static", StaticFiles(directory=STATIC), name="web-static")

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, _: NotSignedIn) -> Response:
        if _wants_html(request):
            return RedirectResponse(f"/auth/login?next={request.url.path}", 303)
        return JSONResponse({"error": "not_signed_in", "message": "sign in first"}, status_code=401)

    @app.exception_handler(RoleRequired)
    async def _role(request: Request, exc: RoleRequired) -> Response:
        if _wants_html(request):
            return render(request, "error.html", {"message": "error.role", "status": 403}, 403)
        return JSONResponse({"error": "forbidden", "message": f"needs role {exc.role}"}, status_code=403)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, _: CsrfFailed) -> Response:
        return render(request, "error.html", {"message": "error.csrf", "status": 403}, 403)

    app.add_middleware(SecurityHeaders)


class SecurityHeaders:
    """Security headers for the workspace pages, as plain ASGI.

    A plain ASGI wrapper instead of ``@app.middleware("http")``: the latter wraps
    every request, webhooks included, in extra tasks and streams, which cost more
    than the webhook itself.
    """

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
