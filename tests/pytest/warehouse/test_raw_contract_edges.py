"""A hand-written raw dataset with every contract defect, and missing tables, builds."""

from __future__ import annotations

import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.mart_rows import database_rows
from support.raw_schema import RAW_REQUESTS_SCHEMA
from support.warehouse_build import dbt_build

DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64
DAY = datetime.datetime(2026, 3, 2, 23, 59, 50, tzinfo=datetime.UTC)

SCHEMA = RAW_REQUESTS_SCHEMA


def _row(event_id: str | None, seconds: float, **overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "event_id": event_id,
        "occurred_at": DAY + datetime.timedelta(seconds=seconds),
        "http_method": "GET",
        "object_type": "manifest",
        "repository": "acme/app",
        "reference": DIGEST_A,
        "response_digest": DIGEST_A,
        "media_type": "application/vnd.oci.image.index.v1+json",
        "status_code": 200,
        "response_bytes": 1_000,
        "client_ip": "203.0.113.7",
        "user_agent": "containerd/1.7.22",
        "account_id": None,
    }
    row.update(overrides)
    return row


VALID = [
    # a pull across midnight: HEAD tag at 23:59:50, GETs after 00:00
    _row("v1", 0, http_method="HEAD", reference="latest", response_bytes=0),
    _row("v2", 15),
    _row("v3", 16, reference=DIGEST_B, response_digest=DIGEST_B),
    _row("v4", 17, object_type="blob", reference="sha256:" + "c" * 64, response_digest=None),
    # lower-case method and upper-case object type are normalised, not rejected
    _row("v5", 100, http_method="head", object_type="MANIFEST", reference="1.0"),
]

DEFECTS = {
    "missing_event_id": _row(None, 1),
    "missing_client_ip": _row("d2", 1, client_ip=None),
    "missing_repository": _row("d3", 1, repository=None),
    "unknown_http_method": _row("d4", 1, http_method="DELETE"),
    "unknown_object_type": _row("d5", 1, object_type="tag_list"),
    "malformed_repository": _row("d6", 1, repository="NoNamespace"),
    "malformed_digest": _row("d7", 1, reference="sha256:XYZ"),
    "malformed_tag": _row("d8", 1, reference="-bad tag"),
    "blob_not_by_digest": _row("d9", 1, object_type="blob", reference="latest"),
    "malformed_response_digest": _row("d10", 1, response_digest="md5:abc"),
    "invalid_status_code": _row("d11", 1, status_code=42),
    "negative_response_bytes": _row("d12", 1, response_bytes=-5),
    "malformed_client_ip": _row("d13", 1, client_ip="not an ip"),
    "future_timestamp": _row(
        "d14", 0, occurred_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)
    ),
}


def _write(raw: Path, table: str, day: str, rows: list[dict[str, object]]) -> None:
    folder = raw / table / f"date={day}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), folder / "part-0.parquet")


@pytest.fixture(scope="module")
def edge_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("edges")
    raw = work / "raw"
    _write(raw, "raw_registry_requests", "2026-03-02", VALID[:1] + list(DEFECTS.values()))
    # the rest of the pull lands in the next day's partition; v2 is delivered twice
    _write(raw, "raw_registry_requests", "2026-03-03", [*VALID[1:], VALID[1]])
    # raw_accounts is absent and raw_extension_events is an empty folder
    (raw / "raw_extension_events").mkdir()
    database = work / "warehouse.duckdb"
    dbt_build(raw, database, "--vars", "{report_as_of_date: '2026-04-01'}")
    return database


def test_each_defect_is_quarantined_with_its_reason(edge_warehouse: Path) -> None:
    reasons = database_rows(
        edge_warehouse,
        "select quarantine_reason, count(*) from staging.stg_registry__requests_quarantined "
        "group by all",
    )
    valid = database_rows(
        edge_warehouse,
        "select event_id, http_method, object_type from staging.stg_registry__requests "
        "order by event_id",
    )
    assert dict(reasons) == dict.fromkeys(DEFECTS, 1)
    assert valid == [
        ("v1", "HEAD", "manifest"),
        ("v2", "GET", "manifest"),
        ("v3", "GET", "manifest"),
        ("v4", "GET", "blob"),
        ("v5", "HEAD", "manifest"),
    ]


def test_missing_and_empty_tables_build_as_empty(edge_warehouse: Path) -> None:
    accounts = database_rows(edge_warehouse, "select count(*) from staging.stg_registry__accounts")
    events = database_rows(
        edge_warehouse, "select count(*) from staging.stg_registry__extension_events"
    )
    assert accounts == [(0,)] and events == [(0,)]


def test_pull_across_midnight_is_one_action_of_its_start_day(edge_warehouse: Path) -> None:
    actions = database_rows(
        edge_warehouse,
        "select action_id, action, request_count, platform_digest, action_date "
        "from marts.fct_pull_actions order by action_id",
    )
    summary = database_rows(
        edge_warehouse,
        "select date_granularity, date_reference, level, reference, data_downloads, "
        "version_checks, event_count from marts.rpt_summary "
        "order by date_granularity, level, reference",
    )
    assert actions == [
        ("v1", "pull_by_tag", 3, DIGEST_B, datetime.date(2026, 3, 2)),
        ("v5", "version_check", 1, None, datetime.date(2026, 3, 3)),
    ]
    monday = datetime.date(2026, 3, 2)
    march = datetime.date(2026, 3, 1)
    assert summary == [
        ("monthly", march, "repository", "acme/app", 1, 1, 2),
        ("monthly", march, "tag", "1.0", 0, 1, 1),
        ("monthly", march, "tag", "latest", 1, 0, 1),
        ("weekly", monday, "repository", "acme/app", 1, 1, 2),
        ("weekly", monday, "tag", "1.0", 0, 1, 1),
        ("weekly", monday, "tag", "latest", 1, 0, 1),
    ]


def test_files_outside_the_layout_fail_the_build_loudly(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _write(raw, "raw_registry_requests", "2026-03-02", VALID[:1])
    stray = raw / "raw_registry_requests" / "2026-03-03"
    stray.mkdir()
    pq.write_table(pa.Table.from_pylist(VALID[1:], schema=SCHEMA), stray / "part-0.parquet")
    with pytest.raises(RuntimeError, match="outside the contract's layout"):
        dbt_build(raw, tmp_path / "warehouse.duckdb", "--select", "base_registry__requests")


def _quarantine_reasons(database: Path) -> dict[str, str]:
    return dict(
        database_rows(
            database,
            "select event_id, quarantine_reason from staging.stg_registry__requests_quarantined",
        )
    )


# the staging models and the daily chain (the ledger), with the tests on those alone
STAGING_ONLY = (
    "--select",
    "+ops_request_files_ledger stg_registry__requests_quarantined",
    "--indirect-selection",
    "cautious",
)


def test_a_future_row_stays_quarantined_after_its_time_has_passed(tmp_path: Path) -> None:
    """The staging models are views over the raw files: `future_timestamp` is judged
    against the start of the run that took the file in, not against the clock of each
    read, so a row does not drift into the valid requests as time passes.

    The run's clock is injected (var run_started_at): the first run starts at noon
    yesterday, so the row 20 s after that start is in the future for the run and in the
    past for every read and for the second run, which uses the real clock."""
    raw = tmp_path / "raw"
    today = datetime.datetime.now(datetime.UTC).date()
    noon = datetime.time(12, tzinfo=datetime.UTC)
    run_started = datetime.datetime.combine(today - datetime.timedelta(days=1), noon)
    soon = run_started + datetime.timedelta(seconds=20)
    rows = [
        _row("now", 0, occurred_at=run_started - datetime.timedelta(seconds=5)),
        _row("soon", 0, occurred_at=soon),
    ]
    _write(raw, "raw_registry_requests", run_started.date().isoformat(), rows)
    database = tmp_path / "warehouse.duckdb"
    clock = f"{{run_started_at: '{run_started.replace(tzinfo=None).isoformat(sep=' ')}'}}"
    dbt_build(raw, database, *STAGING_ONLY, "--vars", clock)
    # read after the row's time has passed: the same views, and a new run over the same files
    assert soon < datetime.datetime.now(datetime.UTC)
    assert _quarantine_reasons(database) == {"soon": "future_timestamp"}
    dbt_build(raw, database, *STAGING_ONLY)
    assert _quarantine_reasons(database) == {"soon": "future_timestamp"}
    valid = database_rows(database, "select event_id from staging.stg_registry__requests")
    assert valid == [("now",)]


def test_missing_scan_tables_build_empty_security_models(edge_warehouse: Path) -> None:
    counts = {
        relation: database_rows(edge_warehouse, f"select count(*) from {relation}")[0][0]
        for relation in (
            "staging.stg_registry__image_scans",
            "staging.stg_registry__image_vulnerabilities",
            "marts.rpt_vulnerabilities_by_tag where is_scanned",
            "marts.rpt_vulnerability_details",
            "marts.rpt_vulnerable_pulls",
        )
    }
    history = database_rows(
        edge_warehouse, "select count(*) from intermediate.int_tag_digest_history"
    )
    unscanned_tags = database_rows(
        edge_warehouse, "select count(*) from marts.rpt_vulnerabilities_by_tag where not is_scanned"
    )
    assert set(counts.values()) == {0}, counts
    # the tag history comes from the requests alone; its tags show as not scanned
    assert history[0][0] > 0
    assert unscanned_tags[0][0] > 0
