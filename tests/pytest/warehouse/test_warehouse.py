"""Whole-warehouse tests: the built test dataset against independent Python readings."""

from __future__ import annotations

import csv
import datetime
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import pytest
from support.mart_rows import keyed_rows
from support.raw_contract import as_manifest_request, read_raw_requests, split_by_contract
from support.warehouse_build import BuiltWarehouse

from registry_insights.publishing.catalog import REPORTS
from registry_insights.publishing.completeness import Completeness
from registry_insights.publishing.export import export_warehouse
from registry_insights.pull_actions import PullAction, classify


@pytest.fixture(scope="module")
def raw_rows(built_warehouse: BuiltWarehouse) -> list[dict[str, object]]:
    return read_raw_requests(built_warehouse.raw_path)


@pytest.fixture(scope="module")
def reference_actions(raw_rows: list[dict[str, object]]) -> list[PullAction]:
    reading = split_by_contract(raw_rows)
    return classify((as_manifest_request(row) for row in reading.valid), 60)


def test_dataset_is_large_enough_for_the_exactness_check(
    raw_rows: list[dict[str, object]],
) -> None:
    assert len(raw_rows) >= 200_000


def test_every_raw_row_is_valid_quarantined_or_a_redelivery(
    warehouse: duckdb.DuckDBPyConnection, raw_rows: list[dict[str, object]]
) -> None:
    reading = split_by_contract(raw_rows)
    valid = warehouse.sql("select count(*) from staging.stg_registry__requests").fetchone()
    quarantined = dict(
        warehouse.sql(
            "select quarantine_reason, count(*) from staging.stg_registry__requests_quarantined "
            "group by all"
        ).fetchall()
    )
    assert valid == (len(reading.valid),)
    assert quarantined == dict(reading.quarantined)
    assert reading.redelivered > 0 and sum(reading.quarantined.values()) > 0
    assert len(reading.valid) + sum(quarantined.values()) + reading.redelivered == len(raw_rows)


def test_classification_equals_reference_on_the_generated_dataset(
    warehouse: duckdb.DuckDBPyConnection, reference_actions: list[PullAction]
) -> None:
    expected = sorted(
        (a.action_id, a.action, a.request_count, a.digest, a.platform_digest, a.tag)
        for a in reference_actions
    )
    actual = sorted(
        warehouse.sql(
            "select action_id, action, request_count, digest, platform_digest, tag "
            "from marts.fct_pull_actions"
        ).fetchall()
    )
    assert len(expected) > 50_000
    assert {row[1] for row in expected} == {"version_check", "pull_by_tag", "pull_by_digest"}
    assert {row[2] for row in expected} == {1, 2, 3}
    assert actual == expected


def test_fact_table_has_every_action_and_no_identifiers(
    warehouse: duckdb.DuckDBPyConnection,
    raw_rows: list[dict[str, object]],
    reference_actions: list[PullAction],
) -> None:
    columns = [row[0] for row in warehouse.sql("describe marts.fct_pull_actions").fetchall()]
    assert "client_ip" not in columns and "account_id" not in columns
    identifiers = {
        str(value)
        for row in raw_rows
        for value in (row.get("client_ip"), row.get("account_id"))
        if value is not None
    }
    text_columns = [
        row[0]
        for row in warehouse.sql("describe marts.fct_pull_actions").fetchall()
        if row[1] == "VARCHAR"
    ]
    assert identifiers and text_columns
    for column in text_columns:
        values = {
            row[0]
            for row in warehouse.sql(
                f"select distinct {column} from marts.fct_pull_actions where {column} is not null"
            ).fetchall()
        }
        assert not values & identifiers, f"{column} carries raw identifiers"
    counts = warehouse.sql(
        "select count(*), count(distinct action_id) from marts.fct_pull_actions"
    ).fetchone()
    assert counts is not None
    assert counts[0] == counts[1] == len(reference_actions)


def _complete(period_start: datetime.date, granularity: str, as_of: datetime.date) -> bool:
    if granularity == "weekly":
        return period_start + datetime.timedelta(days=7) <= as_of
    year = period_start.year + (period_start.month == 12)
    month = period_start.month % 12 + 1
    return datetime.date(year, month, 1) <= as_of


def _expected_summary(
    actions: list[PullAction], as_of: datetime.date
) -> dict[tuple[str, datetime.date, str, str, str | None], tuple[int, int, int]]:
    totals: dict[tuple[str, datetime.date, str, str, str | None], Counter[str]] = defaultdict(
        Counter
    )
    for action in actions:
        day = action.start.occurred_at.date()
        periods = {
            "weekly": day - datetime.timedelta(days=day.weekday()),
            "monthly": day.replace(day=1),
        }
        repository = str(action.start.repository)
        by_tag = action.tag is not None
        levels = [
            ("repository", repository),
            ("tag", action.tag) if by_tag else ("digest", action.digest),
        ]
        for granularity, start in periods.items():
            if not _complete(start, granularity, as_of):
                continue
            for level, reference in levels:
                totals[(granularity, start, repository, level, reference)][action.action] += 1
    return {
        key: (
            counts["pull_by_tag"] + counts["pull_by_digest"],
            counts["version_check"],
            sum(counts.values()),
        )
        for key, counts in totals.items()
    }


def test_summary_report_equals_reference_counts(
    warehouse: duckdb.DuckDBPyConnection, reference_actions: list[PullAction]
) -> None:
    as_of = datetime.datetime.now(datetime.UTC).date()
    expected = _expected_summary(reference_actions, as_of)
    actual = keyed_rows(
        warehouse,
        "select date_granularity, date_reference, repository, level, reference, "
        "data_downloads, version_checks, event_count from marts.rpt_summary",
        5,
    )
    assert {key[0] for key in actual} == {"weekly", "monthly"}
    assert actual == expected


def test_summary_csv_files_have_the_published_header(
    built_warehouse: BuiltWarehouse, warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    exported = export_warehouse(built_warehouse.database, tmp_path, ["summary"], []).reports
    assert exported
    periods = warehouse.sql(
        "select date_granularity, date_reference, count(*) from marts.rpt_summary group by all"
    ).fetchall()
    completeness = Completeness.of(warehouse)
    published = [p for p in periods if completeness.published(p[0], p[1])]
    assert sorted((e.date_granularity, e.date_reference, e.rows) for e in exported) == sorted(
        published
    )
    # The test data ends early in a month: that month is built but held back, not exported.
    held_back = sorted(set(periods) - set(published))
    assert [(g, start) for g, start, _ in held_back] == [
        ("monthly", max(start for g, start, _ in periods if g == "monthly"))
    ]
    for item in exported:
        assert item.path.name == f"summary_{item.date_granularity}_{item.date_reference}.csv"
        with item.path.open(newline="") as handle:
            lines = list(csv.reader(handle))
        assert lines[0] == [
            "DATE_GRANULARITY",
            "DATE_REFERENCE",
            "PUBLISHER_NAME",
            "LEVEL",
            "REFERENCE",
            "DATA_DOWNLOADS",
            "VERSION_CHECKS",
            "EVENT_COUNT",
        ]
        assert lines[0] == REPORTS["summary"].header
        assert len(lines) == item.rows + 1
        assert all(line[0] == item.date_granularity for line in lines[1:])
        assert all(line[1] == item.date_reference.isoformat() for line in lines[1:])
