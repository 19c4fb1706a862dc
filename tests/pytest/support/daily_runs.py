"""The dbt selections of a warehouse built one day at a time, for the tests of daily runs
(tests/pytest/warehouse/test_incremental.py, test_raw_retention.py)."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from support.warehouse_build import dbt_invoke

REQUESTS = "raw_registry_requests"
EXTENSION_EVENTS = "raw_extension_events"
# The day a run processes, given through the environment so that dbt need not parse the
# project again for every day (macro process_date).
PROCESS_DATE = "REGISTRY_INSIGHTS_PROCESS_DATE"
# A daily run: the request files, staging, classification, the fact table and the tag
# history (incremental too), the extension events (incremental), then the ledgers; the
# reference tables and seeds are built once by the first run.
DAILY = [
    "--select",
    "+fct_pull_actions +int_tag_digest_history +int_extension_events_enriched"
    " ops_request_files_ledger ops_extension_files_ledger",
    "--exclude",
    "stg_reference__*",
]
# The reports: everything downstream of the fact table, of the tag history and of the
# extension events (the daily selector builds all of it every run).
REPORTS = [
    "--select",
    "fct_pull_actions+ int_tag_digest_history+ int_extension_events_enriched+",
    "--exclude",
    "fct_pull_actions int_tag_digest_history"
    " int_extension_events_enriched ops_request_files_ledger ops_extension_files_ledger",
]


def run_for_day(
    raw: Path, database: Path, variables: str, day: datetime.date | None, *selection: str
) -> None:
    """`dbt run --vars variables` of `selection` for `day` (none: today, the default),
    which goes in the environment so that dbt need not parse the project for every day;
    fails the test when the run fails."""
    os.environ[PROCESS_DATE] = day.isoformat() if day else ""
    try:
        outcome = dbt_invoke("run", raw, database, "--vars", variables, *selection)
    finally:
        del os.environ[PROCESS_DATE]
    assert outcome.success, outcome.messages
