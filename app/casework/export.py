"""The exchange export: case records in HTCDS field names, k-anonymous over the quasi-identifiers.

Counter-trafficking data pools publish case data only when every combination of
quasi-identifiers (month, gender, age band, country of origin, country of
exploitation) is shared by at least k records (k = 11 by default). Rare
combinations are first generalised for everyone to the lowest common level that
leaves few records rare, then only the still-rare records are generalised
further step by step (age band widened, country to region, month to quarter,
year...), and what is rare after the last step is suppressed and counted in
the report. Only picklist codes and coarse dates leave: no alias, pseudonym,
note or message word.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.models import Case, CaseRecord, CaseReferral, ReferralEntry

DEFAULT_K = 11
# Share of records that may stay rare at the common level before the next common step is taken.
COMMON_RARE_SHARE = 0.05
QUASI = ("cas_Month", "prs_Gender", "vic_AgeBroad", "prs_Nationality", "hte_Country_Exploitation")
FIELDS = (*QUASI, "cas_ContactType", "hte_Country_Transit", "vic_TypeOfExploitation", "vic_MethodsOfControl",
          "vic_MethodOfRecruitment", "vic_LabourIndustry", "cas_Status", "cas_ReferredOrganisationType",
          "cas_ReferralOutcome")  # fmt: skip
ANY = "*"
WIDE_AGE = {"0-8": "0-17", "9-17": "0-17", "18-20": "18-29", "21-23": "18-29", "24-26": "18-29", "27-29": "18-29",
            "30-38": "30-47", "39-47": "30-47", "48+": "48+"}  # fmt: skip
ADULT = {"0-17": "Minor", "18-29": "Adult", "30-47": "Adult", "48+": "Adult"}
REGION = {"KZ": "CentralAsia", "KG": "CentralAsia", "UZ": "CentralAsia", "TJ": "CentralAsia", "TM": "CentralAsia",
          "RU": "EasternEurope", "PL": "EasternEurope", "DE": "WesternEurope", "GB": "WesternEurope",
          "TR": "MiddleEast", "AE": "MiddleEast", "IL": "MiddleEast", "SA": "MiddleEast", "QA": "MiddleEast",
          "KR": "EastAsia", "CN": "EastAsia"}  # fmt: skip
# The generalisation ladder, one step at a time: (field, level reached).
LADDER: tuple[tuple[str, int], ...] = (
    ("vic_AgeBroad", 1), ("prs_Nationality", 1), ("hte_Country_Exploitation", 1), ("cas_Month", 1),
    ("vic_AgeBroad", 2), ("prs_Gender", 1), ("cas_Month", 2), ("prs_Nationality", 2), ("hte_Country_Exploitation", 2),
    ("vic_AgeBroad", 3),
)  # fmt: skip


def generalise(name: str, value: str, level: int) -> str:
    """The value of one quasi-identifier at a generalisation level (0 = as recorded)."""
    if level == 0 or value in (ANY, "Unknown", ""):
        return value
    if name == "vic_AgeBroad":
        return (WIDE_AGE.get(value, value), ADULT.get(WIDE_AGE.get(value, value), ANY), ANY)[min(level, 3) - 1]
    if name in ("prs_Nationality", "hte_Country_Exploitation"):
        return REGION.get(value, "Other") if level == 1 else ANY
    if name == "cas_Month":  # "2026-04" -> "2026-Q2" -> "2026"
        year, month = value.split("-")
        return f"{year}-Q{(int(month) - 1) // 3 + 1}" if level == 1 else year
    return ANY  # gender


@dataclass
class Export:
    rows: list[dict[str, str]]
    report: dict[str, object] = field(default_factory=dict)

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return out.getvalue()

    def json(self) -> str:
        return json.dumps({"standard": "HTCDS", "report": self.report, "records": self.rows}, ensure_ascii=False, indent=1)


def _levels_for(steps: Sequence[tuple[str, int]]) -> dict[str, int]:
    levels = dict.fromkeys(QUASI, 0)
    for name, level in steps:
        levels[name] = max(levels[name], level)
    return levels


def _apply(raw: dict[str, str], levels: dict[str, int]) -> dict[str, str]:
    return {**raw, **{name: generalise(name, raw[name], levels[name]) for name in QUASI}}


def _key(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(row[name] for name in QUASI)


def _rare(rows: list[dict[str, str]], k: int) -> list[int]:
    counts = Counter(_key(r) for r in rows)
    return [i for i, r in enumerate(rows) if counts[_key(r)] < k]


def anonymise(raw_rows: list[dict[str, str]], k: int = DEFAULT_K) -> Export:
    """Generalise (common level first, then only the rare records, stepwise) and suppress what stays rare."""
    if k < 2:
        raise ValueError("k must be at least 2")
    common = 0
    while common < len(LADDER) and len(_rare([_apply(r, _levels_for(LADDER[:common])) for r in raw_rows], k)) > \
            COMMON_RARE_SHARE * len(raw_rows):  # fmt: skip
        common += 1
    steps = [common] * len(raw_rows)  # how far along the ladder each record went
    rows = [_apply(r, _levels_for(LADDER[:common])) for r in raw_rows]
    rare = _rare(rows, k)
    while rare and min(steps[i] for i in rare) < len(LADDER):
        for i in rare:
            if steps[i] < len(LADDER):
                steps[i] += 1
                rows[i] = _apply(raw_rows[i], _levels_for(LADDER[: steps[i]]))
        rare = _rare(rows, k)
    suppressed = set(rare)
    kept = [row for i, row in enumerate(rows) if i not in suppressed]
    return Export(kept, {
        "k": k, "quasi_identifiers": list(QUASI), "records_in": len(raw_rows), "records_out": len(kept),
        "common_generalisation": {n: lvl for n, lvl in _levels_for(LADDER[:common]).items() if lvl},
        "generalised_further": sum(1 for i, s in enumerate(steps) if s > common and i not in suppressed),
        "suppressed": len(suppressed),
        "suppressed_by_month": dict(sorted(Counter(raw_rows[i]["cas_Month"] for i in suppressed).items())),
    })  # fmt: skip


def _month(at: datetime) -> str:
    return at.strftime("%Y-%m")


def raw_row(case: Case, record: CaseRecord, referrals: list[tuple[str, str]]) -> dict[str, str]:
    """One record as codes in HTCDS field names; multi-valued fields joined with ';'."""
    def many(values: list | None) -> str:
        return ";".join(sorted(values or []))

    return {
        "cas_Month": _month(case.created_at), "prs_Gender": record.gender or "Unknown",
        "vic_AgeBroad": record.age_band or "Unknown", "prs_Nationality": record.country_origin or "Unknown",
        "hte_Country_Exploitation": record.country_exploitation or "Unknown",
        "cas_ContactType": record.contact_type or "Unknown", "hte_Country_Transit": many(record.countries_transit),
        "vic_TypeOfExploitation": many(record.exploitation_types), "vic_MethodsOfControl": many(record.means_of_control),
        "vic_MethodOfRecruitment": many(record.recruitment), "vic_LabourIndustry": record.sector or "Unknown",
        "cas_Status": "Closed" if case.status == "closed" else "Active",
        "cas_ReferredOrganisationType": ";".join(sorted({kind for kind, _ in referrals})),
        "cas_ReferralOutcome": ";".join(sorted({result for _, result in referrals})),
    }  # fmt: skip


async def htcds_export(session: AsyncSession, start: datetime, end: datetime, k: int = DEFAULT_K) -> Export:
    """Records of cases opened in [start, end), anonymised for exchange."""
    rows = (await session.execute(
        select(Case, CaseRecord).join(CaseRecord, CaseRecord.case_id == Case.id)
        .where(Case.created_at >= start, Case.created_at < end).order_by(Case.created_at)
    )).all()  # fmt: skip
    made: dict = {}
    refs = await session.execute(
        select(CaseReferral.case_id, ReferralEntry.kind, CaseReferral.result)
        .join(ReferralEntry, ReferralEntry.id == CaseReferral.referral_entry_id)
        .join(Case, Case.id == CaseReferral.case_id)
        .where(Case.created_at >= start, Case.created_at < end)
    )  # fmt: skip
    for case_id, kind, result in refs.all():
        made.setdefault(case_id, []).append((kind, result))
    export = anonymise([raw_row(case, record, made.get(case.id, [])) for case, record in rows], k)
    export.report.update({"from": start.date().isoformat(), "to": (end - timedelta(microseconds=1)).date().isoformat()})
    return export
