"""Fixtures every folder may use: the built test warehouse (`built_warehouse`), a
read-only connection to it (`warehouse`) and the parsed dbt project (`manifest`).
Helpers live in the `support` package; fixtures used by one folder only live in that
folder's conftest.py."""

from __future__ import annotations

import importlib.machinery
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, settings
from support.warehouse_build import BuiltWarehouse, dbt_build, run_dbt

from registry_insights.pseudonyms import SECRET_FILE_ENV

# The tests' own pseudonym secret (created on first use, beside the test builds), never
# the installation's; the Makefile's test targets pass the same file.
os.environ.setdefault(
    SECRET_FILE_ENV,
    str(Path(__file__).resolve().parents[2] / "build" / "test-secret" / "pseudonym-secret"),
)

# pytest-xdist's workers (`make test` runs two) run with a `__main__` that has neither a
# file nor a spec. PySpark's Connect package takes that for a doctest run and exits the
# process when it is imported, which Great Expectations does where PySpark is installed
# (the raw and mart validations): every such test would fail with SystemExit. A spec
# named `__main__` tells it otherwise, and multiprocessing's children, which re-import
# the main module by its spec's name, skip that name.
_main = sys.modules["__main__"]
if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__spec__ = importlib.machinery.ModuleSpec("__main__", None)

# Property tests check results, never speed (speed lives in `make bench`): no per-example
# deadline and no "too slow" health check, which fail on a loaded CI machine.
settings.register_profile(
    "registry-insights", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("registry-insights")


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """The test dataset and its warehouse: `make test` builds both before pytest runs
    and passes them in; run alone, pytest generates and builds them itself."""
    raw = os.environ.get("REGISTRY_INSIGHTS_TEST_RAW")
    database = os.environ.get("REGISTRY_INSIGHTS_TEST_DB")
    if raw and database and Path(database).exists():
        return BuiltWarehouse(Path(raw), Path(database))
    from registry_insights.generator import GeneratorConfig, generate_dataset

    work = tmp_path_factory.mktemp("warehouse")
    if not os.environ.get("REGISTRY_INSIGHTS_REFERENCE_PATH"):
        from registry_insights.reference_data import export_reference_data

        export_reference_data(work / "reference", progress=False)
        os.environ["REGISTRY_INSIGHTS_REFERENCE_PATH"] = str(work / "reference")
    config = GeneratorConfig(rows=250_000, days=35, seed=7)
    generate_dataset(config, work / "raw", progress=False)
    dbt_build(work / "raw", work / "warehouse.duckdb")
    return BuiltWarehouse(work / "raw", work / "warehouse.duckdb")


@pytest.fixture(scope="module")
def warehouse(built_warehouse: BuiltWarehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    """The built test warehouse, opened read-only for one test module."""
    connection = duckdb.connect(str(built_warehouse.database), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The dbt project as `dbt parse` reads it (dbt's Manifest object)."""
    work = tmp_path_factory.mktemp("parse")
    result = run_dbt("parse", work / "raw", work / "parse.duckdb")
    assert result.success, result.exception
    return result.result
