"""The fault tests' small warehouse (support/fault_warehouse.py), built once a session."""

from __future__ import annotations

import pytest
from dbt.cli.main import dbtRunner
from support.fault_warehouse import (
    BASE_VARS,
    DAILY_VARS,
    START,
    SmallWarehouse,
    dbt_arguments,
)
from support.warehouse_build import dbt_invoke, project_environment

from registry_insights.generator import GeneratorConfig, generate_dataset


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory: pytest.TempPathFactory) -> SmallWarehouse:
    work = tmp_path_factory.mktemp("faults")
    raw = work / "raw"
    generate_dataset(
        GeneratorConfig(rows=3_000, days=3, seed=5, start_date=START), raw, progress=False
    )
    base = work / "base" / "warehouse.duckdb"
    base.parent.mkdir()
    assert dbt_invoke("seed", raw, base).success
    outcome = dbt_invoke("run", raw, base, "--vars", BASE_VARS)
    assert outcome.success, outcome.messages
    runs = work / "runs"
    runs.mkdir()
    with project_environment(raw, base):
        parsed = dbtRunner().invoke(dbt_arguments("parse", runs, "--vars", DAILY_VARS))
    assert parsed.success
    return SmallWarehouse(raw, base, runs, parsed.result)
