# The two commands a newcomer needs: `make run` and `make test`. Each installs
# what it needs from pyproject.toml + uv.lock into .venv first.
PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.8

.PHONY: run test test-sqlite test-postgres bench install lint format clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# Reproducible install: exactly the versions in uv.lock.
install: $(UV)
	$(UV) sync --locked --quiet

# Development on the embedded default: SQLite, in-memory limits, in-process worker, .eml
# files in var/mail. `server.py dev` writes .env on first run and turns dev mode on; the
# Procfile's `server.py run` does neither.
run: install
	$(PY) server.py dev

# The whole suite, on SQLite and on PostgreSQL, in three worker processes (pytest-xdist):
# much of a test's time is spent waiting on servers to start and stop, so three overlap
# well even on two cores (a subset: 110 s in one process, 68 s in two, 57 s in three). Without PostgreSQL or Redis the tests that need them are skipped and named in
# the summary; with CI=true they fail instead.
test: install
	$(PY) -m pytest -n 3

bench: install
	$(PY) bench/run.py

# the gate CI runs before the tests (`make format` fixes what it finds; lint-imports checks
# the import contracts in pyproject.toml)
lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) $(TOOLS) var .pytest_cache
