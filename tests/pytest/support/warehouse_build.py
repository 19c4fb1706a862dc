"""Runs dbt on a raw folder and a warehouse file, for the whole-warehouse tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner

PROJECT_DIR = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class BuiltWarehouse:
    raw_path: Path
    database: Path


def writable_copy(built: BuiltWarehouse, folder: Path) -> Path:
    """A copy of the built warehouse in `folder`, for dbt to run on: dbt opens its
    warehouse for writing, and while one process writes a DuckDB file no other may open
    it, so the shared build stays read-only for the test workers that read it meanwhile
    (`make test` runs pytest on two). The copy keeps the file's name: DuckDB names the
    catalog after it, and the staging views refer to the catalog by that name."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / built.database.name
    shutil.copy(built.database, copy)
    return copy


@dataclass(frozen=True)
class DbtOutcome:
    """What one dbt invocation did: counts by outcome and the nodes that did not pass."""

    success: bool
    passed: int
    failed: int
    failed_names: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


@contextmanager
def project_environment(raw_path: Path, database: Path) -> Iterator[None]:
    """Point the project's profile at raw_path and database for the duration."""
    env = {
        "REGISTRY_INSIGHTS_RAW_PATH": str(raw_path),
        "REGISTRY_INSIGHTS_DUCKDB_PATH": str(database),
        "REGISTRY_INSIGHTS_DUCKDB_TEMP_DIR": str(database.parent / "duckdb_tmp"),
    }
    if os.environ.get("REGISTRY_INSIGHTS_REFERENCE_PATH") is None:
        env["REGISTRY_INSIGHTS_REFERENCE_PATH"] = str(PROJECT_DIR / "data" / "reference")
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield
    finally:
        release_duckdb()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_dbt(command: str, raw_path: Path, database: Path, *extra_args: str) -> Any:
    """One dbt invocation in this process, its files kept beside the database."""
    with project_environment(raw_path, database):
        return dbtRunner().invoke(
            [
                command,
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


def dbt_compiled_code(work_dir: Path, database_name: str, *selection: str) -> str:
    """Compile one node (`--select model` or `--inline sql`) against a scratch database
    `<work_dir>/<database_name>.duckdb`: its name is the one the compiled SQL refers to."""
    database = work_dir / f"{database_name}.duckdb"
    result = run_dbt("compile", work_dir / "raw", database, *selection)
    if not result.success or result.result is None:
        raise RuntimeError(f"dbt compile failed: {result.exception}")
    compiled: str = result.result.results[0].node.compiled_code
    return compiled


def dbt_invoke(command: str, raw_path: Path, database: Path, *extra_args: str) -> DbtOutcome:
    """Run one dbt command (build, test, run, ...) on raw_path into database."""
    result = run_dbt(command, raw_path, database, *extra_args)
    items = list(result.result or []) if result.exception is None else []
    not_passed = [item for item in items if str(item.status) not in ("success", "pass")]
    return DbtOutcome(
        success=result.success,
        passed=len(items) - len(not_passed),
        failed=len(not_passed) + (1 if result.exception is not None else 0),
        failed_names=[item.node.name for item in not_passed],
        messages=[f"{item.node.name}: {item.status} {item.message}" for item in not_passed]
        + ([str(result.exception)] if result.exception is not None else []),
    )


def dbt_build(raw_path: Path, database: Path, *extra_args: str) -> None:
    """Run `dbt build` on raw_path into database; raise if anything fails."""
    outcome = dbt_invoke("build", raw_path, database, *extra_args)
    if not outcome.success:
        raise RuntimeError(f"dbt build failed: {outcome.messages}")


def release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process, so that tests
    can open the file themselves (DuckDB refuses a second, differently configured
    handle on the same file)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None
