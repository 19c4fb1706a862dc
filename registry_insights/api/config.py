"""The server's configuration: a TOML file the operator manages. Its access part
(`[accounts]`, `[organizations]`) is read by `registry_insights.access`, which the
dashboard shares; the `[server]` table is the API's own.

```toml
[server]
database = "build/warehouse.duckdb"      # the built warehouse, opened read-only
export_cache = "build/api-exports"        # where export files are written on demand
max_file_bytes = 100000000                # largest uncompressed export file
signing_secret = "..."                    # or env REGISTRY_INSIGHTS_API_SIGNING_SECRET
public_url = "https://analytics.example.org"  # base of download links (default http://HOST:PORT)
link_lifetime_seconds = 21600             # download links expire after this long (6 h)
failed_token_limit = 10                   # failed-token requests per client per window ...
failed_token_window_seconds = 60          # ... before 429 (Retry-After)
audit_log = "logs/api-audit.jsonl"        # one JSON line per request

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
from typing import Any
from urllib.parse import urlsplit

from registry_insights.access import AccessConfig, ConfigError, parse_access, read_document
from registry_insights.publishing.dataview_files import DEFAULT_MAX_FILE_BYTES

__all__ = ["AccessConfig", "ConfigError", "ServerConfig", "load_config"]

SECRET_ENV = "REGISTRY_INSIGHTS_API_SIGNING_SECRET"
DEFAULT_LINK_LIFETIME = datetime.timedelta(hours=6)  # as the DVP API's links
MAX_LINK_LIFETIME_SECONDS = 30 * 24 * 3600
DEFAULT_AUDIT_LOG = Path("logs/api-audit.jsonl")


@dataclass(frozen=True)
class ServerConfig:
    database: Path
    export_cache: Path
    signing_secret: bytes
    access: AccessConfig
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    #: The base of the download links handed out; never taken from the request.
    public_url: str = "http://127.0.0.1:8000"
    link_lifetime: datetime.timedelta = DEFAULT_LINK_LIFETIME
    #: More failed-token requests than this from one client within the window answer 429.
    failed_token_limit: int = 10
    failed_token_window: datetime.timedelta = datetime.timedelta(seconds=60)
    #: JSON lines, one per request; None writes none.
    audit_log: Path | None = None
    # "Today" for relative periods (last-3-months, ...); None means the UTC date.
    as_of: datetime.date | None = None

    def today(self) -> datetime.date:
        return self.as_of or datetime.datetime.now(datetime.UTC).date()


def _positive_int(server: dict[str, Any], key: str, default: int) -> int:
    value = server.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"[server].{key} must be a positive whole number, not {value!r}")
    return int(value)


def bind_url(host: str, port: int) -> str:
    """`http://HOST:PORT` of the address the server listens on."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def public_url(server: dict[str, Any], host: str, port: int) -> str:
    """[server].public_url without a trailing slash, else the bind address."""
    value = server.get("public_url")
    if value is None:
        return bind_url(host, port)
    parts = urlsplit(value) if isinstance(value, str) else None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
    ):
        raise ConfigError(f"[server].public_url must be an http(s) URL, not {value!r}")
    return str(value).rstrip("/")


def load_config(
    path: Path, database: Path | None = None, host: str = "127.0.0.1", port: int = 8000
) -> ServerConfig:
    """Read the TOML file; `database` (from the command line) overrides [server].database;
    `host` and `port` are where `serve` listens, the links' base unless [server].public_url."""
    document = read_document(path)
    server = document.get("server", {})
    secret = os.environ.get(SECRET_ENV) or server.get("signing_secret")
    if not secret:
        raise ConfigError(f"no signing secret: set [server].signing_secret or {SECRET_ENV}")
    lifetime = _positive_int(
        server, "link_lifetime_seconds", int(DEFAULT_LINK_LIFETIME.total_seconds())
    )
    if lifetime > MAX_LINK_LIFETIME_SECONDS:
        raise ConfigError(f"[server].link_lifetime_seconds is at most {MAX_LINK_LIFETIME_SECONDS}")
    window = _positive_int(server, "failed_token_window_seconds", 60)
    return ServerConfig(
        database=database or Path(server.get("database", "build/warehouse.duckdb")),
        export_cache=Path(server.get("export_cache", "build/api-exports")),
        signing_secret=str(secret).encode("utf-8"),
        access=parse_access(document),
        max_file_bytes=int(server.get("max_file_bytes", DEFAULT_MAX_FILE_BYTES)),
        public_url=public_url(server, host, port),
        link_lifetime=datetime.timedelta(seconds=lifetime),
        failed_token_limit=_positive_int(server, "failed_token_limit", 10),
        failed_token_window=datetime.timedelta(seconds=window),
        audit_log=Path(server.get("audit_log", DEFAULT_AUDIT_LOG)),
    )
