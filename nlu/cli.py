"""`helpline nlu ...` (and `python -m nlu ...`): train, predict (JSON lines), evaluate, export-rasa."""

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


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="helpline nlu",
        description="Train, try and evaluate the helpline NLU model. "
        "The model ships in the package (nlu/model/helpline.pkl, built by `make install`).",
    )
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    t = sub.add_parser("train", help="train from the data folder and save the model (progress on stderr)")
    t.add_argument("--data", type=Path, default=None, help="data folder with train/<lang>/*.yml (default: package data)")
    t.add_argument("--out", type=Path, default=None, help="model file (default: the package's nlu/model/helpline.pkl)")
    t.add_argument("--if-stale", action="store_true", help="do nothing when the model file is current")
    pr = sub.add_parser("predict", help='read {"text": ...} JSON lines on stdin, write one prediction per line')
    pr.add_argument("--model", type=Path, default=None, help="model file (default: the configured or package model)")
    e = sub.add_parser(
        "evaluate",
        help="evaluate on labelled JSON lines, a Rasa YAML file or folder; "
        "with no file: the test split and the held-out sets, per language",
    )
    e.add_argument("file", type=Path, nargs="?", default=None)
    e.add_argument("--model", type=Path, default=None)
    e.add_argument("--loso", action="store_true", help="also leave-one-style-out (one training per style: minutes)")
    e.add_argument("--styles", default=None, help="with --loso: only these styles, comma-separated (e.g. latin,speech)")
    e.add_argument("--plot", type=Path, default=None, help="write the confusion matrix as PNG")
    e.add_argument("--json", action="store_true", help="print the full report as JSON")
    x = sub.add_parser("export-rasa", help="write a Rasa 3.x project (config, domain, data)")
    x.add_argument("dir", type=Path)
    x.add_argument("--per-intent", type=int, default=None, help="at most N examples per intent and language")
    return p


def _predict(model: Any, stdin: TextIO, stdout: TextIO) -> int:
    """One JSON line out per line in; exit status 1 when any line was not {"text": str}."""
    bad = 0
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
            bad += 1
            out = {"error": f"{type(exc).__name__}: {exc}"[:200]}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    if bad:
        sys.stderr.write(f"helpline nlu: {bad} input line(s) were not JSON objects with a string \"text\"\n")
    return 1 if bad else 0


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def print_table(name: str, rep: dict[str, Any], out: TextIO) -> None:
    """Per-language lines: intent macro-F1, urgent recall/precision, language accuracy, ask_safety rate."""
    u = rep["urgent"]
    out.write(
        f"{name}: n={rep['n']} macro-F1={_fmt(rep['macro_f1'])} urgent recall={_fmt(u['recall'])} "
        f"precision={_fmt(u['precision'])} (tp={u['tp']} fn={u['fn']} fp={u['fp']}) "
        f"language={_fmt(rep['language_accuracy'])} ask_safety={_fmt(rep['ask_safety_rate'])}\n"
    )
    out.write(f"  {'lang':<8}{'n':>6}{'F1':>8}{'u.rec':>8}{'u.prec':>8}{'fn':>5}{'fp':>5}{'lang':>8}{'unk':>7}{'ask':>7}\n")
    for lang, row in rep["per_language"].items():
        ur = row["urgent"]
        out.write(
            f"  {lang:<8}{row['n']:>6}{_fmt(row['macro_f1']):>8}{_fmt(ur['recall']):>8}{_fmt(ur['precision']):>8}"
            f"{ur['fn']:>5}{ur['fp']:>5}{_fmt(row['language_accuracy']):>8}{_fmt(row['unknown_rate']):>7}"
            f"{_fmt(row['ask_safety_rate']):>7}\n"
        )


def _print_report(report: dict[str, Any], out: TextIO) -> None:
    print_table("examples", report, out)
    labels = report["labels"]
    short = [lab[:6] for lab in labels]
    out.write("confusion (rows gold, columns predicted):\n")
    out.write(" " * 20 + " ".join(f"{s:>6}" for s in short) + "\n")
    out.writelines(
        f"{g[:19]:<20}" + " ".join(f"{report['confusion'][g][p]:>6}" for p in labels) + "\n" for g in labels
    )


def _resolve_model(explicit: Path | None, configured: Path | None) -> tuple[Path, bool]:
    """The model file to use: --model, else the configured path when it exists, else the package model."""
    from nlu.model import DEFAULT_MODEL_PATH

    if explicit is not None:
        return explicit, True
    if configured is not None and Path(configured).exists():
        return Path(configured), False
    return DEFAULT_MODEL_PATH, False


def _load(explicit: Path | None, configured: Path | None) -> Any:
    """Load the model; a missing or stale package model is trained with progress on stderr, never silently."""
    from nlu.model import NLUModel, load_or_train

    path, is_explicit = _resolve_model(explicit, configured)
    if is_explicit:
        return NLUModel.load(path)
    return load_or_train(path)


def main(argv: list[str], default_model_path: Path | None = None) -> int:
    """Entry point the app's CLI delegates to; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    from nlu.model import DEFAULT_MODEL_PATH, NLUModel, load_or_train, stderr_progress

    if args.cmd == "train":
        if args.data is not None and not args.data.is_dir():
            sys.stderr.write(f"helpline nlu: no such data folder: {args.data}\n")
            return 2
        out = args.out or DEFAULT_MODEL_PATH
        if args.if_stale:
            load_or_train(out, args.data)
            sys.stdout.write(f"model up to date: {out}\n")
            return 0
        model = NLUModel.train(args.data, progress=stderr_progress)
        model.save(out)
        sys.stdout.write(f"model written to {out}\n")
        return 0
    if args.cmd == "export-rasa":
        from nlu.rasa_export import export_rasa

        export_rasa(args.dir, per_intent=args.per_intent)
        sys.stdout.write(f"Rasa project written to {args.dir}\n")
        return 0
    if args.model is not None and not args.model.exists():
        sys.stderr.write(f"helpline nlu: no such model file: {args.model}\n")
        return 2
    if args.cmd == "predict":
        try:
            model = _load(args.model, default_model_path)
        except ValueError as exc:
            sys.stderr.write(f"helpline nlu: {exc}\n")
            return 2
        return _predict(model, sys.stdin, sys.stdout)
    return _evaluate(args, default_model_path)


def _evaluate(args: argparse.Namespace, default_model_path: Path | None) -> int:
    from nlu.evaluate import SETS, evaluate, load_examples, report

    if args.file is not None and not args.file.exists():
        sys.stderr.write(f"helpline nlu: no such file: {args.file}\n")
        return 2
    examples = None
    if args.file is not None:
        try:
            examples = load_examples(args.file)
        except (ValueError, KeyError, TypeError) as exc:
            sys.stderr.write(f"helpline nlu: cannot read {args.file}: {type(exc).__name__}\n")
            return 2
    try:
        model = _load(args.model, default_model_path)
    except ValueError as exc:
        sys.stderr.write(f"helpline nlu: {exc}\n")
        return 2
    if examples is None:
        from nlu.model import stderr_progress

        styles = [s.strip() for s in args.styles.split(",") if s.strip()] if args.styles else None
        full = report(model, loso=args.loso, styles=styles, progress=stderr_progress)
        if args.json:
            sys.stdout.write(json.dumps(full, ensure_ascii=False) + "\n")
            return 0
        for name in SETS:
            if name in full:
                print_table(name, full[name], sys.stdout)
        for style, rep in full.get("leave_one_style_out", {}).items():
            print_table(f"leave-one-style-out {style}", rep, sys.stdout)
        return 0
    rep = evaluate(model, examples)
    if args.json:
        sys.stdout.write(json.dumps(rep, ensure_ascii=False) + "\n")
    else:
        _print_report(rep, sys.stdout)
    if args.plot:
        from nlu.plot import plot_confusion

        how = plot_confusion(rep, args.plot)
        sys.stdout.write(f"confusion matrix drawn to {args.plot} ({how})\n")
    return 0
