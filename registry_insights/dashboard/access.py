"""Who sees which namespaces: the dashboard's access rule.

The rule is the Data API's, read from the Data API's own configuration file by the
Data API's own loader (`registry_insights.access`): a token names an account, the
account is a member of organizations, and a member sees only the namespaces of their
organizations. It sits behind one function, `allowed_namespaces(identity)`, with two
implementations:

- `LocalAccess`, the local single-user mode (the default, for the demo and a
  laptop): every namespace is visible, and the page says so in a banner.
- `TokenAccess`, token mode, on the Data API's configuration file (its `[server]`
  table is not needed and is ignored): the identity is a bearer token; an unknown or
  missing token sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from registry_insights.access import AccessConfig
from registry_insights.access import load_access as load_access_config

LOCAL_MODE_BANNER = "local mode: all namespaces visible"


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
    """Token mode: the Data API's rule, token -> account -> its organizations' namespaces."""

    config: AccessConfig

    @property
    def mode(self) -> str:
        return "token"

    def allowed_namespaces(self, identity: str | None) -> frozenset[str] | None:
        token = (identity or "").strip()
        account = self.config.account_for(token) if token else None
        return frozenset() if account is None else self.config.namespaces_of(account)


def load_access(path: Path | None) -> AccessPolicy:
    """Token mode on the Data API's configuration file at `path` (raises
    `registry_insights.access.ConfigError` when it is unusable); local mode when there
    is none."""
    if path is None:
        return LocalAccess()
    return TokenAccess(load_access_config(path))
