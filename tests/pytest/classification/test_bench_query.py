"""The benchmark's hand-written lower bound (scripts/bench/classify_raw.sql) classifies
the raw files exactly as the warehouse does, so comparing their speed is fair: equal to
the model on the test dataset, and to the reference on addresses written several ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.classification_harness import ActionRow, oracle_rows
from support.warehouse_build import PROJECT_DIR, BuiltWarehouse, dbt_compiled_code

from registry_insights.generator.tables import REQUESTS_SCHEMA
from registry_insights.pull_actions import ManifestRequest

COLUMNS = "action_id, action, action_at, repository, tag, digest, platform_digest, request_count"
HAND_QUERY = PROJECT_DIR / "scripts" / "bench" / "classify_raw.sql"
DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64
START = datetime(2026, 6, 1, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def normalised_client_ip(tmp_path_factory: pytest.TempPathFactory) -> str:
    """normalise_ip over the raw `client_ip`, as dbt compiles it (what the bench fills in)."""
    work_dir = tmp_path_factory.mktemp("normalise_ip")
    return dbt_compiled_code(work_dir, "scratch", "--inline", "{{ normalise_ip('client_ip') }}")


def run_hand_query(
    connection: duckdb.DuckDBPyConnection, files: list[str], normalised_client_ip: str
) -> None:
    """The hand query, filled in as scripts/bench_warehouse.py fills it, into hand_actions."""
    connection.execute("set TimeZone = 'UTC'")
    connection.execute(
        HAND_QUERY.read_text().format(
            files=repr(files),
            window_us=60_000_000,
            table="hand_actions",
            normalised_client_ip=normalised_client_ip,
        )
    )


def test_hand_written_query_equals_the_model(
    built_warehouse: BuiltWarehouse, tmp_path: Path, normalised_client_ip: str
) -> None:
    files = sorted(
        str(path)
        for path in (built_warehouse.raw_path / "raw_registry_requests").glob("*/*.parquet")
    )
    connection = duckdb.connect(str(tmp_path / "hand.duckdb"))
    try:
        run_hand_query(connection, files, normalised_client_ip)
        connection.execute(f"attach '{built_warehouse.database}' as warehouse (read_only)")
        model = "warehouse.marts.fct_pull_actions"
        differences = [
            connection.execute(
                f"select count(*) from (select {COLUMNS} from {left} "
                f"except all select {COLUMNS} from {right})"
            ).fetchone()
            for left, right in [("hand_actions", model), (model, "hand_actions")]
        ]
        count = connection.execute("select count(*) from hand_actions").fetchone()
    finally:
        connection.close()
    assert count is not None and count[0] > 10_000
    assert differences == [(0,), (0,)]


# (first address, second address, whether the second is an address at all): a GET by
# tag from the first, then the GET by digest of its platform image from the second
ADDRESS_PAIRS = [
    ("192.0.2.7", "::ffff:192.0.2.7", True),
    ("192.0.2.8", "0:0:0:0:0:FFFF:C000:0208", True),
    ("2001:db8::7", "2001:0DB8:0000:0000:0000:0000:0000:0007", True),
    ("2001:db8::8", " 2001:DB8::8 ", True),
    ("2001:db8::9", "2001:db8::9%eth0", True),
    ("192.0.2.9", "999.0.2.9", False),
    ("192.0.2.10", "192.0.2", False),
    ("192.0.2.11", "1:2:3:4:5:6:7:8:9", False),
]


def address_pair_requests() -> list[ManifestRequest]:
    """Each pair under its own user agent, so that the pairs are different clients."""
    requests: list[ManifestRequest] = []
    for index, (first_ip, second_ip, _) in enumerate(ADDRESS_PAIRS):
        for offset, (reference, digest, ip) in enumerate(
            [("latest", DIGEST_A, first_ip), (DIGEST_B, DIGEST_B, second_ip)]
        ):
            requests.append(
                ManifestRequest(
                    event_id=f"e{index:02d}-{offset}",
                    occurred_at=START + timedelta(minutes=index, seconds=offset),
                    http_method="GET",
                    repository="acme/app",
                    reference=reference,
                    response_digest=digest,
                    client_ip=ip,
                    user_agent=f"docker/27 pair-{index}",
                    account_id=None,
                )
            )
    return requests


def write_raw_requests(requests: list[ManifestRequest], raw: Path) -> list[str]:
    """The requests as one raw request file (the collector's schema)."""
    rows = [
        {
            "event_id": request.event_id,
            "occurred_at": request.occurred_at,
            "http_method": request.http_method,
            "object_type": request.object_type,
            "repository": request.repository,
            "reference": request.reference,
            "response_digest": request.response_digest,
            "media_type": "application/vnd.oci.image.index.v1+json",
            "status_code": request.status_code,
            "response_bytes": 1024,
            "client_ip": request.client_ip,
            "user_agent": request.user_agent,
            "account_id": request.account_id,
        }
        for request in requests
    ]
    path = raw / "raw_registry_requests" / "date=2026-06-01" / "part-00000.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=REQUESTS_SCHEMA), path)
    return [str(path)]


def test_hand_written_query_keys_clients_by_address_not_spelling(
    tmp_path: Path, normalised_client_ip: str
) -> None:
    """Two spellings of one address are one client (one pull of two requests), and a text
    that is no address is quarantined (the GET by tag alone is a pull), as in the model."""
    requests = address_pair_requests()
    files = write_raw_requests(requests, tmp_path / "raw")
    not_addresses = {
        f"e{index:02d}-1" for index, (_, _, valid) in enumerate(ADDRESS_PAIRS) if not valid
    }
    expected = oracle_rows(request for request in requests if request.event_id not in not_addresses)
    connection = duckdb.connect(str(tmp_path / "hand.duckdb"))
    try:
        run_hand_query(connection, files, normalised_client_ip)
        found = connection.execute(
            "select action_id, action, request_count, digest, platform_digest, tag, repository "
            "from hand_actions"
        ).fetchall()
    finally:
        connection.close()
    assert [row.request_count for row in expected] == [2] * 5 + [1] * 3
    assert sorted(ActionRow(*row) for row in found) == expected
