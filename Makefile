# The README's commands. `make run`: the app with demo data on SQLite. `make test`: the whole suite.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
PORT ?= 8000
export DATABASE_URL ?= sqlite+aiosqlite:///$(CURDIR)/var/passerelle.sqlite3

.PHONY: run test lint format messages bench-ballots bench-exports bench-colloquium system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || (apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV))
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.app-installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.app-installed
	$(BIN)/pip install -q -e ".[test]"
	touch $@

run: $(VENV)/.app-installed
	mkdir -p var
	$(BIN)/passerelle migrate
	$(BIN)/passerelle demo
	$(BIN)/passerelle serve --host 127.0.0.1 --port $(PORT)

system-deps:
	./scripts/system-deps.sh

test: $(VENV)/.test-installed system-deps lint
	$(BIN)/pytest -n auto --dist loadgroup --durations=30

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(VENV)/.test-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(VENV)/.test-installed
	./scripts/messages.sh

bench-ballots: $(VENV)/.app-installed
	$(BIN)/python -m bench.ballots

bench-exports: $(VENV)/.app-installed
	$(BIN)/python -m bench.exports

# BENCH_ARGS: e.g. `make bench-colloquium BENCH_ARGS="--backend postgresql"` or "--quick"
bench-colloquium: $(VENV)/.app-installed
	$(BIN)/python -m bench.colloquium $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
