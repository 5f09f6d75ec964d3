"""The ``helpline`` command: help everywhere, one-line errors with status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main


def test_bad_arguments_give_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["operator", "add", "--login", "x"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "required" in err


def test_unknown_command_is_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["fly"])
    assert exc.value.code == 2 and len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.parametrize("argv", [["--help"], ["serve", "--help"], ["operator", "add", "--help"], ["keys", "rotate", "--help"],
                                  ["purge", "--help"], ["chat", "--help"], ["migrate", "--help"]])  # fmt: skip
def test_every_command_has_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0 and "usage:" in capsys.readouterr().out


def test_operator_add_reads_the_password_from_stdin_and_migrate_purge_rotate_run(settings, tmp_path: Path) -> None:
    env = {**os.environ, "HELPLINE_DATABASE_URL": settings.database_url, "HELPLINE_DATA_DIR": str(tmp_path),
           "HELPLINE_ENV": "development", "HELPLINE_NLU_BACKEND": "keywords"}  # fmt: skip
    cli = [sys.executable, "-m", "app.cli"]

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([*cli, *args], input=stdin, env=env, capture_output=True, text=True, timeout=120)

    assert run("migrate").returncode == 0
    added = run("operator", "add", "--login", "aigerim", "--name", "Aigerim", "--role", "operator",
                "--languages", "kk,ru", "--phone", "+77010000001", "--password-stdin", stdin="correct horse\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    again = run("operator", "add", "--login", "aigerim", "--name", "A", "--role", "operator", "--languages", "kk",
                "--password-stdin", stdin="correct horse\n")  # fmt: skip
    assert again.returncode == 2 and "already exists" in again.stderr
    bad = run("operator", "add", "--login", "bota", "--name", "B", "--role", "operator", "--languages", "xx",
              "--password-stdin", stdin="correct horse\n")  # fmt: skip
    assert bad.returncode == 2 and "languages" in bad.stderr
    reset = run("operator", "reset", "--login", "aigerim", "--password-stdin", stdin="a brand new one\n")
    assert reset.returncode == 0 and "sessions ended" in reset.stdout, reset.stderr
    generated = run("operator", "reset", "--login", "aigerim")
    assert generated.returncode == 0 and "new password (shown once)" in generated.stdout
    assert run("operator", "reset", "--login", "nobody").returncode == 2
    assert run("purge").returncode == 0
    rotated = run("keys", "rotate")
    assert rotated.returncode == 0 and "re-encrypted" in rotated.stdout


def _commands(parser, prefix: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    """Every command path the parser knows (``("roster", "import")``…)."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield prefix + (name,)
                yield from _commands(sub, prefix + (name,))


def test_every_subcommand_answers_help(capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import build_parser

    paths = list(_commands(build_parser()))
    assert ("roster", "import") in paths and ("doctor",) in paths
    for path in paths:
        try:
            code = main([*path, "--help"])  # `nlu` is the NLU library's own CLI: it returns
        except SystemExit as exc:
            code = int(exc.code or 0)
        assert code == 0, path
        assert "usage:" in capsys.readouterr().out, path


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.startswith("helpline ")


@pytest.mark.parametrize("days", ["-3", "0", "91", "seven"])
def test_oncall_show_refuses_days_out_of_range(days: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["oncall", "show", "--days", days])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2 and len(err.splitlines()) == 1 and "days" in err
