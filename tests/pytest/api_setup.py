"""The Data API over the built test warehouse: two organizations, three accounts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import duckdb
from warehouse_build import BuiltWarehouse

from registry_insights.access import parse_access, token_hash
from registry_insights.api.config import ServerConfig

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
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select namespace from marts.exp_extensions_summary "
            "intersect select namespace from marts.exp_pulls_namespace_summary order by 1"
        ).fetchall()
        others = connection.execute(
            "select namespace, sum(pulls_by_tag + pulls_by_digest) as pulls "
            "from marts.exp_pulls_namespace_summary group by 1 order by pulls desc, 1"
        ).fetchall()
    mine = rows[0][0]
    theirs = next(namespace for namespace, _ in others if namespace != mine)
    return Namespaces(mine, theirs)


def make_config(
    built: BuiltWarehouse, cache: Path, namespaces: Namespaces, max_file_bytes: int = 20_000
) -> ServerConfig:
    document = {
        "accounts": {
            "alice": {"token_sha256": [token_hash(TOKENS["member"])]},
            "bob": {"token_sha256": [token_hash(TOKENS["other"])]},
            "carol": {"token_sha256": [token_hash(TOKENS["lonely"])]},
        },
        "organizations": {
            "alices-org": {"namespaces": [namespaces.mine], "members": ["alice"]},
            "bobs-org": {"namespaces": [namespaces.theirs], "members": ["bob"]},
        },
    }
    return ServerConfig(
        database=built.database,
        export_cache=cache,
        signing_secret=SECRET,
        access=parse_access(document),
        max_file_bytes=max_file_bytes,
        as_of=AS_OF,
    )


def bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[role]}"}
