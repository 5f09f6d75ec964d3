"""`python -m nlu ...`: the same commands as `helpline nlu ...`, with the package's model file."""

from __future__ import annotations

import sys

from nlu.cli import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
