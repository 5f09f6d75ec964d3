"""The coordinators' export button: the same k-anonymous HTCDS export as the CLI, as a download."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter
from fastapi.responses import Response

from app.auth.deps import Coordinator
from app.casework.export import DEFAULT_K, htcds_export
from app.platform.deps import ClockDep, SessionDep
from app.platform.errors import HelplineError

router = APIRouter(prefix="/admin/export", include_in_schema=False)


def _day(text: str, default: datetime) -> datetime:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else default
    except ValueError as exc:
        raise HelplineError("dates: use YYYY-MM-DD") from exc


@router.get("/htcds.{fmt}")
async def download(fmt: str, _: Coordinator, session: SessionDep, clock: ClockDep, start: str = "", end: str = "",
                   k: int = DEFAULT_K) -> Response:  # fmt: skip
    if fmt not in ("csv", "json") or k < 2:
        raise HelplineError("choose htcds.csv or htcds.json and k of 2 or more")
    now = clock()
    first = _day(start, (now - timedelta(days=365)).replace(hour=0, minute=0, second=0, microsecond=0))
    last = _day(end, now) + timedelta(days=1) if end else now
    export = await htcds_export(session, first, last, k)
    body, media = (export.csv(), "text/csv") if fmt == "csv" else (export.json(), "application/json")
    name = f"htcds-{first.date().isoformat()}-{last.date().isoformat()}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "X-Suppressed": str(export.report["suppressed"])}
    return Response(body, media_type=f"{media}; charset=utf-8", headers=headers)
