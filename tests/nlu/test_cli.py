"""`helpline nlu ...` as the app calls it: nlu.cli.main(argv, default_model_path)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
import yaml

from nlu.cli import main


def _run(
    argv: list[str],
    model_file: Path,
    stdin: str = "",
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    assert monkeypatch is not None
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = main(argv, default_model_path=model_file)
    return code, out.getvalue(), err.getvalue()


def test_predict_writes_one_line_per_input_and_an_error_line_for_a_bad_one(
    model_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = '{"text": "Здравствуйте"}\nnot json\n{"nope": 1}\n{"text": "pomogite menya zaperli"}\n'
    code, out, _ = _run(["predict"], model_file, stdin, monkeypatch)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and len(rows) == 4  # bad input: every line answered, exit status non-zero
    assert rows[0]["intent"] == "greet" and "error" in rows[1] and "error" in rows[2]
    assert rows[3]["urgent"] is True and rows[3]["language"] == "ru"


def test_predict_of_good_input_exits_0_with_the_new_fields(model_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = _run(["predict", "--model", str(model_file)], model_file, '{"text": "salom"}\n', monkeypatch)
    row = json.loads(out)
    assert code == 0 and {"third_party", "urgency_band", "ask_safety"} <= set(row)


def test_help_works_and_exits_0(model_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for argv in (["--help"], ["predict", "--help"], ["evaluate", "--help"], ["train", "--help"]):
        code, out, _ = _run(argv, model_file, monkeypatch=monkeypatch)
        assert code == 0 and "usage: helpline nlu" in out


def test_a_missing_model_file_is_an_error_not_a_silent_training(
    model_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = _run(["predict", "--model", str(tmp_path / "none.pkl")], model_file, "", monkeypatch)
    assert code == 2 and "no such model file" in err and not (tmp_path / "none.pkl").exists()


def test_evaluate_without_a_file_reports_test_and_heldout_per_language(
    model_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = _run(["evaluate"], model_file, monkeypatch=monkeypatch)
    assert code == 0 and out.startswith("test: ") and "u.rec" in out and "ask" in out
    for lang in ("ru", "kk", "uz"):
        assert f"  {lang} " in out


def test_evaluate_json_lines_prints_the_figures_and_draws_a_png(
    model_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "eval.jsonl"
    rows = [
        {"text": "Здравствуйте", "intent": "greet", "urgent": False, "language": "ru"},
        {
            "text": "меня заперли помогите",
            "intent": "emergency",
            "urgent": True,
            "language": "ru",
        },
        {"text": "Сәлеметсіз бе", "intent": "greet", "urgent": False, "language": "kk"},
        {"text": "salom", "intent": "greet", "urgent": False, "language": "uz"},
    ]
    data.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8"
    )
    png = tmp_path / "cm.png"
    code, out, _ = _run(
        ["evaluate", str(data), "--plot", str(png)], model_file, monkeypatch=monkeypatch
    )
    assert code == 0
    assert "macro-F1" in out and "urgent recall=1.000" in out and "language=" in out
    assert png.read_bytes().startswith(b"\x89PNG")


def test_evaluate_reads_a_rasa_yaml_test_file(
    model_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nlu.data_io import DATA_DIR

    code, out, _ = _run(
        ["evaluate", str(DATA_DIR / "test" / "ru.yml"), "--json"],
        model_file,
        monkeypatch=monkeypatch,
    )
    report = json.loads(out)
    assert code == 0 and report["per_language"]["ru"]["n"] >= 380


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["predict", "unexpected"],
        ["evaluate", "/no/such/file.jsonl"],
        ["train", "--data", "/no/such/dir"],
        ["predict", "--model", "/no/such/model.pkl"],
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(
    model_file: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    code, _, err = _run(argv, model_file, monkeypatch=monkeypatch)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_export_rasa_writes_parseable_yaml(
    model_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, _ = _run(
        ["export-rasa", str(tmp_path / "rasa")], model_file, monkeypatch=monkeypatch
    )
    assert code == 0
    config = yaml.safe_load(
        (tmp_path / "rasa" / "config.yml").read_text(encoding="utf-8")
    )
    names = [c["name"] for c in config["pipeline"]]
    assert (
        names[0] == "WhitespaceTokenizer"
        and "DIETClassifier" in names
        and names[-1] == "FallbackClassifier"
    )
    domain = yaml.safe_load(
        (tmp_path / "rasa" / "domain.yml").read_text(encoding="utf-8")
    )
    assert len(domain["intents"]) == 19
    for lang in ("ru", "kk", "uz"):
        nlu = yaml.safe_load(
            (tmp_path / "rasa" / "data" / f"nlu_{lang}.yml").read_text(encoding="utf-8")
        )
        assert nlu["version"] == "3.1" and len(nlu["nlu"]) >= 19


def test_export_rasa_per_intent_keeps_a_sample_of_every_intent(
    model_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, _ = _run(
        ["export-rasa", str(tmp_path / "rasa"), "--per-intent", "5"], model_file, monkeypatch=monkeypatch
    )
    assert code == 0
    nlu = yaml.safe_load((tmp_path / "rasa" / "data" / "nlu_ru.yml").read_text(encoding="utf-8"))
    counts = {b["intent"]: b["examples"].count("\n- ") + 1 for b in nlu["nlu"]}
    assert len(counts) == 19 and set(counts.values()) == {5}
