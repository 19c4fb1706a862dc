"""DAGSTER_HOME for scheduled runs: a build folder whose dagster.yaml turns telemetry off,
runs one run at a time (one DuckDB writer) and retries failed runs."""

from __future__ import annotations

import os
from pathlib import Path

from registry_insights.orchestration.settings import PROJECT_DIR

DEFAULT_HOME = PROJECT_DIR / "build" / "dagster-home"

DAGSTER_YAML = """\
# Written by registry-insights (registry_insights/orchestration/home.py).
telemetry:
  enabled: false
concurrency:
  runs:
    # Every run writes the one DuckDB warehouse, which takes a single writer.
    max_concurrent_runs: 1
run_retries:
  enabled: true
  max_retries: 0   # per job: the tag dagster/max_retries
"""


def prepare_home(home: Path | None = None) -> Path:
    """Create the home folder and its dagster.yaml (kept if present); set DAGSTER_HOME."""
    folder = (home or Path(os.environ.get("DAGSTER_HOME") or DEFAULT_HOME)).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(folder)
    return folder
