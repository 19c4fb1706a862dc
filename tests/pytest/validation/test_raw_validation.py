"""The producer-side raw-data validation (`registry_insights.raw_validation`).

Each test writes a tiny raw dataset with pyarrow, breaks it in one known way, and checks
that the report names the right expectation with the right count, and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.raw_schema import (
    RAW_ACCOUNTS_SCHEMA,
    RAW_EXTENSION_EVENTS_SCHEMA,
    RAW_REQUESTS_SCHEMA,
)

from registry_insights.raw_validation import RawValidationReport, validate_raw
from registry_insights.raw_validation.validate import (
    FUTURE_CHECK,
    PARTITION_CHECK,
    ExpectationResult,
    TableReport,
    main,
)

REQUESTS = "raw_registry_requests"
ACCOUNTS = "raw_accounts"
EXTENSIONS = "raw_extension_events"

NOT_NULL = "expect_column_values_to_not_be_null"
IN_SET = "expect_column_values_to_be_in_set"
REGEX = "expect_column_values_to_match_regex"
NOT_REGEX = "expect_column_values_to_not_match_regex"
BETWEEN = "expect_column_values_to_be_between"
UNIQUE = "expect_column_values_to_be_unique"
PARTITION_RULE = "UTC day = its date= folder's day"

DAY_1 = dt.date(2026, 6, 1)
DAY_2 = dt.date(2026, 6, 2)
DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "0123456789abcdef" * 4

REQUESTS_SCHEMA = RAW_REQUESTS_SCHEMA
ACCOUNTS_SCHEMA = RAW_ACCOUNTS_SCHEMA
EXTENSIONS_SCHEMA = RAW_EXTENSION_EVENTS_SCHEMA

Row = dict[str, Any]


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def request(event_id: str, occurred_at: dt.datetime, **changes: Any) -> Row:
    row: Row = {
        "event_id": event_id,
        "occurred_at": occurred_at,
        "http_method": "GET",
        "object_type": "manifest",
        "repository": "library/nginx",
        "reference": "1.27-alpine",
        "response_digest": DIGEST_A,
        "media_type": "application/vnd.oci.image.index.v1+json",
        "status_code": 200,
        "response_bytes": 1_234,
        "client_ip": "203.0.113.7",
        "user_agent": "docker/27.3.1 go/go1.22.7",
        "account_id": "acct-0001",
    }
    row.update(changes)
    return row


def day_1_requests() -> list[Row]:
    return [
        request("e-1", at(DAY_1, 8)),
        request("e-2", at(DAY_1, 8, 1), http_method="HEAD", response_bytes=0),
        request("e-3", at(DAY_1, 9), object_type="blob", reference=DIGEST_B),
        request(
            "e-4",
            at(DAY_1, 23, 59),
            repository="my-org/tools.cli/sub_dir",
            reference=DIGEST_A,
            response_digest=None,
            media_type=None,
            status_code=404,
            response_bytes=None,
            client_ip="2001:db8::1",
            user_agent=None,
            account_id=None,
        ),
    ]


def day_2_requests() -> list[Row]:
    return [
        request("e-5", at(DAY_2, 0)),
        request("e-6", at(DAY_2, 12), status_code=401, client_ip="fe80::1%eth0"),
    ]


def accounts() -> list[Row]:
    return [
        {"account_id": "acct-0001", "email_domain": "example.com"},
        {"account_id": "acct-0002", "email_domain": "mail.example.org"},
    ]


def extension_events() -> list[Row]:
    return [
        {
            "event_id": "x-1",
            "occurred_at": at(DAY_1, 10),
            "extension": "docker/logs-explorer",
            "event_type": "install",
            "account_id": "acct-0001",
            "client_ip": "198.51.100.4",
        },
        {
            "event_id": "x-2",
            "occurred_at": at(DAY_2, 11),
            "extension": "portainer/portainer-docker-extension",
            "event_type": "open",
            "account_id": None,
            "client_ip": "198.51.100.5",
        },
    ]


def write(
    raw: Path,
    table: str,
    folder: str,
    rows: Sequence[Row],
    schema: pa.Schema,
    name: str = "part-00000.parquet",
) -> Path:
    """Write ``rows`` to ``<raw>/<table>/<folder>/<name>`` (folder "" for the table root)."""
    directory = raw / table / folder if folder else raw / table
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    pq.write_table(pa.Table.from_pylist(list(rows), schema=schema), path)
    return path


def partition(day: dt.date) -> str:
    return f"date={day.isoformat()}"


def write_clean(
    raw: Path,
    day_1: Sequence[Row] | None = None,
    account_rows: Sequence[Row] | None = None,
    extension_rows: Sequence[Row] | None = None,
) -> Path:
    """A clean dataset of all three tables; the arguments replace one part of it."""
    write(raw, REQUESTS, partition(DAY_1), day_1 or day_1_requests(), REQUESTS_SCHEMA)
    write(raw, REQUESTS, partition(DAY_2), day_2_requests(), REQUESTS_SCHEMA)
    write(raw, ACCOUNTS, partition(DAY_1), account_rows or accounts(), ACCOUNTS_SCHEMA)
    write(
        raw,
        EXTENSIONS,
        partition(DAY_1),
        extension_rows or extension_events()[:1],
        EXTENSIONS_SCHEMA,
    )
    write(raw, EXTENSIONS, partition(DAY_2), extension_events()[1:], EXTENSIONS_SCHEMA)
    return raw


def failures(report: RawValidationReport) -> dict[tuple[str, str, str | None, str], int]:
    """(table, expectation, column, rule) -> failing rows, of every failed expectation."""
    return {
        (table.table, result.expectation, result.column, result.rule): result.unexpected_count
        for table in report.tables
        for result in table.failed
    }


def errors(report: RawValidationReport) -> list[str]:
    return [f"{t.table}: {finding.message}" for t in report.tables for finding in t.errors]


def only_result(table: TableReport, expectation: str, column: str) -> ExpectationResult:
    return table.result(expectation, column)


# --- a clean dataset ------------------------------------------------------------------------


def test_a_clean_dataset_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = write_clean(tmp_path / "raw")

    report = validate_raw(raw)

    assert failures(report) == {}
    assert errors(report) == []
    assert report.ok
    requests = report.table(REQUESTS)
    assert (requests.files, requests.rows, requests.rows_validated) == (2, 6, 6)
    assert (report.table(ACCOUNTS).rows, report.table(EXTENSIONS).rows) == (2, 2)
    checked = {(result.expectation, result.column) for result in requests.results}
    assert {
        (NOT_NULL, "event_id"),
        (IN_SET, "http_method"),
        (IN_SET, "object_type"),
        (REGEX, "repository"),
        (REGEX, "reference"),
        (REGEX, "response_digest"),
        (BETWEEN, "status_code"),
        (BETWEEN, "response_bytes"),
        (NOT_NULL, "client_ip"),
        (PARTITION_CHECK, "occurred_at"),
        (FUTURE_CHECK, "occurred_at"),
    } <= checked
    assert (UNIQUE, "account_id") in {
        (r.expectation, r.column) for r in report.table(ACCOUNTS).results
    }
    assert main(raw, 1_000) == 0
    assert "RESULT: OK" in capsys.readouterr().out


def test_great_expectations_is_quiet_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    raw = write_clean(tmp_path / "raw")
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    before = sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*"))

    assert main(raw, 1_000) == 0

    out, err = capfd.readouterr()
    assert err == ""  # no progress bars, no warnings
    assert out.startswith("Raw-data validation of")
    assert sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*")) == before


# --- defects, one at a time -------------------------------------------------------------------

BAD_REQUESTS: dict[str, tuple[dict[str, Any], str, str, str, str]] = {
    # name: (changes to one day-1 row, expectation, column, rule, example shown)
    "bad method": ({"http_method": "POST"}, IN_SET, "http_method", "in {GET, HEAD}", "'POST'"),
    "lower-case method": ({"http_method": "get"}, IN_SET, "http_method", "in {GET, HEAD}", "'get'"),
    "unknown object type": (
        {"object_type": "tag_list"},
        IN_SET,
        "object_type",
        "in {manifest, blob}",
        "'tag_list'",
    ),
    "repository without namespace": (
        {"repository": "nginx"},
        REGEX,
        "repository",
        "matches namespace/name",
        "'nginx'",
    ),
    "malformed digest": (
        {"reference": "sha256:abc123"},
        REGEX,
        "reference",
        "matches a tag or sha256:<64 hex>",
        "'sha256:abc123'",
    ),
    "tag with a trailing newline": (
        {"reference": "latest\n"},
        REGEX,
        "reference",
        "matches a tag or sha256:<64 hex>",
        "'latest\\n'",
    ),
    "blob by tag": (
        {"object_type": "blob", "reference": "latest"},
        REGEX,
        "reference",
        "matches sha256:<64 hex> where object_type = 'blob'",
        "'latest'",
    ),
    "malformed response digest": (
        {"response_digest": "sha256:" + "A" * 64},
        REGEX,
        "response_digest",
        "matches sha256:<64 hex>",
        "'sha256:" + "A" * 64 + "'",
    ),
    "status 42": ({"status_code": 42}, BETWEEN, "status_code", "100..599", "42"),
    "negative bytes": ({"response_bytes": -5}, BETWEEN, "response_bytes", ">= 0", "-5"),
}


@pytest.mark.parametrize("defect", sorted(BAD_REQUESTS))
def test_each_request_defect_is_reported_with_its_count(tmp_path: Path, defect: str) -> None:
    changes, expectation, column, rule, example = BAD_REQUESTS[defect]
    rows = day_1_requests()
    rows[0] = {**rows[0], **changes}
    rows.append({**rows[0], "event_id": "e-again"})  # the same defect twice
    raw = write_clean(tmp_path / "raw", day_1=rows)

    report = validate_raw(raw)

    assert failures(report) == {(REQUESTS, expectation, column, rule): 2}
    assert errors(report) == []
    assert not report.ok
    failed = report.table(REQUESTS).failed[0]
    assert failed.examples == (example,)
    assert failed.unexpected_percent > 0
    assert example in report.to_text()


@pytest.mark.parametrize("column", ["event_id", "occurred_at", "http_method", "status_code"])
def test_a_null_required_value_is_reported(tmp_path: Path, column: str) -> None:
    rows = day_1_requests()
    rows[1] = {**rows[1], column: None}
    raw = write_clean(tmp_path / "raw", day_1=rows)

    report = validate_raw(raw)

    assert failures(report) == {(REQUESTS, NOT_NULL, column, "not null"): 1}
    result = only_result(report.table(REQUESTS), NOT_NULL, column)
    assert result.unexpected_percent == pytest.approx(100 / 6)


def test_bad_email_domain_is_reported_without_the_local_part(tmp_path: Path) -> None:
    rows = [*accounts(), {"account_id": "acct-0003", "email_domain": "jane.doe@example.net"}]
    raw = write_clean(tmp_path / "raw", account_rows=rows)

    report = validate_raw(raw)

    assert failures(report) == {
        (ACCOUNTS, NOT_REGEX, "email_domain", "never contains '@' (a domain only)"): 1
    }
    assert only_result(report.table(ACCOUNTS), NOT_REGEX, "email_domain").examples == (
        "'…@example.net'",
    )
    text = report.to_text()
    assert "example.net" in text
    assert "jane.doe" not in text


def test_duplicate_account_ids_are_counted_but_never_shown(tmp_path: Path) -> None:
    rows = [
        *accounts(),
        {"account_id": "acct-secret-77", "email_domain": "a.example"},
        {"account_id": "acct-secret-77", "email_domain": "b.example"},
    ]
    raw = write_clean(tmp_path / "raw", account_rows=rows)

    report = validate_raw(raw)

    assert failures(report) == {(ACCOUNTS, UNIQUE, "account_id", "unique"): 2}
    result = only_result(report.table(ACCOUNTS), UNIQUE, "account_id")
    assert result.examples == ()
    assert result.personal
    assert "acct-secret-77" not in report.to_text()
    assert "(personal data: counts only)" in report.to_text()


def test_personal_values_never_appear_in_the_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = day_1_requests()
    rows[0] = {**rows[0], "client_ip": "secret-host.example", "account_id": "acct-secret-1"}
    rows[1] = {**rows[1], "client_ip": None, "account_id": "acct-secret-2"}
    events = extension_events()[:1]
    events[0] = {**events[0], "client_ip": None, "account_id": "acct-secret-3"}
    account_rows: list[Row] = [
        {"account_id": "acct-secret-4", "email_domain": "example.com"},
        {"account_id": "acct-secret-4", "email_domain": "example.org"},
        {"account_id": None, "email_domain": "example.net"},
    ]
    raw = write_clean(
        tmp_path / "raw", day_1=rows, account_rows=account_rows, extension_rows=events
    )

    report = validate_raw(raw)
    text = report.to_text()

    assert failures(report) == {
        (REQUESTS, REGEX, "client_ip", "matches IPv4/IPv6 text"): 1,
        (REQUESTS, NOT_NULL, "client_ip", "not null"): 1,
        (ACCOUNTS, NOT_NULL, "account_id", "not null"): 1,
        (ACCOUNTS, UNIQUE, "account_id", "unique"): 2,
        (EXTENSIONS, NOT_NULL, "client_ip", "not null"): 1,
    }
    for secret in ("secret-host", "acct-secret", "203.0.113.7", "2001:db8::1", "198.51.100"):
        assert secret not in text
    for table in report.tables:
        for result in table.results:
            if result.column in ("client_ip", "account_id"):
                assert result.examples == ()
    assert main(raw, 1_000) == 1
    printed = capsys.readouterr().out
    assert "(personal data: counts only)" in printed
    for secret in ("secret-host", "acct-secret"):
        assert secret not in printed


def test_bad_extension_event_type_is_reported(tmp_path: Path) -> None:
    events = extension_events()[:1]
    events[0] = {**events[0], "event_type": "delete", "extension": "Docker/Logs"}
    raw = write_clean(tmp_path / "raw", extension_rows=events)

    report = validate_raw(raw)

    assert failures(report) == {
        (EXTENSIONS, IN_SET, "event_type", "in {install, uninstall, update, open}"): 1,
        (EXTENSIONS, REGEX, "extension", "matches namespace/name"): 1,
    }


# --- layout ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "read_by_warehouse"),
    [
        ("", False),
        ("2026-06-01", True),
        ("date=2026-13-01", True),
        (f"{partition(DAY_1)}/x", False),
    ],
)
def test_a_file_outside_date_folders_is_a_layout_error(
    tmp_path: Path, folder: str, read_by_warehouse: bool
) -> None:
    raw = write_clean(tmp_path / "raw")
    write(
        raw, REQUESTS, folder, [request("e-stray", at(DAY_1, 7))], REQUESTS_SCHEMA, "stray.parquet"
    )

    report = validate_raw(raw)

    requests = report.table(REQUESTS)
    assert len(requests.errors) == 1
    finding = requests.errors[0]
    assert finding.kind == "layout"
    assert f"{folder}/stray.parquet".lstrip("/") in finding.message
    assert ("still reads them" in finding.message) is read_by_warehouse
    assert failures(report) == {}
    assert requests.rows == 7  # its rows are still checked
    assert not report.ok
    assert main(raw, 1_000) == 1


def test_other_files_and_unknown_folders_are_notes(tmp_path: Path) -> None:
    raw = write_clean(tmp_path / "raw")
    (raw / REQUESTS / partition(DAY_1) / "_SUCCESS").write_text("")
    (raw / "raw_something_else").mkdir()

    report = validate_raw(raw)

    assert report.ok
    assert any("_SUCCESS" in note.message for note in report.table(REQUESTS).notes)
    assert any("raw_something_else" in note for note in report.notes)


# --- schema ------------------------------------------------------------------------------------


def test_a_missing_column_is_a_schema_error(tmp_path: Path) -> None:
    raw = write_clean(tmp_path / "raw")
    schema = REQUESTS_SCHEMA.remove(REQUESTS_SCHEMA.get_field_index("status_code"))
    rows = [request("e-7", at(DAY_2, 13)), request("e-8", at(DAY_2, 14))]
    for row in rows:
        del row["status_code"]
    write(raw, REQUESTS, partition(DAY_2), rows, schema, "part-00001.parquet")

    report = validate_raw(raw)

    requests = report.table(REQUESTS)
    assert len(requests.errors) == 1
    assert requests.errors[0].kind == "schema"
    assert "missing contract column status_code" in requests.errors[0].message
    assert "in 1 of 3 file(s)" in requests.errors[0].message
    # union_by_name reads the column as null in that file, like the warehouse does
    assert failures(report) == {(REQUESTS, NOT_NULL, "status_code", "not null"): 2}
    assert not report.ok


def test_a_column_missing_everywhere_skips_its_expectations(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    schema = ACCOUNTS_SCHEMA.remove(ACCOUNTS_SCHEMA.get_field_index("email_domain"))
    write(raw, ACCOUNTS, partition(DAY_1), [{"account_id": "acct-1"}], schema)
    other = pa.schema([("something", pa.string())])
    write(raw, EXTENSIONS, partition(DAY_1), [{"something": "else"}], other)

    report = validate_raw(raw)

    table = report.table(ACCOUNTS)
    assert ["missing contract column email_domain" in e.message for e in table.errors] == [True]
    assert {result.column for result in table.results} == {"account_id"}
    events = report.table(EXTENSIONS)
    assert (events.rows, events.rows_validated, events.results) == (1, 0, [])
    assert len(events.errors) == len(extension_events()[0])  # every contract column is missing
    assert not report.ok


def test_extra_columns_are_a_note(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    schema = ACCOUNTS_SCHEMA.append(pa.field("plan", pa.string()))
    rows = [{**row, "plan": "pro"} for row in accounts()]
    write(raw, ACCOUNTS, partition(DAY_1), rows, schema)

    report = validate_raw(raw)

    assert report.ok
    assert [note.message for note in report.table(ACCOUNTS).notes] == [
        "extra columns, not in the contract (the warehouse ignores them): plan"
    ]


def test_a_wrong_column_type_is_a_schema_error(tmp_path: Path) -> None:
    raw = write_clean(tmp_path / "raw")
    schema = REQUESTS_SCHEMA.set(
        REQUESTS_SCHEMA.get_field_index("status_code"), pa.field("status_code", pa.string())
    )
    rows = [request("e-7", at(DAY_2, 13), status_code="OK")]
    write(raw, REQUESTS, partition(DAY_2), rows, schema, "part-00001.parquet")

    report = validate_raw(raw)

    messages = [finding.message for finding in report.table(REQUESTS).errors]
    assert len(messages) == 1
    assert "column status_code is string in 1 file(s), the contract says integer" in messages[0]
    assert not report.ok


def test_an_unreadable_file_is_an_error(tmp_path: Path) -> None:
    raw = write_clean(tmp_path / "raw")
    (raw / REQUESTS / partition(DAY_2) / "part-00001.parquet").write_bytes(b"not parquet")

    report = validate_raw(raw)

    assert ["not readable Parquet" in e.message for e in report.table(REQUESTS).errors] == [True]
    assert report.table(REQUESTS).rows == 6


# --- partitions and time -------------------------------------------------------------------------


def test_a_row_in_the_wrong_day_partition_is_reported(tmp_path: Path) -> None:
    rows = [*day_1_requests(), request("e-late", at(DAY_2, 0, 30))]
    raw = write_clean(tmp_path / "raw", day_1=rows)

    report = validate_raw(raw)

    assert failures(report) == {
        (
            REQUESTS,
            PARTITION_CHECK,
            "occurred_at",
            PARTITION_RULE,
        ): 1
    }
    result = only_result(report.table(REQUESTS), PARTITION_CHECK, "occurred_at")
    assert result.examples == ("e-late: 2026-06-02 00:30:00 UTC in date=2026-06-01",)
    assert result.scope == "all rows"


def test_the_partition_day_is_the_utc_day(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    new_york = pa.timestamp("us", tz="America/New_York")
    schema = EXTENSIONS_SCHEMA.set(1, pa.field("occurred_at", new_york))
    late_evening = dt.datetime(2026, 6, 1, 22, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    events = [
        {**extension_events()[0], "occurred_at": late_evening},  # 2026-06-02 02:00 UTC
        {**extension_events()[0], "event_id": "x-3", "occurred_at": at(DAY_1, 3)},
    ]
    write(raw, EXTENSIONS, partition(DAY_1), events, schema)

    report = validate_raw(raw)

    assert failures(report) == {
        (
            EXTENSIONS,
            PARTITION_CHECK,
            "occurred_at",
            PARTITION_RULE,
        ): 1
    }


def test_time_checks_survive_schema_errors(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    no_event_id = REQUESTS_SCHEMA.remove(REQUESTS_SCHEMA.get_field_index("event_id"))
    rows = [request("", at(DAY_1, 9)), request("", at(DAY_2, 9))]
    write(raw, REQUESTS, partition(DAY_1), rows, no_event_id)
    text_time = EXTENSIONS_SCHEMA.set(1, pa.field("occurred_at", pa.string()))
    events = [{**extension_events()[0], "occurred_at": "2026-06-01T10:00:00Z"}]
    write(raw, EXTENSIONS, partition(DAY_1), events, text_time)

    report = validate_raw(raw)

    requests = report.table(REQUESTS)
    partition_check = requests.result(PARTITION_CHECK, "occurred_at")
    assert partition_check.examples == ("2026-06-02 09:00:00 UTC in date=2026-06-01",)
    assert [e.message.split(" (")[0] for e in requests.errors] == [
        "missing contract column event_id"
    ]
    events_report = report.table(EXTENSIONS)
    assert [e.message for e in events_report.errors] == [
        "column occurred_at is string in 1 file(s), the contract says timestamp: "
        "date=2026-06-01/part-00000.parquet"
    ]
    assert [n.message for n in events_report.notes] == [
        "partition and future checks not run: occurred_at reads as VARCHAR, not a timestamp"
    ]
    assert {r.expectation for r in events_report.results}.isdisjoint(
        {PARTITION_CHECK, FUTURE_CHECK}
    )


def test_future_rows_are_counted(tmp_path: Path) -> None:
    raw = write_clean(tmp_path / "raw")
    future = dt.date(2099, 1, 1)
    write(
        raw, REQUESTS, partition(future), [request("e-future", at(future, 0, 5))], REQUESTS_SCHEMA
    )

    report = validate_raw(raw)

    assert failures(report) == {(REQUESTS, FUTURE_CHECK, "occurred_at", "not later than now"): 1}
    result = only_result(report.table(REQUESTS), FUTURE_CHECK, "occurred_at")
    assert result.examples == ("2099-01-01 00:05:00 UTC",)


def test_a_sample_is_validated_but_partitions_are_checked_on_all_rows(tmp_path: Path) -> None:
    rows = [request(f"e-{i}", at(DAY_1, i % 24, i % 60)) for i in range(60)]
    rows[37] = request("e-misplaced", at(DAY_2, 1))
    raw = write_clean(tmp_path / "raw", day_1=rows)

    first = validate_raw(raw, sample_rows=10)
    second = validate_raw(raw, sample_rows=10)

    requests = first.table(REQUESTS)
    assert (requests.rows, requests.rows_validated, requests.sampled) == (62, 10, True)
    assert only_result(requests, NOT_NULL, "event_id").unexpected_count == 0
    assert failures(first) == {
        (
            REQUESTS,
            PARTITION_CHECK,
            "occurred_at",
            PARTITION_RULE,
        ): 1
    }
    assert first.table(ACCOUNTS).sampled is False
    assert "reservoir sample of 10 rows" in first.to_text()
    assert first.to_text() == second.to_text()  # the same sample on every run


# --- absent tables and unusable input ----------------------------------------------------------


def test_absent_and_empty_tables_build_as_empty(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write(raw, REQUESTS, partition(DAY_1), day_1_requests(), REQUESTS_SCHEMA)
    (raw / EXTENSIONS).mkdir()  # an empty folder; raw_accounts is absent altogether

    report = validate_raw(raw)

    assert report.ok
    for name in (ACCOUNTS, EXTENSIONS):
        table = report.table(name)
        assert (table.empty, table.ok, table.results, table.findings) == (True, True, [], [])
        assert f"{name}: absent/empty: builds as empty" in report.to_text()
    assert main(raw, 1_000) == 0


def test_a_file_in_place_of_a_table_folder_is_a_layout_error(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write(raw, REQUESTS, partition(DAY_1), day_1_requests(), REQUESTS_SCHEMA)
    (raw / EXTENSIONS).write_text("oops")

    report = validate_raw(raw)

    assert [e.message for e in report.table(EXTENSIONS).errors] == [
        "raw_extension_events is a file, not a table folder"
    ]
    assert not report.ok


def test_a_table_of_zero_rows_builds_as_empty(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write(raw, ACCOUNTS, partition(DAY_1), [], ACCOUNTS_SCHEMA)

    report = validate_raw(raw)

    assert report.table(ACCOUNTS).empty
    assert report.table(ACCOUNTS).files == 1
    assert report.ok


@pytest.mark.parametrize(
    ("make_path", "sample_rows"),
    [
        (lambda tmp: tmp / "nowhere", 1_000),
        (lambda tmp: write(tmp, REQUESTS, "", [], REQUESTS_SCHEMA, "a-file.parquet"), 1_000),
        (lambda tmp: tmp, 0),
    ],
    ids=["missing folder", "a file, not a folder", "sample_rows 0"],
)
def test_unusable_input_exits_with_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make_path: Callable[[Path], Path],
    sample_rows: int,
) -> None:
    assert main(make_path(tmp_path), sample_rows) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error:")


def test_validate_raw_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        validate_raw(tmp_path / "nowhere")
