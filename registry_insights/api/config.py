"""The server's configuration: a TOML file the operator manages. Its access part
(`[accounts]`, `[organizations]`) is read by `registry_insights.access`, which the
dashboard shares; the `[server]` table is the API's own.

```toml
[server]
database = "build/warehouse.duckdb"      # the built warehouse, opened read-only
export_cache = "build/api-exports"        # where export files are written on demand
max_file_bytes = 100000000                # largest uncompressed export file
signing_secret = "..."                    # or env REGISTRY_INSIGHTS_API_SIGNING_SECRET

[accounts.alice]
token_sha256 = ["<sha256 hex of a token>"]   # `registry-insights api-token` makes one

[organizations.acme]
namespaces = ["acme"]
members = ["alice"]
```
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from registry_insights.access import AccessConfig, ConfigError, parse_access, read_document
from registry_insights.publishing.dataview_files import DEFAULT_MAX_FILE_BYTES

__all__ = ["AccessConfig", "ConfigError", "ServerConfig", "load_config"]

SECRET_ENV = "REGISTRY_INSIGHTS_API_SIGNING_SECRET"


@dataclass(frozen=True)
class ServerConfig:
    database: Path
    export_cache: Path
    signing_secret: bytes
    access: AccessConfig
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    link_lifetime: datetime.timedelta = datetime.timedelta(hours=6)
    # "Today" for relative periods (last-3-months, ...); None means the UTC date.
    as_of: datetime.date | None = None

    def today(self) -> datetime.date:
        return self.as_of or datetime.datetime.now(datetime.UTC).date()


def load_config(path: Path, database: Path | None = None) -> ServerConfig:
    """Read the TOML file; `database` (from the command line) overrides [server].database."""
    document = read_document(path)
    server = document.get("server", {})
    secret = os.environ.get(SECRET_ENV) or server.get("signing_secret")
    if not secret:
        raise ConfigError(f"no signing secret: set [server].signing_secret or {SECRET_ENV}")
    return ServerConfig(
        database=database or Path(server.get("database", "build/warehouse.duckdb")),
        export_cache=Path(server.get("export_cache", "build/api-exports")),
        signing_secret=str(secret).encode("utf-8"),
        access=parse_access(document),
        max_file_bytes=int(server.get("max_file_bytes", DEFAULT_MAX_FILE_BYTES)),
    )
