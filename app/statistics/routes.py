"""Statistics page and CSV export for coordinators; anonymous numbers only."""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.auth.deps import Coordinator
from app.platform import languages as registry
from app.platform.deps import ClockDep, SessionDep
from app.statistics import service as statistics
from app.web.charts import horizontal_bars, stacked_bars
from app.web.i18n import translate
from app.web.session import verify_csrf
from app.web.templating import render, translate_or, ui_language

# The page's table shows the first rows; the CSV has them all (a page of thousands of rows helps nobody).
TABLE_ROWS = 100
router = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _weeks(value: int) -> int:
    return min(max(value, 1), 104)


def _every_language(counted: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Each registry language by its name, with 0 where nobody wrote in it; other codes as they are."""
    seen = dict(counted)
    names = registry.names()
    rows = [(names[code], seen.pop(code, 0)) for code in names]
    rows += list(seen.items())
    return sorted(rows, key=lambda row: -row[1])


def _name(lang: str, kind: str, code: str) -> str:
    """A channel or intent by its name in the page's language; a code without one (a new intent) as it is."""
    return translate_or(lang, f"{kind}.{code}", code)


def _named(lang: str, kind: str, counted: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return [(_name(lang, kind, code), n) for code, n in counted]


@router.get("/stats")
async def stats_page(request: Request, _: Coordinator, session: SessionDep, clock: ClockDep,
                     weeks: int = 12) -> Response:  # fmt: skip
    weeks = _weeks(weeks)
    stats = await statistics.compute(session, clock().date(), weeks, rows=TABLE_ROWS)
    lang = ui_language(request)
    charts = {
        "weekly": stacked_bars([(w.strftime("%d.%m"), total, urgent) for w, total, urgent in stats.weekly],
                               translate(lang, "stats.weekly"), translate(lang, "case.urgent")),
        "channels": horizontal_bars(_named(lang, "channel", stats.by_channel), translate(lang, "stats.by_channel")),
        "languages": horizontal_bars(_every_language(stats.by_language), translate(lang, "stats.by_language")),
        "intents": horizontal_bars(_named(lang, "intent", stats.by_intent), translate(lang, "stats.by_intent")),
    }  # fmt: skip
    names = registry.names()
    table = [(week.isoformat(), _name(lang, "channel", channel), names.get(language, language), _name(lang, "intent", intent),
              urgent, n) for week, channel, language, intent, urgent, n in stats.rows]  # fmt: skip
    return render(request, "admin_stats.html", {"stats": stats, "weeks": weeks, "charts": charts, "table": table,
                                                "table_rows": TABLE_ROWS})  # fmt: skip


@router.get("/stats.csv")
async def stats_csv(_: Coordinator, session: SessionDep, clock: ClockDep, weeks: int = 12,
                    table: str = "counts") -> Response:  # fmt: skip
    stats = await statistics.compute(session, clock().date(), _weeks(weeks))
    out = io.StringIO()
    writer = csv.writer(out)
    if table == "dead":
        writer.writerow(["created_at", "channel", "kind", "attempts", "error"])
        writer.writerows([d.created_at.isoformat(), d.channel, d.kind, d.attempts, d.error] for d in stats.dead)
    elif table == "summary":
        writer.writerow(["metric", "value"])
        writer.writerows([
            ["messages", stats.total], ["urgent_messages", stats.urgent], ["urgent_share", f"{stats.urgent_share:.4f}"],
            ["cases_taken", stats.measured_cases],
            ["seconds_to_take_p50", stats.taken["p50"]], ["seconds_to_take_p90", stats.taken["p90"]],
            ["seconds_to_first_reply_p50", stats.first_reply["p50"]],
            ["seconds_to_first_reply_p90", stats.first_reply["p90"]],
            ["escalations_exhausted", stats.exhausted], ["cases_erased", stats.erased], ["outbox_dead", stats.dead_count],
        ])  # fmt: skip
    else:
        table = "counts"
        writer.writerow(["week_start", "channel", "language", "intent", "urgent", "count"])
        writer.writerows([w.isoformat(), c, lang, i, int(u), n] for w, c, lang, i, u, n in stats.rows)
    filename = f"helpline-{table}-{stats.since.isoformat()}.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})  # fmt: skip
