"""Plants a leak in a copy of the built warehouse and runs the privacy test that guards
it: the test must pass on the warehouse as built and fail once the leak is in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from support.warehouse_build import BuiltWarehouse, dbt_invoke, writable_copy

#: Changes a copy of the warehouse (what it returns is ignored).
Leak = Callable[[duckdb.DuckDBPyConnection], object]


def plant(built: BuiltWarehouse, tmp_path: Path, leak: Leak) -> Path:
    """A copy of the built warehouse with `leak` applied."""
    copy = writable_copy(built, tmp_path / "leaked")
    with duckdb.connect(str(copy)) as connection:
        leak(connection)
    return copy


def assert_leak_caught(
    built_warehouse: BuiltWarehouse, tmp_path: Path, case: str, guard: tuple[str, Leak, str]
) -> None:
    """The guarding test passes on the built warehouse and fails once the leak is planted."""
    model, leak, test_name = guard
    selection = f"{model},test_name:{test_name}"
    clean_copy = writable_copy(built_warehouse, tmp_path / "clean")
    clean = dbt_invoke("test", built_warehouse.raw_path, clean_copy, "--select", selection)
    assert clean.passed > 0 and clean.failed == 0, f"{test_name} on {model} fails before the leak"
    leaked = plant(built_warehouse, tmp_path, leak)
    result = dbt_invoke("test", built_warehouse.raw_path, leaked, "--select", selection)
    assert result.failed > 0, f"{test_name} did not notice {case}"
