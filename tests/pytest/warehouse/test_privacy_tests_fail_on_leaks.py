"""Each privacy test fails when the rule it guards is broken.

The built test warehouse is copied, one leak is planted in the copy (a row, a column,
a value, or a rule switched off), and the privacy tests of the touched model are run
against it: the guarding test must fail, and only then is the rule known to hold.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from support.privacy_leaks import Leak, assert_leak_caught
from support.warehouse_build import BuiltWarehouse, dbt_invoke


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
        _copy_row_with("marts.rpt_technographic_companies", "'gmail.com' as domain"),
        "no_excluded_domains",
    ),
    "a university suffix in tracked companies": (
        "rpt_tracked_companies",
        _copy_row_with("marts.rpt_tracked_companies", "'physics.ox.ac.uk' as domain"),
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
            "update marts.rpt_trends set user_agent = "
            "(select min(account_id) from staging.stg_registry__requests) "
            "where pulls = (select max(pulls) from marts.rpt_trends)"
        ),
        "no_values_from",
    ),
    "an email address in a report's text column": (
        "rpt_technographic_companies",
        _copy_row_with("marts.rpt_technographic_companies", "'jane.doe@example.com' as domain"),
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
    copy = tmp_path / built_warehouse.database.name
    shutil.copy(built_warehouse.database, copy)
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
