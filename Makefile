# The portal's commands. `make run` serves the whole portal; `make test` tests it.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup run test lint format assets migrate seed bench clean

help:
	@echo "make run     set up, migrate, seed the demo force, serve web + Celery worker/beat"
	@echo "make test    set up, then run the test suite (PostgreSQL when DATABASE_URL is set)"
	@echo "make lint    ruff, the import-layer contracts (lint-imports), bandit, makemigrations --check"
	@echo "make bench   page, dormancy, import and broker-outage benchmarks (DATABASE_URL on"
	@echo "             PostgreSQL, CACHE_URL on Redis, wrk; seeds force-scale data: own database)"

$(VENV)/.installed: pyproject.toml
	@PYBIN=$$(scripts/find-python.sh) || exit 1; \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
	    rm -rf $(VENV); echo "Creating $(VENV) with $$PYBIN"; "$$PYBIN" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "error: npm (Node.js 18+) is needed to build the GOV.UK Frontend assets" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/dist/portal.css: node_modules/.installed scripts/build-assets.mjs $(wildcard static/src/*.scss)
	node scripts/build-assets.mjs

assets: static/dist/portal.css

setup: $(VENV)/.installed assets

migrate: setup
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo

# Links in the demo's mails name the address make run serves on (unless PORTAL_BASE_URL is set).
run seed: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)

run: seed
	@HOST=$(HOST) PORT=$(PORT) scripts/run.sh

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/bandit --quiet --recursive . --exclude ./.venv,./node_modules,./var,./static --severity-level medium
	$(MANAGE) makemigrations --check --dry-run

bench: setup
	@[ -n "$$DATABASE_URL" ] || { echo "make bench needs DATABASE_URL=postgres://... (PostgreSQL)" >&2; exit 1; }
	@[ -n "$$CACHE_URL" ] || { echo "make bench needs CACHE_URL=redis://... (production settings)" >&2; exit 1; }
	@command -v wrk >/dev/null || { echo "make bench needs wrk (apt-get install wrk)" >&2; exit 1; }
	$(MANAGE) migrate --noinput
	PYTHONUNBUFFERED=1 $(MANAGE) bench_pages $(BENCH_ARGS)
	$(MANAGE) bench_dormancy
	$(MANAGE) bench_register_import
	$(MANAGE) bench_broker_outage

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules static/dist var/*
