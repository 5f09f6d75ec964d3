"""YAML through libyaml (app/platform/yamlfile.py): the same data and the same errors as yaml.safe_load."""

from __future__ import annotations

import pytest
import yaml

from app.platform import yamlfile


def test_it_reads_what_safe_load_reads() -> None:
    text = "greet: Сәлеметсіз бе\nextra: 1\nflags: [yes, 'no']\ntexts:\n  greet: {chat: Салом}\n"
    assert yamlfile.parse(text) == yaml.safe_load(text)


def test_broken_yaml_is_the_same_clear_error_as_before() -> None:
    with pytest.raises(yaml.YAMLError):
        yamlfile.parse("texts: [unclosed\n")


def test_it_refuses_python_objects_like_safe_load() -> None:
    with pytest.raises(yaml.YAMLError):
        yamlfile.parse("!!python/object/apply:os.system ['true']\n")
