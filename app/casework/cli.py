"""``helpline export htcds --from … --to …``: the k-anonymous exchange export as CSV and JSON files."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.casework.export import DEFAULT_K, htcds_export
from app.platform.commands import OneLineParser, Subparsers, settings_or_exit, with_session


def _day(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: use YYYY-MM-DD") from exc


def _k(text: str) -> int:
    if not text.isdigit() or int(text) < 2:
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number of 2 or more")
    return int(text)


def cmd_export_htcds(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    start, end = args.start, args.end + timedelta(days=1)  # --to is inclusive
    export = with_session(settings, lambda session, _vault: htcds_export(session, start, end, args.k))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "htcds.csv").write_text(export.csv(), encoding="utf-8")
    (out / "htcds.json").write_text(export.json(), encoding="utf-8")
    r = export.report
    print(f"{r['records_out']} of {r['records_in']} records written to {out}/htcds.csv and htcds.json (k={r['k']}); "
          f"generalised for all: {r['common_generalisation'] or 'nothing'}; generalised further: "
          f"{r['generalised_further']}; suppressed: {r['suppressed']}")  # fmt: skip
    return 0


def register(sub: Subparsers) -> None:
    export = sub.add_parser("export", help="data exchange exports").add_subparsers(dest="format", required=True,
                                                                                   parser_class=OneLineParser)  # fmt: skip
    p = export.add_parser("htcds", help="case records in HTCDS field names, k-anonymous (CSV + JSON)")
    p.add_argument("--from", dest="start", type=_day, required=True, help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_day, required=True, help="last day, YYYY-MM-DD (inclusive)")
    p.add_argument("--k", type=_k, default=DEFAULT_K, help="smallest group size of quasi-identifiers (default 11)")
    p.add_argument("--out", default=".", help="folder for htcds.csv and htcds.json")
    p.set_defaults(func=cmd_export_htcds)
