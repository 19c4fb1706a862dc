"""The Data API over the built test warehouse: two organizations, three accounts."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from registry_insights.api.config import ServerConfig, load_config
from support.access_fixture import access_toml
from support.mart_rows import database_rows
from support.warehouse_build import BuiltWarehouse

API = "/api/publisher/analytics/v1"
# The test dataset covers June and July 2026; "today" for relative periods.
AS_OF = datetime.date(2026, 8, 15)
SECRET = b"test-signing-secret"
TOKENS = {"member": "token-of-alice", "other": "token-of-bob", "lonely": "token-of-carol"}


@dataclass(frozen=True)
class Namespaces:
    """Namespaces of the test warehouse: one the member's organization owns (it also
    publishes extensions) and one owned by another organization."""

    mine: str
    theirs: str


def pick_namespaces(database: Path) -> Namespaces:
    rows = database_rows(
        database,
        "select namespace from marts.exp_extensions_summary "
        "intersect select namespace from marts.exp_pulls_namespace_summary order by 1",
    )
    others = database_rows(
        database,
        "select namespace, sum(pulls_by_tag + pulls_by_digest) as pulls "
        "from marts.exp_pulls_namespace_summary group by 1 order by pulls desc, 1",
    )
    mine = rows[0][0]
    theirs = next(namespace for namespace, _ in others if namespace != mine)
    return Namespaces(mine, theirs)


def access_file_text(namespaces: Namespaces, server: Mapping[str, str | int] | None = None) -> str:
    """alice is a member of the organization owning `mine`, bob of the one owning
    `theirs`, carol of none."""
    return access_toml(
        {"alice": [TOKENS["member"]], "bob": [TOKENS["other"]], "carol": [TOKENS["lonely"]]},
        {
            "alices-org": ([namespaces.mine], ["alice"]),
            "bobs-org": ([namespaces.theirs], ["bob"]),
        },
        server,
    )


def make_config(
    built: BuiltWarehouse, folder: Path, namespaces: Namespaces, max_file_bytes: int = 20_000
) -> ServerConfig:
    """The configuration as an operator writes it (`folder/api.toml`), read by the API's
    loader; the test's secret and "today" are pinned."""
    path = folder / "api.toml"
    server: dict[str, str | int] = {
        "database": str(built.database),
        "export_cache": str(folder / "cache"),
        "max_file_bytes": max_file_bytes,
        "signing_secret": SECRET.decode(),
        # FastAPI's test client sends to http://testserver.
        "public_url": "http://testserver",
        "audit_log": str(folder / "audit.jsonl"),
        # The access tests send dozens of bad tokens from the one test client on purpose.
        "failed_token_limit": 1000,
    }
    path.write_text(access_file_text(namespaces, server), encoding="utf-8")
    # The secret wins over $REGISTRY_INSIGHTS_API_SIGNING_SECRET: tests sign links with it.
    return dataclasses.replace(load_config(path), signing_secret=SECRET, as_of=AS_OF)


def bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[role]}"}
