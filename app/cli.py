"""``helpline``: serve, migrate, and every room's command group, registered from one table.

Every command has ``--help``; bad arguments print one line and exit with 2. The rooms' command modules
are imported when the table is built, not with this module, so ``helpline nlu …`` (the NLU library's own
CLI) answers without loading the web stack (aiogram's types alone take seconds to import).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.platform.commands import OneLineParser, Subparsers


def cmd_migrate(args: argparse.Namespace) -> int:
    from app.platform.commands import settings_or_exit
    from app.platform.migrate import downgrade, upgrade
    from app.scripts.service import seed_database

    settings = settings_or_exit()
    if args.down:
        downgrade(settings.database_url, args.revision or "base")
    else:
        upgrade(settings.database_url, args.revision or "head")
        asyncio.run(seed_database(settings.database_url))
    print("database is at", "base" if args.down and not args.revision else (args.revision or "head"))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from app.operators.cli import demo_operator
    from app.platform.commands import settings_or_exit
    from app.platform.migrate import upgrade
    from app.scripts.service import seed_database

    settings = settings_or_exit()
    if settings.is_sqlite and args.workers > 1:
        print("helpline: the embedded SQLite database runs in one process; use PostgreSQL for --workers > 1",
              file=sys.stderr)  # fmt: skip
        return 2
    if not settings.is_production:
        upgrade(settings.database_url)
        asyncio.run(seed_database(settings.database_url))
        login = asyncio.run(demo_operator(settings)) if settings.demo_login else None
        base = f"http://{args.host}:{args.port}"
        print(f"\n  Web chat:  {base}/chat\n  Console:   {base}/console\n  Admin:     {base}/admin\n"
              f"  API docs:  {base}/docs\n  Health:    {base}/readyz")  # fmt: skip
        if login:
            print(f"  Demo login: {login[0]} / {login[1]}  (development only)\n")
    if args.no_worker:
        os.environ["HELPLINE_WORKER_ENABLED"] = "false"  # read by every uvicorn worker's settings
    if args.workers > 1:
        _multiprocess_metrics(settings.data_dir / "metrics")
    uvicorn.run("app.main:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                log_config=None, proxy_headers=True)  # fmt: skip
    return 0


def _multiprocess_metrics(folder: Path) -> None:
    """Several workers: each writes its counters to ``folder`` and ``/metrics`` merges them (set before they start)."""
    import os
    import shutil

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    shutil.rmtree(folder, ignore_errors=True)  # counters start from zero with the server, as in one process
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def cmd_worker(args: argparse.Namespace) -> int:
    from app.platform.commands import settings_or_exit
    from app.runtime.worker import run_worker

    settings = settings_or_exit()
    if settings.is_sqlite:
        print("helpline: the embedded SQLite database runs in one process ('helpline serve' runs the worker);"
              " use PostgreSQL for separate workers", file=sys.stderr)  # fmt: skip
        return 2
    asyncio.run(run_worker(settings))
    return 0


def cmd_nlu(args: argparse.Namespace) -> int:
    return run_nlu(args.rest)


def run_nlu(argv: list[str]) -> int:
    """``helpline nlu …`` is the NLU library's own CLI (its ``--help`` included).

    No settings are built here: that would write development secrets into whatever folder one stands in.
    The model is the deployment's live file when one exists, else the one ``make install`` built.
    """
    import os

    from nlu.cli import main as nlu_main
    from nlu.model import DEFAULT_MODEL_PATH

    explicit = os.environ.get("HELPLINE_NLU_MODEL_PATH")
    live = Path(os.environ.get("HELPLINE_DATA_DIR", "var")) / "nlu-model.pkl"
    model = Path(explicit) if explicit else live if live.exists() else DEFAULT_MODEL_PATH
    return nlu_main(argv, default_model_path=model)


def _register_core(sub: Subparsers) -> None:
    p = sub.add_parser("serve", help="run the web service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--no-worker", action="store_true",
                   help="only take requests; run 'helpline worker' processes for the job loop")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run the job loop alone (deliveries, outbox, timers, purge)")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("migrate", help="upgrade the database to the newest schema and seed scripts")
    p.add_argument("--revision", help="target revision (default: head)")
    p.add_argument("--down", action="store_true", help="downgrade instead (default target: base)")
    p.set_defaults(func=cmd_migrate)


def _register_nlu(sub: Subparsers) -> None:
    p = sub.add_parser("nlu", help="train, evaluate and try the NLU model (see 'helpline nlu --help')", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_nlu)


def command_groups() -> tuple[Callable[[Subparsers], None], ...]:
    """Every command group, in the order ``helpline --help`` lists them."""
    from app.casework import cli as casework_cli
    from app.channels import cli as channels_cli
    from app.oncall import cli as oncall_cli
    from app.operators import cli as operators_cli
    from app.privacy import cli as privacy_cli
    from app.runtime import doctor, terminal

    def register_telegram(sub: Subparsers) -> None:
        channels_cli.register(sub, poll_command=terminal.cmd_poll)

    return (
        _register_core,
        operators_cli.register,
        privacy_cli.register,
        casework_cli.register,
        terminal.register,
        _register_nlu,
        register_telegram,
        oncall_cli.register,
        doctor.register,
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("helpline")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def build_parser() -> OneLineParser:
    from app.platform.commands import OneLineParser

    parser = OneLineParser(prog="helpline", description="Anonymous helpline service")
    parser.add_argument("--version", action="version", version=f"helpline {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for register in command_groups():
        register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.umask(0o077)  # the database, its WAL, uploads and secrets: 0600, whichever command creates them
    if argv[:1] == ["nlu"]:  # argparse would swallow the nlu CLI's own --help
        return run_nlu(argv[1:])
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
