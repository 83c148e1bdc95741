# Two commands do everything: `make run` (the sample site on http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app.py

.PHONY: install run test bench clean

install: $(VENV)/.installed

# Reinstalled whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: install
	$(BIN)/flask cms init
	$(BIN)/flask cms demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Load figures as ratios to a bare Flask app measured in the same run (ARGS="--articles 100000" for scale),
# then readers at 64 connections for 30 s while articles are saved and published (BENCH_ARGS).
bench: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m tests.bench.run $(ARGS)
	$(BIN)/python -m tests.bench.bench_related
	$(BIN)/python tests/bench/bench_load.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
