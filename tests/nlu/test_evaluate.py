"""The evaluation report: every set under the data folder that exists, each apart."""

from __future__ import annotations

from pathlib import Path

from nlu.evaluate import report
from nlu.model import NLUModel

_SET = """version: "3.1"
nlu:
- intent: emergency
  examples: |
    - меня заперли, помогите
- intent: greet
  examples: |
    - здравствуйте
"""


def test_a_heldout2_folder_is_reported_as_its_own_set(model: NLUModel, tmp_path: Path) -> None:
    for name in ("test", "heldout2"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "ru.yml").write_text(_SET, encoding="utf-8")
    rep = report(model, tmp_path)
    assert set(rep) == {"test", "heldout2"}
    assert rep["heldout2"]["n"] == 2 and "ru" in rep["heldout2"]["per_language"]


def test_without_a_heldout2_folder_the_report_has_no_such_set(model: NLUModel, tmp_path: Path) -> None:
    (tmp_path / "heldout").mkdir()
    (tmp_path / "heldout" / "ru.yml").write_text(_SET, encoding="utf-8")
    assert set(report(model, tmp_path)) == {"heldout"}
