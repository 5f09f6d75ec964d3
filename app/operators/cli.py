"""``helpline operator add``, and the demo coordinator ``helpline serve`` makes in development."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import secrets
import sys
from pathlib import Path

from app.operators.service import ROLES, OperatorError, ensure_operator, reset_access
from app.platform import languages as registry
from app.platform.commands import OneLineParser, Subparsers, settings_or_exit, with_session
from app.platform.models import utcnow
from app.platform.settings import Settings


async def demo_operator(settings: Settings) -> tuple[str, str]:
    """A demo coordinator for development, its password kept in DATA_DIR."""
    path = Path(settings.data_dir) / "demo-login.txt"
    if path.exists():
        login, password = path.read_text().strip().split(" ", 1)
    else:
        login, password = "demo", secrets.token_urlsafe(9)
        path.write_text(f"{login} {password}\n")
        path.chmod(0o600)
    await ensure_operator(settings, login=login, name="Demo coordinator", role="coordinator",
                          languages=list(registry.codes()), password=password)  # fmt: skip
    return login, password


class PasswordsDiffer(Exception):
    """The two typed passwords were not the same."""


def read_password(args: argparse.Namespace, prompt: str) -> str | None:
    """One line on stdin with --password-stdin, typed twice on a terminal, else None (no terminal, no stdin)."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        return None
    password = getpass.getpass(prompt)
    if getpass.getpass("Repeat: ") != password:
        raise PasswordsDiffer()
    return password


def cmd_operator_add(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    try:
        password = read_password(args, "Password: ")
    except PasswordsDiffer:
        print("helpline: passwords differ", file=sys.stderr)
        return 2
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


def cmd_operator_reset(args: argparse.Namespace) -> int:
    """Someone who can run commands on the server lets a locked-out admin back in."""
    settings = settings_or_exit()
    try:
        typed = read_password(args, "New password: ")
    except PasswordsDiffer:
        print("helpline: passwords differ", file=sys.stderr)
        return 2
    generated = typed is None
    password = typed if typed is not None else secrets.token_urlsafe(15)
    try:
        with_session(settings, lambda session, vault: reset_access(session, vault, args.login.strip().lower(), password,
                                                                   utcnow()))  # fmt: skip
    except OperatorError as exc:
        print(f"helpline: {exc}", file=sys.stderr)
        return 2
    print(f"operator {args.login}: password reset, two-step sign-in removed, sessions ended, sign-in delays cleared")
    if generated:
        print(f"new password (shown once): {password}")
    return 0


def register(sub: Subparsers) -> None:
    op = sub.add_parser("operator", help="manage operators").add_subparsers(dest="action", required=True,
                                                                           parser_class=OneLineParser)  # fmt: skip
    p = op.add_parser("add", help="add an operator")
    p.add_argument("--login", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=list(ROLES))
    p.add_argument("--languages", required=True, help="comma-separated codes from app/platform/languages.yml, e.g. ru,ky")
    p.add_argument("--telegram-chat-id", type=int)
    p.add_argument("--phone", help="E.164, e.g. +77010000001")
    p.add_argument("--password-stdin", action="store_true", help="read the password as one line on stdin")
    p.set_defaults(func=cmd_operator_add)
    p = op.add_parser("reset", help="reset an operator's password and TOTP (for a locked-out admin)")
    p.add_argument("--login", required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the new password as one line on stdin")
    p.set_defaults(func=cmd_operator_reset)
