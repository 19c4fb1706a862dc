"""dbt-duckdb plugin: hands the HMAC pads to every DuckDB connection and cursor dbt uses.

profiles.yml lists it under `plugins:`. How the pads reach the session without entering
SQL text: registry_insights.pseudonyms.duckdb_pads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from registry_insights.pseudonyms.duckdb_pads import set_pad_variables
from registry_insights.pseudonyms.secret import default_secret_path, load_secret


class Plugin(BasePlugin):
    """DuckDB variables are per connection, and a cursor is a connection of its own: set
    them in both hooks (dbt runs every statement on a cursor)."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self._secret_path: Path = default_secret_path()
        load_secret(self._secret_path)  # created on first use; a bad file fails here

    def configure_connection(self, conn: Any) -> None:
        set_pad_variables(conn, self._secret_path)

    def configure_cursor(self, cursor: Any) -> None:
        set_pad_variables(cursor, self._secret_path)
