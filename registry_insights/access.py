"""Who may read which namespaces: the access part of the Data API's configuration file,
read by one loader for both the Data API and the dashboard.

Tokens belong to accounts, accounts are members of organizations, and an organization
owns namespaces; a member reads only its organizations' namespaces. The file stores the
SHA-256 of each token, never the token (`registry-insights api-token` makes one)::

    [accounts.alice]
    token_sha256 = ["<sha256 hex of a token>"]   # several tokens per account are allowed

    [organizations.acme]
    namespaces = ["acme", "acme-labs"]
    members = ["alice"]

The same file may hold a `[server]` table: the Data API reads it (`api/config.py`);
this module ignores it, so the dashboard needs none.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The environment variable naming the Data API's configuration file.
CONFIG_ENV = "REGISTRY_INSIGHTS_API_CONFIG"


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


def read_document(path: Path) -> dict[str, Any]:
    """The TOML file at `path`, parsed."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from error


def load_access(path: Path) -> AccessConfig:
    """The access part of the configuration file at `path`."""
    return parse_access(read_document(path))


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
