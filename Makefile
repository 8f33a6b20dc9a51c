# Leadflow: the two commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
BIN     := $(VENV)/bin
UV_VERSION := 0.13.9
UV      := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
LEADS   ?= 10000
DAYS    ?= 365
SEED    ?= 42
DOCS_PORT ?= 8080
# `make bench M` / `make bench L`: the scale is the word after bench (default S)
SCALE   := $(or $(filter S M L,$(MAKECMDGOALS)),S)

# no phoning home, from any tool
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DBT_VERSION_CHECK := False
export GX_ANALYTICS_ENABLED := False
export DAGSTER_DISABLE_TELEMETRY := true
export DAGSTER_HOME := $(CURDIR)
export LEADFLOW_DAGSTER_STORAGE ?= $(CURDIR)/data/dagster
export LEADFLOW_DAGSTER_COMPUTE_LOGS ?= $(CURDIR)/data/dagster/compute_logs

.PHONY: help venv venv-spark demo test test-spark ui docs bench lint S M L

help:
	@echo "make demo   fresh clone -> .venv from uv.lock, demo data, full daily run"
	@echo "make test   the whole test suite (what CI runs)"
	@echo "make test-spark  the Spark suite: the fixture built on local Spark equals DuckDB's (Java 17)"
	@echo "make ui     the Dagster UI on http://127.0.0.1:3000"
	@echo "make docs   the dbt docs (models, columns, tests, lineage) on http://127.0.0.1:$(DOCS_PORT)"
	@echo "make bench  the benchmark; scale S (default), M or L: make bench M"
	@echo "make lint   ruff"

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

# bytecode compiled once at install: every dbt and dagster process would compile it again
# where PYTHONDONTWRITEBYTECODE is set (seconds per dbt invocation)
$(VENV)/.synced: pyproject.toml uv.lock | $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --python python3 --compile-bytecode
	touch $@

venv: $(VENV)/.synced

# the Spark engine's dependency group (docs/scale-out.md): pyspark is a source archive, built
# once (~4 min) and cached by uv; a no-op when installed
venv-spark: venv
	$(UV) sync --frozen --python python3 --compile-bytecode --group spark

demo: venv
	@if [ -e data/generated/truth.parquet ]; then \
	  echo "demo data already in data/inbox (delete data/ to start over)"; \
	else \
	  $(BIN)/leadflow generate --leads $(LEADS) --days $(DAYS) --seed $(SEED); \
	fi
	$(BIN)/leadflow run --log-level WARNING
	$(BIN)/leadflow status
	@echo "report:   $$(ls -1 data/reports/*/index.html 2>/dev/null | tail -1)"
	@echo "segments: $$(ls -1d data/exports/segments/*/ 2>/dev/null | wc -l) in data/exports/segments/"
	@echo "models:   $$(ls -1 data/models 2>/dev/null | tr '\n' ' ')"

# two workers (pytest-xdist), a test module each at a time, the longest modules first
# (tests/conftest.py): the builds the modules share are made once for both (tests/built_once.py);
# the 30 slowest tests listed at the end (what LONGEST_FIRST and CI's time come from)
test: venv
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder --durations 30

# one local Spark session for the suite, one worker: two sessions side by side (pytest -n 2)
# overload 2 cores and took longer; Java 17 on the PATH
test-spark: venv-spark
	$(BIN)/pytest -m spark tests/spark --durations 15

ui: venv
	@# exec: Ctrl-C and SIGTERM reach the UI, which stops its webserver and daemon
	exec $(BIN)/python -m pipelines.ui --host 127.0.0.1 --port 3000

# builds the dbt docs from the warehouse (after `make demo`) and serves them until Ctrl-C
docs: venv
	@exec $(BIN)/python -m pipelines.docs --port $(DOCS_PORT)

bench: venv
	$(BIN)/python -m leadflow_dev.bench --scale $(SCALE)

S M L:
	@:

lint: venv
	$(BIN)/ruff check pipelines models_ml tests dev
