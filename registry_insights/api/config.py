"""The server's configuration: a TOML file the operator manages.

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
import hashlib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry_insights.exports.catalog import DEFAULT_MAX_FILE_BYTES

SECRET_ENV = "REGISTRY_INSIGHTS_API_SIGNING_SECRET"


class ConfigError(ValueError):
    """The configuration file is missing, malformed or incomplete."""


def token_hash(token: str) -> str:
    """What the configuration stores for a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AccessConfig:
    """Who may read what: token hash -> account, account -> namespaces of its organizations."""

    accounts_by_token_hash: dict[str, str]
    namespaces_by_account: dict[str, frozenset[str]]

    def account_for(self, token: str) -> str | None:
        return self.accounts_by_token_hash.get(token_hash(token))

    def namespaces_of(self, account: str) -> frozenset[str]:
        return self.namespaces_by_account.get(account, frozenset())


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


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where} must be a list of strings")
    return list(value)


def parse_access(document: dict[str, Any]) -> AccessConfig:
    accounts = document.get("accounts", {})
    organizations = document.get("organizations", {})
    if not isinstance(accounts, dict) or not isinstance(organizations, dict):
        raise ConfigError("[accounts] and [organizations] must be tables")
    by_hash: dict[str, str] = {}
    for account, entry in accounts.items():
        for digest in _strings(entry.get("token_sha256", []), f"accounts.{account}.token_sha256"):
            digest = digest.strip().lower()
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise ConfigError(f"accounts.{account}.token_sha256: not a SHA-256 hex digest")
            if by_hash.setdefault(digest, account) != account:
                raise ConfigError(f"accounts.{account}: a token hash is used by two accounts")
    namespaces: dict[str, set[str]] = {}
    for organization, entry in organizations.items():
        owned = _strings(entry.get("namespaces", []), f"organizations.{organization}.namespaces")
        for member in _strings(entry.get("members", []), f"organizations.{organization}.members"):
            if member not in accounts:
                raise ConfigError(f"organizations.{organization}: unknown member {member!r}")
            namespaces.setdefault(member, set()).update(owned)
    return AccessConfig(by_hash, {account: frozenset(ns) for account, ns in namespaces.items()})


def load_config(path: Path, database: Path | None = None) -> ServerConfig:
    """Read the TOML file; `database` (from the command line) overrides [server].database."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from error
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
