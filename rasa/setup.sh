#!/usr/bin/env bash
# Create .venv-rasa (Python 3.10, Rasa 3.6.21) beside the app's venv. Idempotent:
# an existing venv with the right Rasa is kept. Rasa needs Python < 3.11.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-rasa
PY310="${PYTHON310:-}"
if [ -z "$PY310" ]; then
  for c in python3.10 "$HOME/.pyenv/versions/3.10.13/bin/python"; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; assert sys.version_info[:2]==(3,10)' 2>/dev/null; then PY310="$c"; break; fi
  done
fi
if [ -z "$PY310" ]; then echo "rasa/setup.sh: Python 3.10 not found (set PYTHON310=...)" >&2; exit 2; fi
if [ -x "$VENV/bin/rasa" ] && "$VENV/bin/python" -c 'import importlib.metadata as m, sys; sys.exit(m.version("rasa") != "3.6.21")' 2>/dev/null; then
  echo "rasa/setup.sh: $VENV already has rasa 3.6.21"; exit 0
fi
"$PY310" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q "rasa==3.6.21"
"$VENV/bin/rasa" --version
