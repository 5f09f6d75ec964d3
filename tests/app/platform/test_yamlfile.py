"""YAML files parsed once per change (app/platform/yamlfile.py): seeding reads six big files at every start."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from app.platform import yamlfile


def test_a_file_changed_on_disk_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "texts.yml"
    path.write_text("greet: Здравствуйте\n", encoding="utf-8")
    assert yamlfile.read(path) == {"greet": "Здравствуйте"}
    path.write_text("greet: Сәлеметсіз бе\nextra: 1\n", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert yamlfile.read(path) == {"greet": "Сәлеметсіз бе", "extra": 1}


def test_what_a_caller_changes_does_not_reach_the_next_reader(tmp_path: Path) -> None:
    path = tmp_path / "texts.yml"
    path.write_text("texts:\n  greet: {chat: Салом}\n", encoding="utf-8")
    first = yamlfile.read(path)
    first["texts"]["greet"]["chat"] = "changed"
    assert yamlfile.read(path)["texts"]["greet"]["chat"] == "Салом"


def test_broken_yaml_is_the_same_clear_error_as_before(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text("texts: [unclosed\n", encoding="utf-8")
    with pytest.raises(yaml.YAMLError):
        yamlfile.read(path)
