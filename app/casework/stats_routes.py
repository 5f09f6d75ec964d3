"""Coordinators' page and CSV of statistics from the case record (app.casework.stats): labels in the page's language."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.auth.deps import Coordinator
from app.casework import picklists, stats as casestats
from app.platform.deps import ClockDep, SessionDep, SettingsDep
from app.platform.errors import HelplineError
from app.web.charts import narrow_bars
from app.web.i18n import translate
from app.web.session import verify_csrf
from app.web.templating import human_duration, render, ui_language

router = APIRouter(prefix="/admin/casework", dependencies=[Depends(verify_csrf)], include_in_schema=False)

HEADINGS = {"exploitation_types": "exploitation_types", "means_of_control": "means_of_control",
            "routes": "casestats.routes", "referral_outcomes": "casestats.referral_outcomes"}  # fmt: skip


def _last_month(text: str, today: date) -> date:
    if not text:
        return today
    try:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise HelplineError("until: use YYYY-MM") from exc


async def _compute(session: SessionDep, settings: SettingsDep, clock: ClockDep, lang: str, months: int, k: int,
                   until: str) -> casestats.CaseStats:  # fmt: skip
    """The configured minimum is a floor: a coordinator may withhold more, never less."""
    return await casestats.compute(session, _last_month(until, clock().date()), min(max(months, 1), 36),
                                   max(k, settings.stats_min_count, 2), lang)  # fmt: skip


def heading(name: str, lang: str) -> str:
    key = HEADINGS[name]
    return translate(lang, key) if key.startswith("casestats.") else picklists.label(key, lang)


@router.get("/stats")
async def stats_page(request: Request, _: Coordinator, session: SessionDep, settings: SettingsDep, clock: ClockDep,
                     months: int = 12, k: int = 0, until: str = "") -> Response:  # fmt: skip
    lang = ui_language(request)
    result = await _compute(session, settings, clock, lang, months, k, until)
    charts = {name: narrow_bars([(row.label, row.total.value, row.total.shown) for row in table.rows],
                                heading(name, lang), withheld=result.k - 1)
              for name, table in result.tables.items()}  # fmt: skip
    answered = [(m.month, None if m.p50 is None else round(m.p50 / 60), human_duration(m.p50)) for m in result.answers]
    charts["first_answer"] = narrow_bars(answered, translate(lang, "casestats.first_answer"), withheld=0)
    return render(request, "admin_casework_stats.html", {
        "result": result, "charts": charts, "headings": {name: heading(name, lang) for name in result.tables},
        "months": len(result.months), "until": until, "small": casestats.small(result.k),
        "hidden": casestats.HIDDEN,
    })  # fmt: skip


@router.get("/stats.csv")
async def stats_csv(request: Request, _: Coordinator, session: SessionDep, settings: SettingsDep, clock: ClockDep,
                    months: int = 12, k: int = 0, until: str = "") -> Response:  # fmt: skip
    """Long format, one published cell a line, exactly as the page shows it ("<k" and "…" included)."""
    lang = ui_language(request)
    result = await _compute(session, settings, clock, lang, months, k, until)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "month", "code", "label", "count"])
    writer.writerow(["records", "all", "", translate(lang, "casestats.records"), result.records.shown])
    for name, table in result.tables.items():
        for row in table.rows:
            writer.writerows([name, month, row.code, row.label, cell.shown] for month, cell in zip(result.months, row.months))
            writer.writerow([name, "all", row.code, row.label, row.total.shown])
    for m in result.answers:
        writer.writerow(["first_answer", m.month, "cases", translate(lang, "casestats.answered"), m.cases.shown])
        for code, value in (("p50_seconds", m.p50), ("p90_seconds", m.p90)):
            writer.writerow(["first_answer", m.month, code, code, "" if value is None else int(value)])
    name = f"casework-{result.months[0]}-{result.months[-1]}-k{result.k}.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip
