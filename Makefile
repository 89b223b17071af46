# essor: two commands do everything. `make run` serves the demo; `make test` runs every check.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
# pip's machine-wide config may list local indexes that do not exist; hide that noise only.
QUIET_PIP := 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
ESSOR := $(BIN)/essor
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3

.PHONY: run test setup system-deps lint types migrations-check pytest bench screenshots lock messages clean

## Set-up -----------------------------------------------------------------------------------

$(BIN)/.installed: requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --no-deps --require-virtualenv -r requirements.lock $(QUIET_PIP)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e . $(QUIET_PIP)
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Debian packages the project needs: gettext (msgfmt) for the translations, Chromium for the
# browser tests. Installed only when missing, and only where we may (root).
system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	dpkg -s fonts-dejavu-core >/dev/null 2>&1 || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Missing Debian packages:$$missing (run: sudo apt-get install$$missing)"; exit 1; fi; \
	fi

setup: system-deps $(BIN)/.installed node_modules/.installed
	$(ESSOR) compilemessages --ignore=.venv --ignore=node_modules -v 0
	$(ESSOR) collectstatic --noinput -v 0

## The two commands ----------------------------------------------------------------------

run: setup
	$(ESSOR) migrate --noinput -v 0
	$(ESSOR) generate --scale demo --if-empty
	@echo "essor is served at http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@# The background worker runs imports and other long tasks; it stops with the server.
	$(ESSOR) db_worker --no-reload --interval 0.5 -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn config.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) \
	  --access-logfile - --forwarded-allow-ips=127.0.0.1

test: setup lint types migrations-check pytest

lint:
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

types:
	$(BIN)/mypy essor config

migrations-check:
	DJANGO_SETTINGS_MODULE=config.settings.test $(ESSOR) makemigrations --check --dry-run -v 1

pytest:
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

## Other tasks ---------------------------------------------------------------------------

# Benchmarks (not part of make test): they build their own databases and write docs/performance.md.
# The HTTP benchmark drives gunicorn with wrk (Debian's), installed only when missing, as above.
bench: setup
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages: wrk"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "Missing Debian packages: wrk (run: sudo apt-get install wrk)"; exit 1; fi; \
	fi
	$(BIN)/python bench/run_all.py

screenshots: setup
	ESSOR_SCREENSHOTS=docs/img $(BIN)/pytest -p no:cacheprovider -m browser -q

messages: setup
	$(ESSOR) makemessages -l ar -l fr --ignore=.venv --ignore=node_modules --ignore=var --no-obsolete

lock:
	$(BIN)/pip install --quiet uv && $(BIN)/uv pip compile pyproject.toml --extra dev \
	  --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) node_modules var
