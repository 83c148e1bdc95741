# Two commands do everything: `make run` (the sample site on http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app.py

.PHONY: install run test lint bench clean editor editor-check wheel-check

install: $(VENV)/.installed tests/browser/node_modules/.installed

# Reinstalled whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# axe-core, Lighthouse and the Nu HTML checker for the tests, pinned by tests/browser/package-lock.json.
# Without npm the tests that need them skip and say why.
tests/browser/node_modules/.installed: tests/browser/package.json tests/browser/package-lock.json
	if command -v npm >/dev/null; then npm ci --prefix tests/browser --no-audit --no-fund && touch $@; \
	else echo "npm not found: the axe-core, Lighthouse and Nu checker tests will be skipped"; fi

# The email worker runs beside the site (emails land in instance/outbox/ as .eml files unless SMTP_URL is set)
# and stops with it.
run: install
	$(BIN)/flask cms init
	$(BIN)/flask cms demo
	$(BIN)/flask cms worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(BIN)/flask run --host 127.0.0.1 --port 5000

# Three test processes for every two cores (pytest-xdist; tests/conftest.py says why); PYTEST_ARGS="-n 0" runs them
# all in one, e.g. to debug. Python keeps its compiled modules even where the environment says not to: otherwise
# each test process, and each server or command a test starts, compiles the project again (and pytest rewrites
# every test module's asserts again), 1.5 s a process.
test: install
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

# ruff over everything; mypy strict on cms/core and cms/services, checked on the rest (pyproject.toml says how).
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# Load figures as ratios to a bare Flask app measured in the same run (ARGS="--articles 100000" for scale),
# reads while a draft is saved every 100 ms and a live edit published every 2 s (WRITING_ARGS="--database-url …"),
# rendering time per KB from 1 KB to 1 MB and a 10 MB animated upload (bench_limits),
# article pages with Redis hung against without (bench_redis),
# the email worker's own time per email at 10,000 subscribers and from go-live to the first email (bench_mail),
# then readers at 64 connections for 30 s while articles are saved and published (BENCH_ARGS).
bench: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m tests.bench.run $(ARGS)
	$(BIN)/python -m tests.bench.bench_writing $(WRITING_ARGS)
	$(BIN)/python -m tests.bench.bench_related
	$(BIN)/python -m tests.bench.bench_limits
	$(BIN)/python -m tests.bench.bench_redis
	$(BIN)/python -m tests.bench.bench_mail
	$(BIN)/python tests/bench/bench_load.py $(BENCH_ARGS)

# The writing screen's editor, built from static/editor (pinned by its package-lock.json) into the committed
# static/js/editor.bundle.js, so `make run` needs no Node. Run after changing static/editor; needs Node 20+.
editor:
	npm ci --prefix static/editor --no-audit --no-fund
	cd static/editor && node build.mjs ../js/editor.bundle.js

# CI: the committed bundle is what its source and lockfile build, byte for byte.
editor-check:
	npm ci --prefix static/editor --no-audit --no-fund
	cd static/editor && node build.mjs "$$(pwd)/../../build/editor.bundle.js"
	cmp build/editor.bundle.js static/js/editor.bundle.js || \
		(echo "static/js/editor.bundle.js is not what static/editor builds: run make editor and commit it" && exit 1)

# CI: the built wheel, installed with its dependencies from PyPI into a fresh virtual environment, serves the
# site from another directory (make test checks the same without the network).
wheel-check: install
	$(BIN)/python -m tests.packaging.wheel

clean:
	rm -rf $(VENV) .pytest_cache
