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

# Readers at 64 connections for 30 s under gunicorn while articles are saved and published; prints the figures.
bench: install
	$(BIN)/python tests/bench/bench_load.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
