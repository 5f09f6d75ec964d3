"""`helpline nlu ...`: train, predict (JSON lines), evaluate, export-rasa."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument as one line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"helpline nlu: {message}\n")
        raise SystemExit(2)


def _parser(default_model_path: Path) -> argparse.ArgumentParser:
    p = _Parser(
        prog="helpline nlu",
        description="Train, try and evaluate the helpline NLU model.",
    )
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    t = sub.add_parser("train", help="train from Rasa YAML and save the model")
    t.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder with ru.yml kk.yml uz.yml (default: package data)",
    )
    t.add_argument("--out", type=Path, default=default_model_path)
    pr = sub.add_parser(
        "predict",
        help='read {"text": ...} JSON lines on stdin, write one prediction per line',
    )
    pr.add_argument("--model", type=Path, default=default_model_path)
    e = sub.add_parser(
        "evaluate",
        help="evaluate on labelled JSON lines or a Rasa YAML test file/folder",
    )
    e.add_argument("file", type=Path)
    e.add_argument("--model", type=Path, default=default_model_path)
    e.add_argument(
        "--plot", type=Path, default=None, help="write the confusion matrix as PNG"
    )
    e.add_argument("--json", action="store_true", help="print the full report as JSON")
    x = sub.add_parser(
        "export-rasa", help="write a Rasa 3.x project (config, domain, data)"
    )
    x.add_argument("dir", type=Path)
    return p


def _predict(model: Any, stdin: TextIO, stdout: TextIO) -> int:
    for line in stdin:
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text = row["text"] if isinstance(row, dict) else None
            if not isinstance(text, str):
                raise TypeError('expected an object with a string "text"')
            out: dict[str, Any] = model.predict(text).to_dict()
        except (ValueError, KeyError, TypeError) as exc:
            out = {"error": f"{type(exc).__name__}: {exc}"[:200]}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0


def _print_report(report: dict[str, Any], out: TextIO) -> None:
    out.write(
        f"examples: {report['n']}  accuracy: {report['accuracy']}  macro-F1: {report['macro_f1']}\n"
    )
    out.writelines(
        f"  {lang}: n={row['n']} accuracy={row['accuracy']} macro-F1={row['macro_f1']} language-accuracy={row['language_accuracy']}\n"
        for lang, row in report["per_language"].items()
    )
    u = report["urgent"]
    out.write(
        f"urgent: recall={u['recall']} precision={u['precision']} (tp={u['tp']} fn={u['fn']} fp={u['fp']})\n"
    )
    out.write(f"language accuracy: {report['language_accuracy']}\n")
    labels = report["labels"]
    short = [lab[:6] for lab in labels]
    out.write("confusion (rows gold, columns predicted):\n")
    out.write(" " * 20 + " ".join(f"{s:>6}" for s in short) + "\n")
    out.writelines(
        f"{g[:19]:<20}"
        + " ".join(f"{report['confusion'][g][p]:>6}" for p in labels)
        + "\n"
        for g in labels
    )


def main(argv: list[str], default_model_path: Path) -> int:
    """Entry point the app's CLI delegates to; returns the exit status."""
    try:
        args = _parser(Path(default_model_path)).parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    from nlu.model import NLUModel, load_or_train

    if args.cmd == "train":
        if args.data is not None and not args.data.is_dir():
            sys.stderr.write(f"helpline nlu: no such data folder: {args.data}\n")
            return 2
        model = NLUModel.train(args.data)
        model.save(args.out)
        sys.stdout.write(f"model written to {args.out}\n")
        return 0
    if args.cmd == "export-rasa":
        from nlu.rasa_export import export_rasa

        export_rasa(args.dir)
        sys.stdout.write(f"Rasa project written to {args.dir}\n")
        return 0
    if args.cmd == "predict":
        return _predict(load_or_train(args.model), sys.stdin, sys.stdout)
    # evaluate
    from nlu.evaluate import evaluate, load_examples

    if not args.file.exists():
        sys.stderr.write(f"helpline nlu: no such file: {args.file}\n")
        return 2
    try:
        examples = load_examples(args.file)
    except (ValueError, KeyError, TypeError) as exc:
        sys.stderr.write(
            f"helpline nlu: cannot read {args.file}: {type(exc).__name__}\n"
        )
        return 2
    report = evaluate(load_or_train(args.model), examples)
    if args.json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        _print_report(report, sys.stdout)
    if args.plot:
        from nlu.plot import plot_confusion

        how = plot_confusion(report, args.plot)
        sys.stdout.write(f"confusion matrix drawn to {args.plot} ({how})\n")
    return 0
