# keitai-portal: `make run` serves the demo world, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8080
export FLASK_APP := wsgi.py
# PostgreSQL for the second test run; `make test` skips it (saying so) when none is reachable.
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/keitai_portal_test
# pytest-xdist workers (each has its own database); a test file stays on one worker.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?= -n $(PYTEST_WORKERS) --dist loadfile

.PHONY: run test lint i18n bench load install clean cluster

$(BIN)/activate: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/activate

install: $(BIN)/activate

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(BIN)/activate
	$(BIN)/flask translate compile

catalogues: translations/ja/LC_MESSAGES/messages.mo translations/en/LC_MESSAGES/messages.mo

run: install catalogues
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	@echo "Serving on http://127.0.0.1:$(PORT)/ (taro@example.jp / keitai-demo), with a queue consumer"
	@# One command for both: the consumer runs beside the server and stops with it (Ctrl-C).
	@export PORTAL_PUBLIC_URL="$${PORTAL_PUBLIC_URL:-http://127.0.0.1:$(PORT)}" \
	  PORTAL_SERVER_HOSTS='["127.0.0.1:$(PORT)","localhost:$(PORT)"]' \
	  PORTAL_MAIL_POST_DOMAIN="$${PORTAL_MAIL_POST_DOMAIN:-post.localhost}"; \
	$(BIN)/flask queue consume & consumer=$$!; \
	trap 'kill $$consumer 2>/dev/null; wait $$consumer' EXIT INT TERM; \
	$(BIN)/flask serve --host 127.0.0.1 --port $(PORT)

# nginx in front of 2 waitress processes, PostgreSQL, Redis and a consumer, on loopback
# (ports from CLUSTER_PORT, default 8400; CLUSTER_DATABASE_URL, default kp_cluster on :5432).
cluster: install catalogues
	$(BIN)/python -m cluster --port $${CLUSTER_PORT:-8400}

# ruff, the import contracts (setup.cfg [importlinter]) and mypy (strict on portal/keitai).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

i18n: install catalogues
	$(BIN)/flask translate check

test: lint i18n
	$(BIN)/pytest -q $(PYTEST_ARGS)
	@if $(BIN)/python -m tests.postgres_available "$(TEST_DATABASE_URL)"; then \
	  echo "== the suite again on PostgreSQL =="; \
	  TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest -q -p no:cacheprovider $(PYTEST_ARGS); \
	elif [ -n "$(REQUIRE_POSTGRES)" ]; then \
	  echo "PostgreSQL is required (REQUIRE_POSTGRES) but not reachable"; exit 1; \
	else echo "SKIPPED the PostgreSQL run: no server at $(TEST_DATABASE_URL)"; fi

bench: install catalogues
	@if [ -n "$(CLUSTER)" ]; then $(BIN)/python -m bench.cluster; else $(BIN)/python -m bench; fi

# 200 clients for 60 s on loopback (LOAD_DATABASE_URL=postgresql+psycopg://... for PostgreSQL;
# LOAD_PORT=<nginx port> with LOAD_DATABASE_URL=<its database> loads a running make cluster).
load: install catalogues
	$(BIN)/python -m bench.crowd

clean:
	rm -rf $(VENV) instance/portal.sqlite* .pytest_cache
