"""``helpline``: serve, migrate, manage operators, purge, rotate keys, chat with the bot.

Every command has ``--help``; bad arguments print one line and exit with 2.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import secrets
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from app.settings import SettingsError, load_settings, new_key_spec


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error on one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


Handler = Callable[[argparse.Namespace], int]
# Extra command groups (channels, routing, workspaces) register themselves here.
REGISTRARS: list[Callable[[argparse._SubParsersAction], None]] = []


def _settings():  # type: ignore[no-untyped-def]
    try:
        return load_settings()
    except SettingsError as exc:
        print(f"helpline: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


def cmd_migrate(args: argparse.Namespace) -> int:
    from app.migrate import downgrade, upgrade

    settings = _settings()
    if args.down:
        downgrade(settings.database_url, args.revision or "base")
    else:
        upgrade(settings.database_url, args.revision or "head")
        asyncio.run(_seed(settings))
    print("database is at", "base" if args.down and not args.revision else (args.revision or "head"))
    return 0


async def _seed(settings) -> None:  # type: ignore[no-untyped-def]
    from app.db import create_engine, create_sessionmaker, session_scope
    from app.scripts.service import seed_scripts

    engine = create_engine(settings.database_url)
    async with session_scope(create_sessionmaker(engine)) as session:
        await seed_scripts(session)
    await engine.dispose()


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.migrate import upgrade

    settings = _settings()
    if settings.is_sqlite and args.workers > 1:
        print("helpline: the embedded SQLite database runs in one process; use PostgreSQL for --workers > 1",
              file=sys.stderr)  # fmt: skip
        return 2
    if not settings.is_production:
        upgrade(settings.database_url)
        asyncio.run(_seed(settings))
        login = asyncio.run(_demo_operator(settings)) if settings.demo_login else None
        base = f"http://{args.host}:{args.port}"
        print(f"\n  Web chat:  {base}/chat\n  Console:   {base}/console\n  Admin:     {base}/admin\n"
              f"  API docs:  {base}/docs\n  Health:    {base}/readyz")  # fmt: skip
        if login:
            print(f"  Demo login: {login[0]} / {login[1]}  (development only)\n")
    uvicorn.run("app.main:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                log_config=None, proxy_headers=True)  # fmt: skip
    return 0


async def _demo_operator(settings) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A demo coordinator for development, its password kept in DATA_DIR."""
    from app.operators.service import ensure_operator

    path = Path(settings.data_dir) / "demo-login.txt"
    if path.exists():
        login, password = path.read_text().strip().split(" ", 1)
    else:
        login, password = "demo", secrets.token_urlsafe(9)
        path.write_text(f"{login} {password}\n")
        path.chmod(0o600)
    await ensure_operator(settings, login=login, name="Demo coordinator", role="coordinator",
                          languages=["ru", "kk", "uz", "en"], password=password)  # fmt: skip
    return login, password


def cmd_operator_add(args: argparse.Namespace) -> int:
    from app.operators.service import OperatorError, ensure_operator

    settings = _settings()
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != password:
            print("helpline: passwords differ", file=sys.stderr)
            return 2
    else:
        password = None
    try:
        languages = [x.strip() for x in args.languages.split(",") if x.strip()]
        asyncio.run(ensure_operator(settings, login=args.login, name=args.name, role=args.role, languages=languages,
                                    password=password, telegram_chat_id=args.telegram_chat_id, phone=args.phone,
                                    create_only=True))  # fmt: skip
    except OperatorError as exc:
        print(f"helpline: {exc}", file=sys.stderr)
        return 2
    print(f"operator {args.login} added")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from app.db import create_engine, create_sessionmaker, session_scope
    from app.models import utcnow
    from app.privacy import purge

    settings = _settings()

    async def run() -> dict[str, int]:
        engine = create_engine(settings.database_url)
        async with session_scope(create_sessionmaker(engine)) as session:
            counts = await purge(session, utcnow(), args.days if args.days is not None else settings.retention_days)
        await engine.dispose()
        return counts

    counts = asyncio.run(run())
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    return 0


def cmd_keys_rotate(_: argparse.Namespace) -> int:
    from app.db import create_engine, create_sessionmaker, session_scope
    from app.identity import Vault
    from app.privacy import rotate_keys

    settings = _settings()

    async def run() -> int:
        engine = create_engine(settings.database_url)
        vault = Vault(settings.pepper.get_secret_value(), settings.key_list)
        async with session_scope(create_sessionmaker(engine)) as session:
            changed = await rotate_keys(session, vault)
        await engine.dispose()
        return changed

    print(f"re-encrypted {asyncio.run(run())} values under key {settings.key_list[0][0]}")
    return 0


def cmd_keys_new(args: argparse.Namespace) -> int:
    print(new_key_spec(args.id))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from app.chat_cli import run_chat

    return asyncio.run(run_chat(_settings(), language=args.language))


def cmd_nlu(args: argparse.Namespace) -> int:
    from nlu.cli import main as nlu_main

    return nlu_main(args.rest, default_model_path=Path(_settings().model_path))


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="helpline", description="Anonymous helpline service")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    p = sub.add_parser("serve", help="run the web service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", help="upgrade the database to the newest schema and seed scripts")
    p.add_argument("--revision", help="target revision (default: head)")
    p.add_argument("--down", action="store_true", help="downgrade instead (default target: base)")
    p.set_defaults(func=cmd_migrate)

    op = sub.add_parser("operator", help="manage operators").add_subparsers(dest="action", required=True,
                                                                           parser_class=OneLineParser)  # fmt: skip
    p = op.add_parser("add", help="add an operator")
    p.add_argument("--login", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=["operator", "coordinator", "admin"])
    p.add_argument("--languages", required=True, help="comma-separated: ru,kk,uz,en")
    p.add_argument("--telegram-chat-id", type=int)
    p.add_argument("--phone", help="E.164, e.g. +77010000001")
    p.add_argument("--password-stdin", action="store_true", help="read the password as one line on stdin")
    p.set_defaults(func=cmd_operator_add)

    p = sub.add_parser("purge", help="delete message bodies of closed cases past retention")
    p.add_argument("--days", type=int, help="override HELPLINE_RETENTION_DAYS")
    p.set_defaults(func=cmd_purge)

    keys = sub.add_parser("keys", help="encryption keys").add_subparsers(dest="action", required=True,
                                                                         parser_class=OneLineParser)  # fmt: skip
    keys.add_parser("rotate", help="re-encrypt every stored secret under the first key").set_defaults(func=cmd_keys_rotate)
    p = keys.add_parser("new", help="print a new key for HELPLINE_ENCRYPTION_KEYS")
    p.add_argument("--id", default="k" + uuid.uuid4().hex[:6])
    p.set_defaults(func=cmd_keys_new)

    p = sub.add_parser("chat", help="talk to the bot in this terminal, through the same core")
    p.add_argument("--language", choices=["ru", "kk", "uz", "en"])
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("nlu", help="train, evaluate and try the NLU model (see 'helpline nlu --help')", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_nlu)

    for register in REGISTRARS:
        register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    _load_extensions()
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


def _load_extensions() -> None:
    """Import command groups that live beside their features."""
    import importlib

    for name in ("app.channels.cli", "app.oncall.cli", "app.doctor"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not exc.name or not name.startswith(exc.name):
                raise


if __name__ == "__main__":
    # Run the importable module, so command groups register where main() looks.
    from app.cli import main as _main

    raise SystemExit(_main())
