# Two commands do all the set-up on a fresh clone:
#   make serve   install, then serve the built-in data on http://127.0.0.1:8000
#   make test    install (with chromium, ogrinfo and PostgreSQL for the tests) and run the test suite
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
# `make fetch` only: the data mirror, a directory or http(s) URL laid out like
# ../shared/data. The server itself needs no mirror: it ships with its default data.
MIRROR ?= $(or $(MAPSERVER_MIRROR),$(abspath ../shared/data))
HOST ?= 127.0.0.1
PORT ?= 8000
# Extra options for pip's installs into the venv (the fresh-clone test passes --no-compile:
# byte-compiling every installed file is most of its CPU, and not what it checks).
PIP_OPTIONS ?=
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install fetch serve test browser gdal postgres lint

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(PIP_OPTIONS) -e .
	@# pip byte-compiles what it installs, but not the editable package itself: compiled
	@# once here, no server, worker or command compiles it again at each start (0.15 s),
	@# even where PYTHONDONTWRITEBYTECODE is set.
	$(BIN)/python -m compileall -q mapserver
	touch $@

# What the tests and linters add (pytest, Playwright, schemathesis, ruff, ...): not
# needed to serve, so `make serve` does not install them.
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet $(PIP_OPTIONS) -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

fetch: install
	$(BIN)/mapserver fetch --mirror $(MIRROR)

serve: install
	$(BIN)/mapserver serve --host $(HOST) --port $(PORT)

# Debian's chromium, driven by Playwright for Python in the browser tests.
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# Debian's ogrinfo (gdal-bin): the OGC API tests read the service with it as users do.
gdal:
	@command -v ogrinfo >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq gdal-bin; }

# Debian's PostgreSQL: the accounts tests start a throwaway cluster of it (tests/postgres.py).
postgres:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql; }

# (PYTHONDONTWRITEBYTECODE emptied: each test worker and each process a test starts reuses
# the bytecode the first one wrote, instead of compiling every test module again)
test: install $(VENV)/.installed-test browser gdal postgres
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest

# ruff, then import-linter: each folder imports only the stages below it (pyproject.toml).
lint: install $(VENV)/.installed-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports
