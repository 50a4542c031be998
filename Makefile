# Two commands matter: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 9000

.PHONY: run test test-postgres e2e-deps lint bench schema check-feed clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# A development key made on first run and kept out of git, so sessions survive restarts.
var/dev-secret-key: | $(BIN)/python
	mkdir -p var
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

run: $(VENV)/.installed var/dev-secret-key
	export DEBUG=1 SECRET_KEY=$$(cat var/dev-secret-key); \
	$(BIN)/python manage.py migrate --noinput && \
	$(BIN)/python manage.py ingest_metrics --demo --if-empty && \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed lint
	SECRET_KEY=$${SECRET_KEY:-tests-only} $(BIN)/python -m pytest

# The whole suite on PostgreSQL (a throwaway server from .ci/postgres.sh unless DATABASE_URL
# already names one); the browser tests ran in `make test` and are not repeated.
test-postgres: $(VENV)/.installed
	DATABASE_URL=$${DATABASE_URL:-$$(.ci/postgres.sh)} SECRET_KEY=$${SECRET_KEY:-tests-only} \
		$(BIN)/python -m pytest -m "not e2e"

# axe-core for the browser tests' accessibility checks, from the npm registry.
AXE_VERSION := 4.11.0
e2e-deps:
	test -f var/node/node_modules/axe-core/axe.min.js || \
		npm install --silent --no-audit --no-fund --prefix var/node axe-core@$(AXE_VERSION)

# Benchmarks (scripts, not tests): HTTP load under gunicorn, then ingest, dashboard and the
# audit viewer (10 million events on PostgreSQL).
bench: $(VENV)/.installed
	export BENCH_POSTGRES_URL=$${BENCH_POSTGRES_URL:-$$(.ci/postgres.sh 2>/dev/null || true)}; \
	$(BIN)/python -m bench.load && \
	$(BIN)/python -m bench.ingest && \
	$(BIN)/python -m bench.dashboard && \
	$(BIN)/python -m bench.audit

# The feed contract's JSON Schema is generated from its Pydantic models (metrics/feed.py).
schema: $(VENV)/.installed
	$(BIN)/python -m metrics.feed --write

# For partners: check a payload against the contract without storing anything, e.g.
#   make check-feed URL=https://staging.example/api/public/framework-metrics METRICS_PUBLIC_KEY=…
check-feed: $(VENV)/.installed var/dev-secret-key
	@test -n "$(URL)" || { echo "usage: make check-feed URL=<feed URL> [METRICS_PUBLIC_KEY=<base64>]"; exit 2; }
	export DEBUG=1 SECRET_KEY=$$(cat var/dev-secret-key); \
	$(BIN)/python manage.py migrate --noinput --verbosity 0 && \
	$(BIN)/python manage.py ingest_metrics --dry-run --url "$(URL)"

lint: $(VENV)/.installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var
