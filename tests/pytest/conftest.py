from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from classification_harness import SqlClassifier, sql_classifier
from warehouse_build import BuiltWarehouse, dbt_build


@pytest.fixture(scope="session")
def classifier_60s(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlClassifier]:
    """The compiled classification model with the default 60 s window."""
    with sql_classifier(tmp_path_factory.mktemp("classify_60s"), 60) as classifier:
        yield classifier


@pytest.fixture(scope="session")
def classifier_2_5s(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlClassifier]:
    """The same model compiled with a fractional window, to exercise the var."""
    with sql_classifier(tmp_path_factory.mktemp("classify_2_5s"), 2.5) as classifier:
        yield classifier


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
