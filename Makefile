# Two commands matter: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 9000

.PHONY: run test test-postgres e2e-deps lint audit lock lock-upgrade bench schema check-feed clean mutate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Everything is installed from the lock, every file checked against its hash (README
# "Dependencies"): requirements.txt is what production runs, requirements-dev.txt adds the test
# and tools extras at the same versions.
$(VENV)/.installed: requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

# `make lock` after changing pyproject.toml: pins what is new, keeps every other pin;
# `make lock-upgrade` moves every pin to the newest release the ranges allow. The lock is
# compiled against the default index alone, whatever this machine's pip configuration adds, so
# that it carries the hash of every file a platform may install.
LOCK := env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL -u PIP_CONSTRAINT \
	PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url $(LOCK_FLAGS)
lock: $(VENV)/.installed
	$(LOCK) -o requirements.txt pyproject.toml
	$(LOCK) --extra test --extra tools -c requirements.txt -o requirements-dev.txt pyproject.toml
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.txt
lock-upgrade:
	$(MAKE) lock LOCK_FLAGS=--upgrade

# Known vulnerabilities in anything the lock installs (pip-audit); ignores, each with a reason
# and an expiry date, are in .ci/audit-ignores.
audit: $(VENV)/.installed
	$(BIN)/python .ci/audit.py requirements.txt requirements-dev.txt

# A development key made on first run and kept out of git, so sessions survive restarts.
var/dev-secret-key: | $(BIN)/python
	mkdir -p var
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# The transparency log's development signing key, made once (docs/transparency.md).
var/log-signing-key: | $(VENV)/.installed var/dev-secret-key
	DEBUG=1 SECRET_KEY=$$(cat var/dev-secret-key) LOG_SIGNING_KEY= \
		$(BIN)/python manage.py log_key --new 127.0.0.1/tractatus-dev-log --private-only > $@.part
	mv $@.part $@

run: $(VENV)/.installed var/dev-secret-key var/log-signing-key
	export DEBUG=1 SECRET_KEY=$$(cat var/dev-secret-key) \
		LOG_SIGNING_KEY=$${LOG_SIGNING_KEY:-$$(cat var/log-signing-key)}; \
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

# Benchmarks (scripts, not tests): HTTP load under gunicorn against the ceiling and the static
# file, a worker's memory over 10,000 URLs, then ingest, dashboard and the audit viewer (10
# million events on PostgreSQL), transparency/verify.py on 100,000 entries, and the
# transparency log (appends, and tiles and proofs of a 10-million-entry log on PostgreSQL).
# Each runs even when one before it missed a goal; make fails at the end if any did.
bench: $(VENV)/.installed
	export BENCH_POSTGRES_URL=$${BENCH_POSTGRES_URL:-$$(.ci/postgres.sh 2>/dev/null || true)}; \
	missed=0; \
	for script in load memory ingest dashboard audit verify transparency; do \
		$(BIN)/python -m bench.$$script || missed=1; \
	done; \
	exit $$missed

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

# Mutation testing of the modules named in pyproject.toml ([tool.mutmut]); scores and the
# surviving mutants judged equivalent are in docs/testing.md. Slow: the step before a release.
# MUTANTS narrows it, e.g. make mutate MUTANTS='metrics.ingest*'. Every session starts from
# one database migrated here, not a migration per mutant. MUTATE_CHILDREN=1 on a shared machine.
MUTANTS ?=
MUTATE_CHILDREN ?= 2
mutate: $(VENV)/.installed
	rm -rf var/mutate && mkdir -p var/mutate
	DATABASE_URL=sqlite:///$(CURDIR)/var/mutate/migrated.sqlite3 SECRET_KEY=tests-only \
		$(BIN)/python manage.py migrate --noinput --verbosity 0
	TESTS_MIGRATED_DATABASE=$(CURDIR)/var/mutate/migrated.sqlite3 SECRET_KEY=tests-only \
		$(BIN)/mutmut run --max-children $(MUTATE_CHILDREN) $(MUTANTS)
	$(BIN)/python -m tests.mutation_scores

lint: $(VENV)/.installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var
