# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
PIP_COMPILE := $(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links
# pytest-xdist: a worker per core, at most 4 (each has its own databases and server processes).
# `make test PARALLEL=` runs the suite in one process.
PARALLEL ?= -n auto --maxprocesses 4

.PHONY: run test test-fast typecheck lint format bench install lock clean intake-score train-ranker

$(BIN)/python:
	@echo "==> Making a Python environment in $(VENV) (once)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The locked set first, then the tracker itself without resolving anything again.
$(VENV)/.installed: requirements/app.txt pyproject.toml | $(BIN)/python
	@echo "==> Installing the tracker's packages (the first time: a minute or two)"
	$(BIN)/pip install --progress-bar off --no-color -r requirements/app.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements/test.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/test.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

run: $(VENV)/.installed
	@echo "==> Bringing the database up to date"
	$(BIN)/tracker db upgrade
	@echo "==> Loading the first data set (seeds/; kept as it is when already loaded)"
	$(BIN)/tracker seed
	@echo "==> Serving http://$(HOST):$(PORT)/ (Ctrl-C stops it). No editor yet? In another terminal:"
	@echo "    $(BIN)/tracker users create YOUR-NAME"
	$(BIN)/tracker serve --host $(HOST) --port $(PORT)

test: lint typecheck
	$(BIN)/pytest $(PARALLEL)

# Between edits: no browser, no server processes, no container; lint and types included.
test-fast: lint typecheck
	$(BIN)/pytest $(PARALLEL) -m "not browser and not slow and not container"

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Pin the dependency set again after changing pyproject.toml.
lock: $(VENV)/.installed-test
	$(BIN)/pip install --quiet pip-tools
	$(PIP_COMPILE) --extra postgres -o requirements/app.txt pyproject.toml
	$(PIP_COMPILE) --extra test -o requirements/test.txt pyproject.toml

# The load generator is wrk from Debian's packages (installed when missing, as root).
bench: $(VENV)/.installed-test
	command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(BIN)/python -m tests.bench.run --suite $(BENCH_ARGS)

# Suggested claims scored on the labelled corpus of eight genres: dev and test splits.
intake-score: $(VENV)/.installed-test
	$(BIN)/python -m tests.sources.corpus
	$(BIN)/python -m tests.sources.agreement

# The model of the second reading, trained again on the corpus's development split (the same
# texts make the same file); `--evaluate` prints its cross-validated figures beside the rules'.
train-ranker: $(VENV)/.installed-test
	$(BIN)/python -m tools.train_ranker

clean:
	rm -rf $(VENV) var/*.db var/*.db-wal var/*.db-shm
