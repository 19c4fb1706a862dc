"""Who sees which namespaces: the dashboard's access rule.

The rule is the Data API's: a member sees only the namespaces of their
organizations. It sits behind one function, `allowed_namespaces(identity)`, with two
implementations:

- `LocalAccess`, the local single-user mode (the default, for the demo and a
  laptop): every namespace is visible, and the page says so in a banner.
- `TokenAccess`, read from an operator-managed TOML file: the identity is a bearer
  token; its SHA-256 names an account, the account its organizations, and each
  organization its namespaces. An unknown or missing token sees nothing.

Access file (tokens are never stored, only their SHA-256 in hex)::

    [organizations.westbrook]
    namespaces = ["westbrook"]

    [accounts.alice]
    organizations = ["westbrook"]

    [tokens]
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" = "alice"
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

LOCAL_MODE_BANNER = "local mode: all namespaces visible"


class AccessConfigError(ValueError):
    """The access file is missing or does not follow the documented format."""


class AccessPolicy(Protocol):
    """Maps an identity (a bearer token, or None) to the namespaces it may see;
    None means every namespace."""

    @property
    def mode(self) -> str: ...

    def allowed_namespaces(self, identity: str | None) -> frozenset[str] | None: ...


@dataclass(frozen=True)
class LocalAccess:
    """Local single-user mode: whoever opens the page sees every namespace."""

    @property
    def mode(self) -> str:
        return "local"

    def allowed_namespaces(self, identity: str | None) -> frozenset[str] | None:
        return None


@dataclass(frozen=True)
class TokenAccess:
    """Token mode: token SHA-256 -> account -> organizations -> namespaces."""

    namespaces_by_token_sha256: Mapping[str, frozenset[str]]

    @property
    def mode(self) -> str:
        return "token"

    def allowed_namespaces(self, identity: str | None) -> frozenset[str] | None:
        if not identity:
            return frozenset()
        digest = token_sha256(identity.strip())
        return self.namespaces_by_token_sha256.get(digest, frozenset())


def token_sha256(token: str) -> str:
    """The hex SHA-256 of a token, as the access file stores it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def load_access(path: Path | None) -> AccessPolicy:
    """Token mode from the access file at `path`; local mode when there is none."""
    if path is None:
        return LocalAccess()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise AccessConfigError(f"cannot read the access file {path}: {error}") from error
    return TokenAccess(_namespaces_by_token(document))


def _namespaces_by_token(document: Mapping[str, object]) -> dict[str, frozenset[str]]:
    organizations = _table(document, "organizations")
    accounts = _table(document, "accounts")
    tokens = _table(document, "tokens")
    namespaces_of = {
        name: frozenset(_strings(_table(organizations, name), "namespaces", f"organization {name}"))
        for name in organizations
    }
    resolved: dict[str, frozenset[str]] = {}
    for digest, account in tokens.items():
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest.lower()):
            raise AccessConfigError(f"token key {digest[:12]}... is not a hex SHA-256")
        if not isinstance(account, str) or account not in accounts:
            raise AccessConfigError(f"token {digest[:12]}... names an unknown account")
        member_of = _strings(_table(accounts, account), "organizations", f"account {account}")
        unknown = [org for org in member_of if org not in namespaces_of]
        if unknown:
            raise AccessConfigError(f"account {account}: unknown organization(s) {unknown}")
        resolved[digest.lower()] = frozenset().union(*(namespaces_of[o] for o in member_of))
    return resolved


def _table(document: Mapping[str, object], key: str) -> Mapping[str, object]:
    value = document.get(key, {})
    if not isinstance(value, Mapping):
        raise AccessConfigError(f"[{key}] must be a table")
    return value


def _strings(table: Mapping[str, object], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise AccessConfigError(f"{where}: {key} must be a list of strings")
    return list(value)
