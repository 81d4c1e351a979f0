# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo serve test lint layers typecheck ci clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	touch $@ $(VENV)/.runtime

## demo: virtual environment, SQLite database under var/, demo district, web UI on :8000
demo: $(VENV)/.runtime
	$(BIN)/dangjian demo

$(VENV)/.prod: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[prod]"
	touch $@

## serve: the production server (gunicorn; settings from the environment, README "Production")
serve: $(VENV)/.prod
	$(BIN)/dangjian serve

## test: the whole test suite, in parallel (pytest-xdist: TEST_WORKERS processes, one per core by
## default; `make test TEST_WORKERS=0` runs it in one process). Browser tests need Debian's chromium
## (skipped without it). A test module stays on one worker (--dist loadscope): its module fixtures
## (a Chromium, a Spark JVM, a seeded district) are built once.
TEST_WORKERS ?= auto
test: $(VENV)/.dev
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## layers: the dependency-direction check (no upward imports, no cycles, no private names across apps)
layers: $(VENV)/.dev
	$(BIN)/python tools/layers.py

typecheck: $(VENV)/.dev
	$(BIN)/mypy dangjian

## ci: what CI runs (lint, layers, types, Django checks, tests on SQLite with a later clock and on PostgreSQL)
ci:
	.ci/run

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
