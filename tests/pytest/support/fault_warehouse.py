"""The fault tests' small warehouse: a generated three-day dataset built up to its
second day (`base`), and the project parsed once for the daily run of the third day
(tests/pytest/faults/conftest.py builds it)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner
from dbt.contracts.graph.nodes import CompiledNode

from support.warehouse_build import PROJECT_DIR, project_environment

START = datetime.date(2026, 6, 1)
BASE_VARS = (
    "{process_date: '2026-06-02', report_as_of_date: '2026-06-03', "
    "run_started_at: '2026-06-03 01:30:00'}"
)
#: The daily run of the third day (`run_started_at` pinned: every run takes its files in
#: at the same instant, so the ledger of a rerun can equal an uninterrupted run's).
DAILY_VARS = (
    "{process_date: '2026-06-03', report_as_of_date: '2026-06-04', "
    "run_started_at: '2026-06-04 01:30:00'}"
)
DAILY = ["--selector", "daily", "--vars", DAILY_VARS]


def dbt_arguments(command: str, work: Path, *extra: str) -> list[str]:
    return [
        command,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
        "--quiet",
        *extra,
    ]


@dataclass
class SmallWarehouse:
    raw: Path
    #: the warehouse before the daily run (every file is named warehouse.duckdb: the
    #: parsed project names its catalog after the file)
    base: Path
    runs: Path
    manifest: Any
    models: list[tuple[str, str]] = field(default_factory=list)

    def daily_run(self, database: Path, threads: int = 1) -> Callable[[], bool]:
        """The daily run on `database` (parsed once: a callable, for a forked child too)."""

        def invoke() -> bool:
            arguments = dbt_arguments("run", self.runs, "--threads", str(threads), *DAILY)
            _forget_compilation(self.manifest)
            with project_environment(self.raw, database):
                result = dbtRunner(manifest=self.manifest).invoke(arguments)
            return bool(result.success)

        return invoke


def _forget_compilation(manifest: Any) -> None:
    """Make every node of a parsed manifest compile again in the next run on it. dbt marks
    a node compiled, and its ephemeral parents' CTEs injected, in the manifest it runs
    with; a second run on that manifest would then reuse an ephemeral model's SQL from the
    first (the classification's depends on the run) and not inject it into its reader."""
    for node in manifest.nodes.values():
        if isinstance(node, CompiledNode):  # seeds are never compiled
            node.compiled = False
            node.extra_ctes_injected = False
            node.extra_ctes = []
