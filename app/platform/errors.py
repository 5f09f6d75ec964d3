"""One error type that carries its HTTP status, and one handler for all of them."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("helpline.errors")


class HelplineError(Exception):
    """A failure a client should see: a clear message and the status that fits it."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, status_code: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        if code is not None:
            self.code = code


class NotFound(HelplineError):
    status_code = 404
    code = "not_found"


class Forbidden(HelplineError):
    status_code = 403
    code = "forbidden"


class Conflict(HelplineError):
    status_code = 409
    code = "conflict"


class Unavailable(HelplineError):
    status_code = 503
    code = "unavailable"


def error_response(exc: HelplineError) -> JSONResponse:
    """What a client reads for a HelplineError, from the framework's handler or a plain ASGI path alike."""
    return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status_code)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HelplineError)
    async def _helpline(_: Request, exc: HelplineError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()]
        return JSONResponse(
            {"error": "invalid_request", "message": "invalid request: " + ", ".join(fields)}, status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": "http_error", "message": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return JSONResponse({"error": "internal", "message": "internal error"}, status_code=500)
