# Matcha: `make run` to start, `make test` to test. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_ADMIN_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.DEFAULT_GOAL := help
.PHONY: help install assets migrate run test test-sqlite test-postgres test-e2e ci lint typecheck format messages lock bench bench-postgres loadtest loadtest-postgres hostile clean

help:
	@echo "make run       install, build assets, migrate and serve on http://127.0.0.1:8000"
	@echo "make test      the whole test suite on SQLite"
	@echo "make ci        SQLite, PostgreSQL and browser tests (what .ci/run runs)"
	@echo "make lint      ruff check and format check, mypy, and the import layers (lint-imports)"
	@echo "make messages  extract texts and update the English catalogue"
	@echo "make bench     page render times on 50,000 demo companies (docs/benchmarks.md)"
	@echo "make bench-postgres  the same on PostgreSQL (PG_ADMIN_URL's server, a throwaway database)"
	@echo "make loadtest  50 brokers at once for 60 s against the real server (SQLite; -postgres)"
	@echo "make hostile   hostile sheets uploaded to the real server while a colleague saves"

# The virtualenv is rebuilt when the locked requirements change.
$(BIN)/.installed: requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

static/vendor/.built: node_modules/.package-lock.json scripts/build-vendor.mjs
	npm run --silent build
	touch $@

assets: static/vendor/.built

migrate: install
	$(BIN)/matcha migrate

run: install assets migrate
	$(BIN)/matcha serve

test: install assets
	$(BIN)/pytest

test-sqlite: install assets
	$(BIN)/pytest --ignore=tests/e2e

# A fresh database on the PostgreSQL server for this run, dropped afterwards (tests/conftest.py).
test-postgres: install assets
	TEST_DATABASE_URL=$(PG_ADMIN_URL) $(BIN)/pytest --ignore=tests/e2e

test-e2e: install assets
	$(BIN)/pytest tests/e2e

ci: install assets lint
	MATCHA_REQUIRE_TOOLS=1 $(MAKE) --no-print-directory test-sqlite
	MATCHA_REQUIRE_TOOLS=1 $(MAKE) --no-print-directory test-postgres
	MATCHA_REQUIRE_TOOLS=1 $(MAKE) --no-print-directory test-e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# mypy alone (pyproject.toml [tool.mypy]); `make lint` runs it too.
typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Only the .po is kept: the .pot is a by-product. --ignore-dirs replaces pybabel's default,
# which skips directories starting with "_" (templates/_shared). tests/test_i18n.py reads
# the keywords and --ignore-dirs from the extract line below.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k translate:2 -k N_ -k ValidationFailed -k Conflict -k NotFound -k DomainError --ignore-dirs '.* node_modules tests __pycache__' -o app/translations/messages.pot --omit-header --sort-by-file .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -l en --omit-header --no-fuzzy-matching --ignore-obsolete
	rm -f app/translations/messages.pot

# Not part of ci: seeds 50,000 companies into bench/.cache/ once (a few minutes), then measures.
bench: install assets
	$(BIN)/python -m bench

# The same pages on PostgreSQL: a database of its own on PG_ADMIN_URL's server, seeded with
# the same data for the run (a few minutes) and dropped afterwards.
bench-postgres: install assets
	DATABASE_URL=$(PG_ADMIN_URL) $(BIN)/python -m bench

# Not part of ci: the real server (`matcha serve`) on loopback, a throwaway database with
# 2,000 demo companies, 50 brokers signed in at once and working for 60 s; it stops by
# itself and exits 1 if a target is missed (docs/benchmarks.md). LOADTEST_ARGS adds options,
# e.g. LOADTEST_ARGS="--brokers 20 --seconds 30".
loadtest: install assets
	$(BIN)/python -m bench.loadtest $(LOADTEST_ARGS)

loadtest-postgres: install assets
	PG_ADMIN_URL=$(PG_ADMIN_URL) $(BIN)/python -m bench.loadtest --engine postgresql --workers 2 $(LOADTEST_ARGS)

# Not part of ci: a fresh server per case, each upload bounded by --timeout (default 60 s).
hostile: install assets
	$(BIN)/python -m bench.hostile $(HOSTILE_ARGS)

# Regenerate the locks from pyproject.toml (needs the registry).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet . && .lock-venv/bin/pip freeze --exclude-editable | grep -v '^matcha' > requirements.lock
	.lock-venv/bin/pip install --quiet '.[dev]' && .lock-venv/bin/pip freeze --exclude-editable | grep -v '^matcha' > requirements-dev.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) node_modules static/vendor test-results .pytest_cache
