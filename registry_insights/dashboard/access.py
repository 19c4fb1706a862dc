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

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from registry_insights.access import AccessConfig, parse_access, read_document

LOCAL_MODE_BANNER = "local mode: all namespaces visible"

SignInStatus = Literal["local", "no_token", "unknown_token", "no_organization", "signed_in"]

#: What each sign-in state tells the viewer (token mode).
SIGN_IN_MESSAGES: dict[SignInStatus, str] = {
    "no_token": "Enter your access token in the sidebar to see your organization's data.",
    "unknown_token": "This token is not known: check it, or ask your administrator for one.",
    "no_organization": (
        "You are signed in as {account}, but this account is a member of no organization "
        "that owns a namespace: ask your administrator to add it to one."
    ),
}


@dataclass(frozen=True)
class SignIn:
    """Where a viewer stands: the state, the account (token mode) and the organizations
    it may look at, each with its namespaces (local mode: None, every namespace)."""

    status: SignInStatus
    account: str | None = None
    organizations: Mapping[str, frozenset[str]] | None = field(default=None)

    @property
    def message(self) -> str:
        """The message for a viewer who sees nothing (empty for the other states)."""
        text = SIGN_IN_MESSAGES.get(self.status, "")
        return text.format(account=self.account)


class AccessPolicy(Protocol):
    """Maps an identity (a bearer token, or None) to the namespaces it may see;
    None means every namespace."""

    @property
    def mode(self) -> str: ...

    def allowed_namespaces(self, identity: str | None) -> frozenset[str] | None: ...

    def sign_in(self, identity: str | None) -> SignIn: ...


@dataclass(frozen=True)
class LocalAccess:
    """Local single-user mode: whoever opens the page sees every namespace."""

    @property
    def mode(self) -> str:
        return "local"

    def allowed_namespaces(self, identity: str | None) -> frozenset[str] | None:
        return None

    def sign_in(self, identity: str | None) -> SignIn:
        return SignIn("local")


@dataclass(frozen=True)
class TokenAccess:
    """Token mode: the Data API's rule, token -> account -> its organizations' namespaces."""

    config: AccessConfig
    #: account -> {organization: its namespaces}, for the organizations it is a member of.
    organizations_by_account: Mapping[str, Mapping[str, frozenset[str]]] = field(
        default_factory=dict
    )

    @property
    def mode(self) -> str:
        return "token"

    def allowed_namespaces(self, identity: str | None) -> frozenset[str] | None:
        token = (identity or "").strip()
        account = self.config.account_for(token) if token else None
        return frozenset() if account is None else self.config.namespaces_of(account)

    def sign_in(self, identity: str | None) -> SignIn:
        """The token's account and organizations; the organizations owning no namespace
        are left out (there is nothing to show for them)."""
        token = (identity or "").strip()
        if not token:
            return SignIn("no_token")
        account = self.config.account_for(token)
        if account is None:
            return SignIn("unknown_token")
        organizations = {
            name: namespaces
            for name, namespaces in sorted(self.organizations_by_account.get(account, {}).items())
            if namespaces
        }
        if not organizations:
            return SignIn("no_organization", account)
        return SignIn("signed_in", account, organizations)


def _organizations_by_account(document: dict[str, Any]) -> dict[str, dict[str, frozenset[str]]]:
    """account -> {organization: namespaces} from a file `parse_access` accepted."""
    found: dict[str, dict[str, frozenset[str]]] = {}
    for organization, entry in document.get("organizations", {}).items():
        namespaces = frozenset(entry.get("namespaces", []))
        for member in entry.get("members", []):
            found.setdefault(member, {})[organization] = namespaces
    return found


def load_access(path: Path | None) -> AccessPolicy:
    """Token mode on the Data API's configuration file at `path` (raises
    `registry_insights.access.ConfigError` when it is unusable); local mode when there
    is none."""
    if path is None:
        return LocalAccess()
    document = read_document(path)
    return TokenAccess(parse_access(document), _organizations_by_account(document))
