"""The one access-file format every test writes: the Data API's configuration file
(`[accounts.<name>] token_sha256`, `[organizations.<org>] namespaces, members`, and
for the API a `[server]` table), which the Data API and the dashboard both read."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from registry_insights.access import token_hash

#: organization -> (its namespaces, its members)
Organizations = Mapping[str, tuple[Sequence[str], Sequence[str]]]


def access_toml(
    tokens: Mapping[str, Sequence[str]],
    organizations: Organizations,
    server: Mapping[str, str | int] | None = None,
) -> str:
    """The file for accounts with these plain `tokens` (stored as their SHA-256) and
    these organizations; `server` adds the API's own `[server]` table."""
    lines: list[str] = []
    if server is not None:
        lines.append("[server]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in server.items()]
    for account, plain in tokens.items():
        lines.append(f"\n[accounts.{json.dumps(account)}]")
        lines.append(f"token_sha256 = {json.dumps([token_hash(token) for token in plain])}")
    for organization, (namespaces, members) in organizations.items():
        lines.append(f"\n[organizations.{json.dumps(organization)}]")
        lines.append(f"namespaces = {json.dumps(list(namespaces))}")
        lines.append(f"members = {json.dumps(list(members))}")
    return "\n".join(lines) + "\n"
