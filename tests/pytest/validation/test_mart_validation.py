"""The Great Expectations suite over the built marts (`registry_insights.mart_validation`).

The built test warehouse must pass. Each other test breaks a copy of it in one known way
and checks that exactly the expectations of that rule fail; the built warehouse itself is
only read.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from support.warehouse_build import BuiltWarehouse

from registry_insights.gx_context import ephemeral_context
from registry_insights.mart_validation import MartValidationReport, main, validate_marts
from registry_insights.mart_validation.checks import COUNTRY_CODES, MARTS, Volume, mart_frames
from registry_insights.mart_validation.validate import _validate_frame

IN_SET = "expect_column_values_to_be_in_set"
BETWEEN = "expect_column_values_to_be_between"
PAIR_EQUAL = "expect_column_pair_values_to_be_equal"
PAIR_GREATER = "expect_column_pair_values_a_to_be_greater_than_b"
SUM_BETWEEN = "expect_column_sum_to_be_between"
ROW_COUNT = "expect_table_row_count_to_be_between"

FCT = "fct_pull_actions"
SUMMARY = "rpt_summary"
TRENDS = "rpt_trends"
TRACKED = "rpt_tracked_companies"
TECHNO = "rpt_technographic"
TECHNO_COMPANIES = "rpt_technographic_companies"


def _first(table: str, where: str = "true") -> str:
    """A predicate selecting one row of ``marts.table`` matching ``where``."""
    return f"rowid = (SELECT min(rowid) FROM marts.{table} WHERE {where})"


WEEKLY = "date_granularity = 'weekly'"
MONTHLY = "date_granularity = 'monthly'"
MONTHLY_REPOSITORY = f"{MONTHLY} AND level = 'repository'"
MANIFESTS_OK = "object_type = 'manifest' AND is_successful"

Failure = tuple[str, str, str]

#: name: (statements, each changing at least one row; the (table, check, expectation) that fail)
TAMPERINGS: dict[str, tuple[list[str], set[Failure]]] = {
    "percentages": (
        [
            f"UPDATE marts.{TECHNO} SET pct_users = 120 WHERE {_first(TECHNO)}",
            f"UPDATE marts.{TECHNO} SET pct_domains = -1 WHERE {_first(TECHNO)}",
        ],
        {
            (TECHNO, "pct_users_in_range", BETWEEN),
            (TECHNO, "pct_domains_in_range", BETWEEN),
        },
    ),
    "parts_above_totals": (
        [
            f"UPDATE marts.{TECHNO} SET users = total_pullers + 1 WHERE {_first(TECHNO)}",
            f"UPDATE marts.{TECHNO} SET domains = total_domains + 1 WHERE {_first(TECHNO)}",
        ],
        {
            (TECHNO, "users_at_most_total_pullers", PAIR_GREATER),
            (TECHNO, "domains_at_most_total_domains", PAIR_GREATER),
        },
    ),
    "users_below_threshold": (
        [f"UPDATE marts.{TECHNO} SET users = 9 WHERE {_first(TECHNO)}"],
        {(TECHNO, "users_meet_threshold", BETWEEN)},
    ),
    "totals_off_by_one": (
        [
            f"UPDATE marts.{TRENDS} SET pulls = pulls + 1 WHERE {_first(TRENDS)}",
            f"UPDATE marts.{TRACKED} SET pulls = pulls - 1 WHERE {_first(TRACKED)}",
            f"UPDATE marts.{SUMMARY} SET event_count = event_count + 1 "
            f"WHERE {_first(SUMMARY, WEEKLY)}",
        ],
        {
            (TRENDS, "pulls_is_downloads_plus_checks", PAIR_EQUAL),
            (TRACKED, "pulls_is_downloads_plus_checks", PAIR_EQUAL),
            (SUMMARY, "event_count_is_downloads_plus_checks", PAIR_EQUAL),
        },
    ),
    "null_total": (
        # Both sides null: a pair expectation skips such rows unless told not to.
        [f"UPDATE marts.{TRENDS} SET pulls = NULL, data_downloads = NULL WHERE {_first(TRENDS)}"],
        {(TRENDS, "pulls_is_downloads_plus_checks", PAIR_EQUAL)},
    ),
    "invalid_countries": (
        [
            f"UPDATE marts.{FCT} SET ip_country = 'ZZ' WHERE {_first(FCT)}",
            f"UPDATE marts.{TRENDS} SET ip_country = 'usa' WHERE {_first(TRENDS)}",
            f"UPDATE marts.{TRACKED} SET ip_country = 'Us' WHERE {_first(TRACKED)}",
        ],
        {
            (FCT, "valid_country", IN_SET),
            (TRENDS, "valid_country", IN_SET),
            (TRACKED, "valid_country", IN_SET),
        },
    ),
    "null_countries_allowed": (
        [
            f"UPDATE marts.{FCT} SET ip_country = NULL WHERE {_first(FCT)}",
            f"UPDATE marts.{TRENDS} SET ip_country = NULL WHERE {_first(TRENDS)}",
            f"UPDATE marts.{TRACKED} SET ip_country = NULL WHERE {_first(TRACKED)}",
        ],
        set(),
    ),
    "unknown_values": (
        [
            f"UPDATE marts.{FCT} SET action = 'pull_by_name' WHERE {_first(FCT)}",
            f"UPDATE marts.{FCT} SET inferred_use_case = 'Staging' WHERE {_first(FCT)}",
            f"UPDATE marts.{TRACKED} SET inferred_use_case = 'Staging' WHERE {_first(TRACKED)}",
            f"UPDATE marts.{SUMMARY} SET level = 'namespace' WHERE {_first(SUMMARY, WEEKLY)}",
            f"UPDATE marts.{TECHNO_COMPANIES} SET date_granularity = 'daily' "
            f"WHERE {_first(TECHNO_COMPANIES)}",
        ],
        {
            (FCT, "known_action", IN_SET),
            (FCT, "known_use_case", IN_SET),
            (TRACKED, "known_use_case", IN_SET),
            (SUMMARY, "known_level", IN_SET),
            (TECHNO_COMPANIES, "known_granularity", IN_SET),
        },
    ),
    "null_use_case": (
        [f"UPDATE marts.{TRACKED} SET inferred_use_case = NULL WHERE {_first(TRACKED)}"],
        {(TRACKED, "use_case_present", "expect_column_values_to_not_be_null")},
    ),
    "period_starts": (
        [
            f"UPDATE marts.{SUMMARY} SET date_reference = date_reference + 1 "
            f"WHERE {_first(SUMMARY, WEEKLY)}",
            f"UPDATE marts.{TRENDS} SET date_reference = date_reference + 14 "
            f"WHERE {_first(TRENDS, MONTHLY)}",
        ],
        {
            (SUMMARY, "weekly_starts_monday", IN_SET),
            (TRENDS, "monthly_starts_first", IN_SET),
        },
    ),
    "actions_lost": (
        [f"DELETE FROM marts.{FCT} WHERE rowid < 10"],
        {
            (FCT, "requests_all_in_actions", SUM_BETWEEN),
            (SUMMARY, "monthly_events_within_actions", SUM_BETWEEN),
        },
    ),
    "more_actions_than_requests": (
        # staging is a view over the raw files: replace it by a table keeping only 100 of
        # the successful manifest requests
        [
            "CREATE TABLE staging.requests_kept AS "
            f"(SELECT * FROM staging.stg_registry__requests WHERE NOT ({MANIFESTS_OK})) "
            f"UNION ALL (SELECT * FROM staging.stg_registry__requests WHERE {MANIFESTS_OK} "
            "LIMIT 100)",
            "DROP VIEW staging.stg_registry__requests",
            "ALTER TABLE staging.requests_kept RENAME TO stg_registry__requests",
        ],
        {
            (FCT, "actions_within_requests", ROW_COUNT),
            (FCT, "requests_all_in_actions", SUM_BETWEEN),
        },
    ),
    "no_actions": (
        [f"DELETE FROM marts.{FCT}"],
        {
            (FCT, "actions_within_requests", ROW_COUNT),
            (FCT, "requests_all_in_actions", SUM_BETWEEN),
            (SUMMARY, "monthly_events_within_actions", SUM_BETWEEN),
        },
    ),
    "summary_above_actions": (
        [
            f"UPDATE marts.{SUMMARY} SET event_count = event_count + 1, "
            f"data_downloads = data_downloads + 1 WHERE {_first(SUMMARY, MONTHLY_REPOSITORY)}"
        ],
        {(SUMMARY, "monthly_events_within_actions", SUM_BETWEEN)},
    ),
    "no_users": (
        [
            f"UPDATE marts.{TRENDS} SET unique_authenticated_users = 0, "
            f"unique_unauthenticated_users = NULL WHERE {_first(TRENDS)}"
        ],
        {(TRENDS, "has_users", BETWEEN)},
    ),
}


def _copy(source: Path, tmp_path: Path) -> Path:
    copy = tmp_path / source.name  # DuckDB names the catalog after the file
    shutil.copyfile(source, copy)
    return copy


def _tampered(source: Path, tmp_path: Path, statements: list[str]) -> Path:
    copy = _copy(source, tmp_path)
    with duckdb.connect(str(copy)) as con:
        for statement in statements:
            row = con.execute(statement).fetchone()
            if statement.split()[0].upper() in {"DROP", "ALTER"}:
                continue  # schema changes report no row count
            assert row is not None and row[0] >= 1, f"changed no row: {statement}"
    return copy


def _failures(report: MartValidationReport) -> set[Failure]:
    return {(result.table, result.check, result.expectation) for result in report.failed}


@pytest.fixture(scope="module")
def built_report(built_warehouse: BuiltWarehouse) -> MartValidationReport:
    return validate_marts(built_warehouse.database)


def test_built_warehouse_meets_every_expectation(built_report: MartValidationReport) -> None:
    assert _failures(built_report) == set(), built_report.to_text()
    assert built_report.ok
    # Every planned expectation ran, on marts that are not empty (no vacuous pass).
    planned = mart_frames(Volume(1, 1))
    assert len(built_report.results) == sum(len(frame.checks) for frame in planned)
    assert all(result.error is None for result in built_report.results)
    assert set(built_report.rows) == set(MARTS)
    assert all(count > 0 for count in built_report.rows.values())
    assert built_report.volume.successful_manifest_requests >= built_report.rows[FCT] > 0
    sums = built_report.result(FCT, "requests_all_in_actions")
    assert sums.observed == f"{built_report.volume.successful_manifest_requests:,}"
    total = len(built_report.results)
    assert built_report.to_text().endswith(f"RESULT: OK, all {total} expectations met")


def test_main_exits_0_on_the_built_warehouse(
    built_warehouse: BuiltWarehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(built_warehouse.database) == 0
    assert "RESULT: OK" in capsys.readouterr().out


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_tampered_mart_fails_the_named_expectations(
    built_warehouse: BuiltWarehouse, tmp_path: Path, name: str
) -> None:
    statements, expected = TAMPERINGS[name]
    report = validate_marts(_tampered(built_warehouse.database, tmp_path, statements))
    assert _failures(report) == expected, report.to_text()
    assert report.ok == (not expected)
    assert all(result.error is None for result in report.results)


def test_failures_show_the_offending_values_and_exit_1(
    built_warehouse: BuiltWarehouse, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    statements, _ = TAMPERINGS["invalid_countries"]
    database = _tampered(built_warehouse.database, tmp_path, statements)
    assert main(database) == 1
    out = capsys.readouterr().out
    assert "FAIL  valid_country" in out
    assert "'ZZ'" in out and "'usa'" in out and "'Us'" in out
    assert "RESULT: FAILED, 3 of" in out


def test_reference_countries_are_all_accepted(built_warehouse: BuiltWarehouse) -> None:
    with duckdb.connect(str(built_warehouse.database), read_only=True) as con:
        codes = {
            code
            for (code,) in con.execute(
                "SELECT DISTINCT country_code FROM staging.stg_reference__ip_country_ranges "
                "WHERE country_code IS NOT NULL"
            ).fetchall()
        }
    assert len(codes) > 200
    assert codes <= COUNTRY_CODES
    assert {"ZZ", "usa", "Us", "UK", "EU"}.isdisjoint(COUNTRY_CODES)


def test_missing_database_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(tmp_path / "absent.duckdb") == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (f"DROP TABLE marts.{TRENDS}", f"lacks mart(s) {TRENDS}"),
        (f"ALTER TABLE marts.{TECHNO} DROP COLUMN pct_users", "pct_users"),
        ("DROP VIEW staging.stg_registry__requests", "stg_registry__requests"),
    ],
)
def test_unusable_warehouse_exits_2(
    built_warehouse: BuiltWarehouse,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    statement: str,
    message: str,
) -> None:
    database = _copy(built_warehouse.database, tmp_path)
    with duckdb.connect(str(database)) as con:
        con.execute(statement)
    assert main(database) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


def test_a_file_that_is_not_a_database_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "warehouse.duckdb"
    database.write_text("not a database\n")
    assert main(database) == 2
    assert "cannot open" in capsys.readouterr().err


def test_bounds_no_value_can_meet_fail_with_a_message() -> None:
    """With no successful manifest request in staging, "1 to 0 actions" is a failed check
    that says why, not a crash while Great Expectations builds it."""
    frame = next(
        frame
        for frame in mart_frames(Volume(successful_manifest_requests=0, fct_actions=0))
        if frame.table == "fct_pull_actions"
    )
    data = pd.DataFrame({column: [] for column in frame.columns})
    results = {result.check: result for result in _validate_frame(ephemeral_context(), frame, data)}
    bounds = results["actions_within_requests"]
    assert not bounds.success
    assert bounds.error == "no value can pass: the minimum 1 is above the maximum 0"
    assert results["known_action"].error is None
