"""``helpline chat``: the terminal has no buttons, so it numbers them and a typed number presses one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.runtime.terminal import choices_of, read_line, render_choices
from bots.messages import Button, OutboundMessage

LANGUAGES = (Button("Русский", "lang:ru"), Button("Қазақша", "lang:kk"))


def test_buttons_print_as_numbered_choices_and_a_number_presses_one() -> None:
    replies = [OutboundMessage(channel="cli", address="t", text="Выберите язык", buttons=(LANGUAGES,))]
    choices = choices_of(replies)
    assert render_choices(choices) == ["     1) Русский", "     2) Қазақша"]
    assert read_line("2", choices) == ("", "lang:kk")
    assert read_line("3", choices) == ("3", None), "a number with no choice behind it is just text"
    assert read_line("/lang uz", choices) == ("", "lang:uz")
    assert read_line("мне 2 года не платят", choices) == ("мне 2 года не платят", None)


def test_terminal_chat_offers_languages_to_choose_by_number(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "HELPLINE_DATABASE_URL": settings.database_url, "HELPLINE_DATA_DIR": str(tmp_path),
           "HELPLINE_ENV": "development", "HELPLINE_NLU_BACKEND": "keywords"}  # fmt: skip
    env.pop("HELPLINE_TEST_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "app.cli", "chat"], input="/language\n2\n", env=env,
                          capture_output=True, text=True, timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.strip() == "2) Қазақша" for line in lines), done.stdout
    assert " kk /lang]" in done.stdout, "typing 2 chose Kazakh"
