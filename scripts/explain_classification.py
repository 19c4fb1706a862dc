#!/usr/bin/env python3
"""Profile the pull-action classification on a built warehouse.

Compiles `int_pull_actions_classified` with dbt and runs DuckDB's EXPLAIN ANALYZE of
it against the warehouse's staging table, printing the operator timings. Use it when
tuning the classification macro:

    .venv/bin/python scripts/explain_classification.py --database build/warehouse.duckdb
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from dbt.artifacts.schemas.run import RunExecutionResult
from dbt.cli.main import dbtRunner

from registry_insights.warehouse import open_read_only

PROJECT_DIR = Path(__file__).resolve().parents[1]


def compiled_model_sql(model: str, database: Path) -> str:
    os.environ["REGISTRY_INSIGHTS_DUCKDB_PATH"] = str(database)
    with tempfile.TemporaryDirectory() as work:
        result = dbtRunner().invoke(
            [
                "compile",
                "--project-dir",
                str(PROJECT_DIR),
                "--profiles-dir",
                str(PROJECT_DIR),
                "--select",
                model,
                "--quiet",
                "--target-path",
                str(Path(work) / "target"),
                "--log-path",
                str(Path(work) / "logs"),
            ]
        )
    compiled = result.result
    if not result.success or not isinstance(compiled, RunExecutionResult):
        raise SystemExit(f"dbt compile failed: {result.exception}")
    sql = getattr(compiled.results[0].node, "compiled_code", None)
    if not isinstance(sql, str):
        raise SystemExit(f"dbt compiled no SQL for {model}")
    return sql


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=PROJECT_DIR / "build/warehouse.duckdb")
    parser.add_argument("--model", default="int_pull_actions_classified")
    arguments = parser.parse_args()
    if not arguments.database.exists():
        print(f"no warehouse at {arguments.database}: run `make demo` first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        # compile against a scratch copy name so dbt does not lock the real file
        sql = compiled_model_sql(arguments.model, Path(scratch) / arguments.database.name)
    connection = open_read_only(arguments.database)
    connection.execute("pragma enable_profiling = 'query_tree'")
    for row in connection.execute(f"explain analyze {sql}").fetchall():
        print(row[-1])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
