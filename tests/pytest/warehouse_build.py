"""Builds a warehouse with dbt for the whole-warehouse tests."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dbt.cli.main import dbtRunner

PROJECT_DIR = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class BuiltWarehouse:
    raw_path: Path
    database: Path


def dbt_build(raw_path: Path, database: Path, *extra_args: str) -> None:
    """Run `dbt build` on raw_path into database; raise if anything fails."""
    env = {
        "REGISTRY_INSIGHTS_RAW_PATH": str(raw_path),
        "REGISTRY_INSIGHTS_DUCKDB_PATH": str(database),
        "REGISTRY_INSIGHTS_DUCKDB_TEMP_DIR": str(database.parent / "duckdb_tmp"),
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        result = dbtRunner().invoke(
            [
                "build",
                "--project-dir",
                str(PROJECT_DIR),
                "--profiles-dir",
                str(PROJECT_DIR),
                "--target-path",
                str(database.parent / "target"),
                "--log-path",
                str(database.parent / "logs"),
                "--quiet",
                *extra_args,
            ]
        )
    finally:
        release_duckdb()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if not result.success:
        failures = [
            f"{item.node.name}: {item.status} {item.message}"
            for item in (result.result or [])
            if str(item.status) not in ("success", "pass")
        ]
        raise RuntimeError(f"dbt build failed: {result.exception or failures}")


def release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process, so that tests
    can open the file themselves (DuckDB refuses a second, differently configured
    handle on the same file)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None
