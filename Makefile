# registry-insights: the two commands of the README, and their parts.
#   make demo   fresh clone -> virtualenv, sample data, built warehouse, report CSVs
#   make test   everything CI checks: lint, dbt build on the test dataset, pytest

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

REFERENCE := data/reference
export REGISTRY_INSIGHTS_REFERENCE_PATH := $(CURDIR)/$(REFERENCE)

DEMO_RAW := data/demo/raw
DEMO_ROWS ?= 1000000
# The demo ends yesterday (UTC) and covers 13 calendar months: twelve complete ones and
# the current one. DEMO_END_DATE=YYYY-MM-DD pins the end (same seed, same date: same data).
DEMO_END_DATE ?=
DEMO_MONTHS ?= 13
# Demo vulnerability scans: Trivy / Grype / CycloneDX JSON reports, read by ingest-scan.
DEMO_SCANS := data/demo/scan-reports
DEMO_DB := build/warehouse.duckdb
REPORTS_DIR := reports

# The test builds' own pseudonym secret (docs/privacy.md): created on first use in build/,
# never the installation's (~/.config/registry-insights/); pytest's conftest uses the same.
TEST_SECRET := $(CURDIR)/build/test-secret/pseudonym-secret
TEST_RAW := build/test-data/raw
TEST_ROWS ?= 250000
# The test datasets' dates are fixed, whatever day the suite runs: 2026-06-01 to 2026-07-05.
TEST_END_DATE := 2026-07-05
TEST_DAYS := 35
TEST_DB := build/test-warehouse.duckdb

# The same project on Spark (local PySpark, dbt-spark session): a smaller dataset, built on
# DuckDB and on Spark, whose marts must be equal row for row
# (tests/pytest/warehouse/test_spark_matches_duckdb.py).
SPARK_TEST_RAW := build/spark-test-data/raw
SPARK_TEST_ROWS ?= 40000
SPARK_TEST_DB := build/spark-test-warehouse.duckdb
SPARK_DIR := build/spark
SPARK_ENV := REGISTRY_INSIGHTS_TARGET=spark SPARK_LOCAL_IP=127.0.0.1 REGISTRY_INSIGHTS_SPARK_DIR=$(CURDIR)/$(SPARK_DIR)

.PHONY: help venv reference demo generate-demo build-demo export-demo test lint test-data build-test \
	spark-test-data build-spark-test pytest bench docs clean

help:
	@echo "make demo   build a sample warehouse and write the report CSVs"
	@echo "make test   lint, dbt build on the test dataset, pytest (what CI runs)"
	@echo "make bench  benchmark (BENCH_SIZES=1000000,10000000,100000000 BENCH_ROUNDS=1): build/bench/results.md"
	@echo "make docs   generate the dbt docs site into target/"
	@echo "make clean  remove build output (keeps the virtualenv)"

$(BIN)/registry-insights: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet --constraint constraints.txt --editable '.[dev,spark,orchestration]'
	@touch $@

venv: $(BIN)/registry-insights

# Offline reference data shipped by pinned packages (IP ranges, excluded mail domains).
reference: venv
	$(BIN)/registry-insights load-reference --out $(REFERENCE) --no-progress

# ---- demo ------------------------------------------------------------------
demo: venv generate-demo reference build-demo export-demo
	@echo
	@echo "Warehouse: $(DEMO_DB) (DuckDB; open it read-only from any BI tool)"
	@echo "Reports:   $(REPORTS_DIR)/ (one CSV per report, granularity and period)"
	@echo "Dashboard: $(BIN)/registry-insights dashboard --database $(DEMO_DB)   (then open http://127.0.0.1:8501/)"

generate-demo: venv
	$(BIN)/registry-insights generate --out $(DEMO_RAW) --rows $(DEMO_ROWS) \
		--months $(DEMO_MONTHS) $(if $(DEMO_END_DATE),--end-date $(DEMO_END_DATE)) \
		--scan-reports $(DEMO_SCANS)
	$(BIN)/registry-insights ingest-scan $(DEMO_SCANS) --raw-path $(DEMO_RAW)

# The demo is rebuilt from its freshly generated raw data: start from an empty warehouse.
build-demo: venv reference
	mkdir -p build
	rm -f $(DEMO_DB)
	REGISTRY_INSIGHTS_RAW_PATH=$(DEMO_RAW) REGISTRY_INSIGHTS_DUCKDB_PATH=$(DEMO_DB) \
		$(BIN)/dbt build

export-demo: venv
	$(BIN)/registry-insights export --database $(DEMO_DB) --out $(REPORTS_DIR)

# ---- test ------------------------------------------------------------------
# lint, dbt build (models, data and unit tests), the Great Expectations mart suite, pytest
test: venv lint build-test build-spark-test pytest

# `make test` builds Spark before pytest runs, so there a missing Spark build fails the
# Spark comparison (tests/pytest/warehouse/test_spark_matches_duckdb.py) instead of
# skipping it; `make pytest` or pytest alone skip it, saying why.
test: export REGISTRY_INSIGHTS_REQUIRE_SPARK := 1

lint: venv
	$(BIN)/ruff check registry_insights tests scripts
	$(BIN)/ruff format --check registry_insights tests scripts
	$(BIN)/mypy registry_insights tests scripts
	mkdir -p build
	REGISTRY_INSIGHTS_RAW_PATH=$(TEST_RAW) REGISTRY_INSIGHTS_DUCKDB_PATH=build/lint-warehouse.duckdb \
		REGISTRY_INSIGHTS_SECRET_FILE=$(TEST_SECRET) $(BIN)/sqlfluff lint models tests analyses

test-data: venv
	$(BIN)/registry-insights generate --out $(TEST_RAW) --rows $(TEST_ROWS) \
		--end-date $(TEST_END_DATE) --days $(TEST_DAYS) --seed 7 --no-progress

build-test: test-data reference
	mkdir -p build
	rm -f $(TEST_DB)
	REGISTRY_INSIGHTS_RAW_PATH=$(TEST_RAW) REGISTRY_INSIGHTS_DUCKDB_PATH=$(TEST_DB) \
		REGISTRY_INSIGHTS_SECRET_FILE=$(TEST_SECRET) $(BIN)/dbt build
	$(BIN)/registry-insights validate-marts --database $(TEST_DB)

spark-test-data: venv
	$(BIN)/registry-insights generate --out $(SPARK_TEST_RAW) --rows $(SPARK_TEST_ROWS) \
		--end-date $(TEST_END_DATE) --days $(TEST_DAYS) --seed 7 --no-progress

# Spark reads the raw folder through external tables: give it absolute paths.
build-spark-test: spark-test-data reference
	mkdir -p build
	rm -rf $(SPARK_TEST_DB) $(SPARK_DIR)
	REGISTRY_INSIGHTS_RAW_PATH=$(CURDIR)/$(SPARK_TEST_RAW) REGISTRY_INSIGHTS_DUCKDB_PATH=$(SPARK_TEST_DB) \
		REGISTRY_INSIGHTS_SECRET_FILE=$(TEST_SECRET) \
		$(BIN)/dbt build --exclude test_type:unit --target-path build/spark-test-target --log-path build/spark-test-logs
	# dbt on Spark gets the HMAC pads of the same secret from this wrapper (docs/privacy.md).
	REGISTRY_INSIGHTS_RAW_PATH=$(CURDIR)/$(SPARK_TEST_RAW) $(SPARK_ENV) REGISTRY_INSIGHTS_SECRET_FILE=$(TEST_SECRET) \
		$(BIN)/python -m registry_insights.pseudonyms exec -- \
		$(BIN)/dbt build --target-path $(SPARK_DIR)/target --log-path $(SPARK_DIR)/logs

# pytest-xdist workers, each running whole test files (a file's module fixtures are built
# once). Much of a test's time is one Python thread (dbt's start, parse and compile), so
# two workers keep two cores busy: on CI's 2-core machine pytest took 25 minutes against
# 37 to 43 on one (2026-12-07). PYTEST_WORKERS=0 runs in this process.
PYTEST_WORKERS ?= 2
# --durations: the 20 slowest tests, to keep `make test` under its 40-minute aim
pytest: venv reference
	REGISTRY_INSIGHTS_TEST_RAW=$(TEST_RAW) REGISTRY_INSIGHTS_TEST_DB=$(TEST_DB) \
		REGISTRY_INSIGHTS_SPARK_TEST_DB=$(SPARK_TEST_DB) REGISTRY_INSIGHTS_SPARK_WAREHOUSE=$(SPARK_DIR)/warehouse \
		REGISTRY_INSIGHTS_SECRET_FILE=$(TEST_SECRET) \
		$(BIN)/pytest --numprocesses $(PYTEST_WORKERS) --dist loadfile --durations=20

# Not part of `make test`: generates up to 100M requests (about 5 min; 12 GB of disk with
# the warehouses) and runs for about 40 min at that size on 2 cores.
BENCH_SIZES ?= 1000000,10000000,100000000
# each size measured this many times: the table gives medians (scripts/bench_warehouse.py)
BENCH_ROUNDS ?= 1
bench: venv reference
	$(BIN)/python scripts/bench_warehouse.py --sizes $(BENCH_SIZES) --rounds $(BENCH_ROUNDS)

# Not part of `make test`: the full build (bench's (b) and (c)) on Spark beside DuckDB, on
# bench's data, every mart compared (scripts/bench_spark.py); 1M unless BENCH_SIZES is given.
.PHONY: bench-spark
bench-spark: venv reference
	$(BIN)/python -m scripts.bench_spark \
		--sizes $(if $(filter file,$(origin BENCH_SIZES)),1000000,$(BENCH_SIZES))

docs: venv reference
	REGISTRY_INSIGHTS_RAW_PATH=$(DEMO_RAW) REGISTRY_INSIGHTS_DUCKDB_PATH=$(DEMO_DB) \
		$(BIN)/dbt docs generate

clean:
	rm -rf build target logs $(REPORTS_DIR)
