# Two commands do all set-up on a fresh machine (Python >= 3.11):
#   make demo   install, seed the embedded SQLite database, serve the whole platform
#   make test   install, lint, type-check, check schema.graphql, run the tests on SQLite
#               and (when reachable) on PostgreSQL
#   make bench  the benchmarks (bench/README.md), written to bench/RESULTS.md
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

.PHONY: peers demo test lint typecheck schema-check compose deploy-config test-sqlite test-postgres bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(PY) -m models.migrate upgrade
	$(PY) -m platform_cli dev

test: peers lint typecheck schema-check test-sqlite test-postgres

# The comparison tests' pinned Node tools (Apollo composition/Gateway, Hive Gateway,
# graphql-http): installed from tools/peers/package-lock.json when Node is present.
peers:
	@if command -v npm >/dev/null; then \
		if [ ! -f tools/peers/node_modules/.package-lock.json ] || \
		   [ tools/peers/package-lock.json -nt tools/peers/node_modules/.package-lock.json ]; then \
			(cd tools/peers && npm ci --no-audit --no-fund --loglevel=error); \
		fi; \
	else \
		echo "npm not found: the Apollo/Hive comparison tests will be skipped"; \
	fi

lint: $(VENV)/.installed
	$(PY) -m ruff check .

typecheck: $(VENV)/.installed
	$(PY) -m mypy .

schema-check: $(VENV)/.installed
	$(PY) -m router.composition check --config supergraph.yaml --supergraph schema.graphql

compose: $(VENV)/.installed
	$(PY) -m router.composition compose --config supergraph.yaml --output schema.graphql
	$(PY) -m platform_cli.configmaps

# deploy/kubernetes/router-config.yaml from deploy/router.yaml and schema.graphql (make compose
# runs it too)
deploy-config: $(VENV)/.installed
	$(PY) -m platform_cli.configmaps

bench: $(VENV)/.installed
	$(PY) -m bench

test-sqlite: $(VENV)/.installed
	DATABASE_URL= $(PY) -m pytest -q -rs

test-postgres: $(VENV)/.installed
	@if $(PY) -m models.database_ready "$(POSTGRES_URL)"; then \
		echo "PostgreSQL run: $(POSTGRES_URL)"; \
		DATABASE_URL="$(POSTGRES_URL)" $(PY) -m pytest -q -rs; \
	else \
		echo "PostgreSQL not reachable at $(POSTGRES_URL): PostgreSQL run skipped"; \
	fi
