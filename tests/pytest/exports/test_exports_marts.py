"""The five pull export marts, recomputed in plain Python from the fact table and
compared with the marts row for row."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pytest
from support.mart_rows import keyed_rows, rows_as
from support.report_periods import TODAY, complete_periods, group_by_period


@dataclass(frozen=True)
class Action:
    action_id: str
    action: str
    action_at: datetime.datetime
    action_date: datetime.date
    week: datetime.date
    month: datetime.date
    namespace: str
    repository_name: str
    reference_kind: str
    tag: str | None
    digest: str | None
    http_method: str
    country: str | None
    csp: str
    ip_type: str | None
    ip_domain: str | None
    tool: str
    version: str | None
    publisher_name: str | None
    ip_hash: str

    @property
    def owner(self) -> str:
        return self.publisher_name or self.namespace

    @property
    def reference(self) -> str | None:
        return self.tag if self.reference_kind == "tag" else self.digest


@pytest.fixture(scope="module")
def actions(warehouse: duckdb.DuckDBPyConnection) -> list[Action]:
    return rows_as(
        Action,
        warehouse,
        "select action_id, action, action_at, action_date, action_week_start_date, "
        "action_month_start_date, namespace, repository_name, reference_kind, tag, digest, "
        "http_method, ip_country, cloud_service_provider, ip_type, ip_domain, user_agent_tool, "
        "user_agent_version, publisher_name, client_ip_hash from marts.fct_pull_actions",
    )


def test_raw_export_is_every_action_in_each_complete_period(
    warehouse: duckdb.DuckDBPyConnection, actions: list[Action]
) -> None:
    expected = {
        (granularity, start, a.action_id): (
            a.action,
            a.action_date,
            a.country,
            a.digest,
            a.http_method,
            a.csp,
            a.namespace,
            a.reference,
            a.repository_name,
            a.tag,
            a.action_at,
            a.ip_type,
            a.tool,
            a.version,
            a.ip_domain,
            a.owner,
        )
        for a in actions
        for granularity, start in complete_periods(a, TODAY)
    }
    actual = keyed_rows(
        warehouse,
        "select date_granularity, date_reference, action_id, action, action_date, ip_country, "
        "digest, http_method, cloud_service_provider, namespace, reference, repository_name, "
        "tag, action_at, ip_type, user_agent_tool, user_agent_version, ip_domain, owner "
        "from marts.exp_pulls_raw",
        3,
    )
    assert len(actual) > 100_000
    assert actual == expected


def test_raw_domain_is_the_company_for_business_ips_else_the_provider(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    by_type = dict(
        warehouse.sql(
            "select ip_type, count(distinct ip_domain) from marts.exp_pulls_raw group by 1"
        ).fetchall()
    )
    assert by_type["business"] > 0 and by_type["isp"] > 0 and by_type["hosting"] > 0
    providers = warehouse.sql(
        "select distinct ip_domain from marts.exp_pulls_raw where cloud_service_provider = 'aws'"
    ).fetchall()
    assert providers == [("amazon.com",)]


SUMMARIES: dict[str, Callable[[Action], tuple[object, ...]]] = {
    "exp_pulls_summary": lambda a: (a.namespace, a.repository_name, a.reference),
    "exp_pulls_repo_summary": lambda a: (a.namespace, a.repository_name),
    "exp_pulls_namespace_summary": lambda a: (a.namespace,),
    "exp_pulls_geo_repo_summary": lambda a: (a.namespace, a.repository_name, a.country),
}
KEY_COLUMNS = {
    "exp_pulls_summary": "namespace, repository_name, reference",
    "exp_pulls_repo_summary": "namespace, repository_name",
    "exp_pulls_namespace_summary": "namespace",
    "exp_pulls_geo_repo_summary": "namespace, repository_name, ip_country",
}


@pytest.mark.parametrize("mart", list(SUMMARIES))
def test_summary_exports_equal_python_recount(
    warehouse: duckdb.DuckDBPyConnection, actions: list[Action], mart: str
) -> None:
    groups = group_by_period(actions, SUMMARIES[mart])
    expected = {
        key: (
            group[0].owner,
            len({a.ip_hash for a in group}),
            sum(a.action == "pull_by_tag" for a in group),
            sum(a.action == "pull_by_digest" for a in group),
            sum(a.action == "version_check" for a in group),
        )
        for key, group in groups.items()
    }
    actual = keyed_rows(
        warehouse,
        f"select date_granularity, date_reference, {KEY_COLUMNS[mart]}, owner, "
        f"unique_ip_addresses, pulls_by_tag, pulls_by_digest, version_checks from marts.{mart}",
        2 + len(KEY_COLUMNS[mart].split(",")),
    )
    assert len(actual) > 100
    assert actual == expected
