"""Each privacy test fails when the rule it guards is broken, and so does the count test.

The built test warehouse is copied, one leak is planted in the copy (a row, a column,
a value, or a rule switched off), and the privacy tests of the touched model are run
against it: the guarding test must fail, and only then is the rule known to hold. The
same is done for `counts_match_fact_table` with miscounts planted in the marts.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from support.privacy_leaks import Leak, assert_leak_caught
from support.warehouse_build import BuiltWarehouse, dbt_invoke, writable_copy


def _copy_row_with(table: str, assignments: str) -> Leak:
    def leak(connection: duckdb.DuckDBPyConnection) -> None:
        connection.execute(
            f"insert into {table} select * replace ({assignments}) from {table} limit 1"
        )

    return leak


LEAKS: dict[str, tuple[str, Leak, str]] = {
    "a pairing below ten users": (
        "rpt_technographic",
        _copy_row_with("marts.rpt_technographic", "'leak/never-co-pulled' as paired_image"),
        "pairings_meet_user_threshold",
    ),
    "a personal mail domain in technographic companies": (
        "rpt_technographic_companies",
        _copy_row_with("marts.rpt_technographic_companies", "'gmail.com' as company_domain"),
        "no_excluded_domains",
    ),
    "a university suffix in tracked companies": (
        "rpt_tracked_companies",
        _copy_row_with("marts.rpt_tracked_companies", "'physics.ox.ac.uk' as company_domain"),
        "no_excluded_domains",
    ),
    "a disposable domain in the fact table's company column": (
        "fct_pull_actions",
        lambda c: c.execute(
            "update marts.fct_pull_actions set company_domain = 'mailinator.com' "
            "where action_id = (select min(action_id) from marts.fct_pull_actions)"
        ),
        "no_excluded_domains",
    ),
    "an IP address column in a report": (
        "rpt_trends",
        lambda c: c.execute("alter table marts.rpt_trends add column client_ip varchar"),
        "no_personal_data_columns",
    ),
    "a raw client IP hidden in a text column": (
        "fct_pull_actions",
        lambda c: c.execute(
            "update marts.fct_pull_actions set user_agent = "
            "(select min(client_ip) from staging.stg_registry__requests) "
            "where action_id = (select min(action_id) from marts.fct_pull_actions)"
        ),
        "no_values_from",
    ),
    "an account id in a report's text column": (
        "rpt_trends",
        lambda c: c.execute(
            "update marts.rpt_trends set user_agent_tool = "
            "(select min(account_id) from staging.stg_registry__requests) "
            "where pulls = (select max(pulls) from marts.rpt_trends)"
        ),
        "no_values_from",
    ),
    "an email address in a report's text column": (
        "rpt_technographic_companies",
        _copy_row_with(
            "marts.rpt_technographic_companies", "'jane.doe@example.com' as company_domain"
        ),
        "no_email_addresses",
    ),
}


@pytest.mark.parametrize("case", list(LEAKS), ids=list(LEAKS))
def test_privacy_test_fails_on_a_planted_leak(
    built_warehouse: BuiltWarehouse, tmp_path: Path, case: str
) -> None:
    assert_leak_caught(built_warehouse, tmp_path, case, LEAKS[case])


def test_lowering_the_user_threshold_is_caught(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    copy = writable_copy(built_warehouse, tmp_path)
    result = dbt_invoke(
        "build",
        built_warehouse.raw_path,
        copy,
        "--select",
        "+rpt_technographic",
        "--exclude",
        "test_type:unit",
        "--vars",
        "{technographic_min_users: 2}",
    )
    assert "pairings_meet_user_threshold" in " ".join(result.failed_names)


def _update_one_row(table: str, assignments: str, among: str = "true") -> Leak:
    def miscount(connection: duckdb.DuckDBPyConnection) -> None:
        connection.execute(
            f"update {table} set {assignments} "
            f"where rowid = (select min(rowid) from {table} where {among})"
        )

    return miscount


def _delete_one_row(table: str) -> Leak:
    def miscount(connection: duckdb.DuckDBPyConnection) -> None:
        connection.execute(f"delete from {table} where rowid = (select max(rowid) from {table})")

    return miscount


COUNT_TEST = "counts_match_fact_table"
# Each leaves pulls = data_downloads + version_checks true: the test this one replaced
# (pulls_add_up) passed on all of them.
MISCOUNTS: dict[str, tuple[str, Leak, str]] = {
    "an extra download that still adds up, in trends": (
        "rpt_trends",
        _update_one_row(
            "marts.rpt_trends", "pulls = pulls + 1, data_downloads = data_downloads + 1"
        ),
        COUNT_TEST,
    ),
    "a lost trends row": ("rpt_trends", _delete_one_row("marts.rpt_trends"), COUNT_TEST),
    "a tracked company's pulls under another tool": (
        "rpt_tracked_companies",
        _update_one_row("marts.rpt_tracked_companies", "user_agent_tool = 'not-a-tool'"),
        COUNT_TEST,
    ),
    "a version check counted twice in the summary's repository level": (
        "rpt_summary",
        _update_one_row(
            "marts.rpt_summary",
            "event_count = event_count + 1, version_checks = version_checks + 1",
            "level = 'repository'",
        ),
        COUNT_TEST,
    ),
    "a digest pull counted as a tag pull in a pull export": (
        "exp_pulls_repo_summary",
        _update_one_row(
            "marts.exp_pulls_repo_summary",
            "pulls_by_tag = pulls_by_tag + 1, pulls_by_digest = pulls_by_digest - 1",
        ),
        COUNT_TEST,
    ),
    "an action missing from the raw export": (
        "exp_pulls_raw",
        _delete_one_row("marts.exp_pulls_raw"),
        COUNT_TEST,
    ),
}


@pytest.mark.parametrize("case", list(MISCOUNTS), ids=list(MISCOUNTS))
def test_count_test_fails_on_a_planted_miscount(
    built_warehouse: BuiltWarehouse, tmp_path: Path, case: str
) -> None:
    assert_leak_caught(built_warehouse, tmp_path, case, MISCOUNTS[case])
