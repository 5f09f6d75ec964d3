"""How often the bot asks "are you in danger right now?", per language, on the NLU's test and held-out sets.

Usage: .venv/bin/python bench/safety_question_bench.py [--model PATH]
Every example is read as the first message of a case, through the conversation's own rules
(``app.conversations.safety.wants_question``, ``app.conversations.language``): the question is
asked when the model sets ask_safety, the message is not urgent, and the bot can answer in the
message's language (elsewhere the multilingual line goes out and the grey band goes to a human).
Columns: asked = share of all messages that get the question; asked|calm = share of the messages
labelled not urgent (people asked without need); urgent caught = share of the urgent-labelled
messages that reach a human at once or get the question (the net under the classifier).
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.conversations import language, safety
from nlu.data_io import DATA_DIR, load_dir
from nlu.evaluate import SETS
from nlu.model import DEFAULT_MODEL_PATH, load_or_train


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
    args = ap.parse_args()
    model = load_or_train(args.model)
    print(f"{'set':8} {'lang':8} {'n':>5} {'asked':>7} {'asked|calm':>11} {'urgent':>7} {'urgent caught':>14}")
    for name in SETS:
        rows: dict[str, list[tuple[bool, bool, bool]]] = defaultdict(list)
        for example in load_dir(DATA_DIR / name):
            p = model.predict(example.text)
            answerable = language.answerable(p.language)
            asked = answerable and safety.wants_question(p, {}, uuid.uuid4())
            # Outside the bot's languages an unsure (grey) message goes to a human instead of a question.
            to_human = p.urgent or (not answerable and p.urgency_band == "grey")
            rows[example.language].append((example.urgent, asked, to_human))
        for lang in sorted(rows, key=lambda code: (code not in language.ANSWERABLE, code)):
            data = rows[lang]
            calm = [r for r in data if not r[0]]
            urgent = [r for r in data if r[0]]
            asked_all = sum(r[1] for r in data) / len(data)
            asked_calm = sum(r[1] for r in calm) / len(calm) if calm else 0.0
            caught = sum(r[1] or r[2] for r in urgent) / len(urgent) if urgent else float("nan")
            print(f"{name:8} {lang:8} {len(data):5} {asked_all:7.3f} {asked_calm:11.3f} {len(urgent):7} {caught:14.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
