"""Fixtures of the dashboard tests: a small generated year of data, built by dbt."""

from __future__ import annotations

import datetime

import pytest
from support.warehouse_build import BuiltWarehouse, dbt_build

from registry_insights.generator import GeneratorConfig, generate_dataset
from registry_insights.generator.period import resolve_period

#: The generated year ends on this Sunday: its last week (from June 29) and June are
#: complete, and the data starts on 2025-07-01 (`--months 13`).
YEAR_END_DATE = datetime.date(2026, 7, 5)
YEAR_MONTHS = 13
#: Small on purpose: the dashboard's spans need periods, not volume. Six namespaces keep
#: the demo scans (one report per scanned image) and the build short.
YEAR_ROWS = 40_000
YEAR_NAMESPACES = 6


@pytest.fixture(scope="session")
def generated_year(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """`registry-insights generate --end-date 2026-07-05 --months 13 --rows 40000
    --seed 11` (with 6 namespaces) built by `dbt build` into a temporary warehouse.
    Models and seeds only: the data tests run on the test warehouse's build."""
    work = tmp_path_factory.mktemp("generated-year")
    period = resolve_period(end_date=YEAR_END_DATE, months=YEAR_MONTHS)
    config = GeneratorConfig(
        rows=YEAR_ROWS,
        days=period.days,
        start_date=period.start_date,
        seed=11,
        n_namespaces=YEAR_NAMESPACES,
    )
    generate_dataset(config, work / "raw", progress=False)
    database = work / "warehouse.duckdb"
    dbt_build(work / "raw", database, "--exclude-resource-type", "test", "unit_test")
    return BuiltWarehouse(work / "raw", database)
