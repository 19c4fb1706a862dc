"""dbt-duckdb plugin: hands the HMAC pads to every DuckDB connection and cursor dbt uses.

profiles.yml lists it under `plugins:`. The pads go into session variables
(`SET VARIABLE ... = ?`, a bound parameter), which the `pseudonym` macro reads with
`getvariable()`: the secret never appears in SQL text, compiled models, dbt's logs or
the database file (session variables are not stored).
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from registry_insights.pseudonyms.secret import hmac_pads, load_secret

# Names of the DuckDB session variables the `pseudonym` macro reads.
INNER_PAD_VARIABLE = "registry_insights_hmac_inner_pad"
OUTER_PAD_VARIABLE = "registry_insights_hmac_outer_pad"


def set_pad_variables(connection: Any, key: bytes) -> None:
    """Set the two pad variables (hex text) on one DuckDB connection or cursor."""
    pads = hmac_pads(key)
    connection.execute(f"set variable {INNER_PAD_VARIABLE} = ?", [pads.inner.hex()])
    connection.execute(f"set variable {OUTER_PAD_VARIABLE} = ?", [pads.outer.hex()])


class Plugin(BasePlugin):
    """DuckDB variables are per connection, and a cursor is a connection of its own: set
    them in both hooks (dbt runs every statement on a cursor)."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self._key = load_secret()

    def configure_connection(self, conn: Any) -> None:
        set_pad_variables(conn, self._key)

    def configure_cursor(self, cursor: Any) -> None:
        set_pad_variables(cursor, self._key)
