"""How the dashboard process is told where the warehouse and the access file are:
environment variables, which `registry-insights dashboard` sets for `streamlit run`."""

from __future__ import annotations

import os
from pathlib import Path

DATABASE_ENV = "REGISTRY_INSIGHTS_DUCKDB_PATH"
ACCESS_FILE_ENV = "REGISTRY_INSIGHTS_DASHBOARD_ACCESS_FILE"
DEFAULT_DATABASE = Path("build/warehouse.duckdb")


def database_path() -> Path:
    """The warehouse file: `$REGISTRY_INSIGHTS_DUCKDB_PATH`, else the demo's."""
    return Path(os.environ.get(DATABASE_ENV) or DEFAULT_DATABASE)


def access_file() -> Path | None:
    """The access file (token mode), or None for local single-user mode."""
    value = os.environ.get(ACCESS_FILE_ENV)
    return Path(value) if value else None
