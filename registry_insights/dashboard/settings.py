"""How the dashboard process is told where the warehouse and the access file are:
environment variables, which `registry-insights dashboard` sets for `streamlit run`."""

from __future__ import annotations

import os
from pathlib import Path

from registry_insights.access import CONFIG_ENV

DATABASE_ENV = "REGISTRY_INSIGHTS_DUCKDB_PATH"
ACCESS_FILE_ENV = "REGISTRY_INSIGHTS_DASHBOARD_ACCESS_FILE"
#: Where token mode looks for the access file, first match wins: the dashboard's own
#: variable, then the Data API's configuration file.
ACCESS_FILE_ENVS = (ACCESS_FILE_ENV, CONFIG_ENV)
DEFAULT_DATABASE = Path("build/warehouse.duckdb")
#: Development only: a page that fails raises (Streamlit shows it) instead of a message.
DEBUG_ENV = "REGISTRY_INSIGHTS_DASHBOARD_DEBUG"


def database_path() -> Path:
    """The warehouse file: `$REGISTRY_INSIGHTS_DUCKDB_PATH`, else the demo's."""
    return Path(os.environ.get(DATABASE_ENV) or DEFAULT_DATABASE)


def access_file() -> Path | None:
    """The Data API's configuration file for token mode:
    `$REGISTRY_INSIGHTS_DASHBOARD_ACCESS_FILE`, else `$REGISTRY_INSIGHTS_API_CONFIG`;
    None (neither set) is local single-user mode."""
    value = next((os.environ[name] for name in ACCESS_FILE_ENVS if os.environ.get(name)), None)
    return Path(value) if value else None


def debug() -> bool:
    """`$REGISTRY_INSIGHTS_DASHBOARD_DEBUG` is 1: failures are raised, not summarised
    (the tests set it, so that a failing page fails them)."""
    return os.environ.get(DEBUG_ENV) == "1"
