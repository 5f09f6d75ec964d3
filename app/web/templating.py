"""Rendering pages: one Jinja2 environment with autoescape, the UI language and CSRF token in every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.web.i18n import language_names, pick_language, text_direction, translate, ui_languages
from app.web.session import LANG_COOKIE, csrf_token, ensure_pre_cookie, has_role, set_cookie

TEMPLATES = Path(__file__).parent / "templates"
env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "svg"]),
                  trim_blocks=True, lstrip_blocks=True)  # fmt: skip


def translate_or(lang: str, key: str, default: str) -> str:
    """A translated label for a code (intent, channel, outcome), or the code itself when there is none."""
    text = translate(lang, key)
    return default if text == key else text


def human_duration(seconds: float | None) -> str:
    """A wait as people read it: "40 s", "12 min", "3.5 h", "2.0 d"; "—" when withheld or unmeasured."""
    if seconds is None:
        return "—"
    if seconds < 90:
        return f"{int(seconds)} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


env.globals["duration"] = human_duration


def ui_language(request: Request) -> str:
    operator = getattr(request.state, "operator", None)
    return pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE),
                         list(operator.languages or []) if operator else None,
                         request.headers.get("accept-language"))  # fmt: skip


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    lang = ui_language(request)
    operator = getattr(request.state, "operator", None)

    def t(key: str, **values: object) -> str:
        return translate(lang, key, **values)

    def t_or(key: str, default: str) -> str:
        return translate_or(lang, key, default)

    page = env.get_template(name).render(
        request=request, lang=lang, t=t, t_or=t_or, csrf=csrf_token(request), operator=operator,
        is_coordinator=bool(operator and has_role(operator, "coordinator")),
        is_admin=bool(operator and has_role(operator, "admin")),
        languages=ui_languages(), language_names=language_names(), path=request.url.path,
        direction=text_direction(lang),
        **(context or {}),
    )  # fmt: skip
    response = HTMLResponse(page, status_code=status_code)
    ensure_pre_cookie(request, response)
    chosen = request.query_params.get("lang")
    if chosen in ui_languages() and chosen != request.cookies.get(LANG_COOKIE):
        set_cookie(request, response, LANG_COOKIE, chosen, 365 * 86400)
    return response
