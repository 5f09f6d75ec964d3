# Everything a newcomer needs: `make run` and `make test` on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-pg lint bench rasa clean
HOST ?= 127.0.0.1
PORT ?= 8000

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

# The shipped NLU model, trained once into the package (nlu/model/helpline.pkl) and again only when
# the data or the NLU code changes; the app and `helpline nlu predict` just load it.
NLU_MODEL := nlu/model/helpline.pkl
$(NLU_MODEL): $(STAMP) $(wildcard nlu/*.py) $(wildcard nlu/data/train/*/*.yml) $(wildcard nlu/data/urgency/*.yml)
	$(BIN)/python -m nlu train --out $(NLU_MODEL)
	@touch $(NLU_MODEL)

install: $(STAMP) $(NLU_MODEL)

# `make run PORT=8080` when 8000 is taken.
run: install
	$(BIN)/helpline serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# Style and types: ruff and mypy as configured in pyproject.toml.
lint: install
	$(BIN)/ruff check app bots nlu routing tests bench migrations
	$(BIN)/mypy

# The same suite on PostgreSQL (expects a server on 127.0.0.1:5432, trust auth).
test-pg: install
	HELPLINE_TEST_DATABASE_URL=$${HELPLINE_TEST_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/core_bench.py
	$(BIN)/python bench/nlu_bench.py

# The optional Rasa backend: its own Python 3.10 venv, our data exported, trained, served on loopback.
# Then run the app with HELPLINE_NLU_BACKEND=rasa (HELPLINE_RASA_URL defaults to http://127.0.0.1:5005).
rasa: install
	bash rasa/setup.sh
	$(BIN)/helpline nlu export-rasa var/rasa-project
	cd var/rasa-project && ../../.venv-rasa/bin/rasa train nlu --fixed-model-name helpline --out models
	cd var/rasa-project && ../../.venv-rasa/bin/rasa run --enable-api -i 127.0.0.1 -p 5005 -m models/helpline.tar.gz

clean:
	rm -rf $(VENV) .pytest_cache
