"""Trends, Tracked companies, Technographic and Technographic companies, recomputed in
plain Python from the fact table and compared with the marts row for row."""

from __future__ import annotations

import csv
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest
from support.mart_rows import keyed_rows, rows_as
from support.report_periods import TODAY, complete_periods, group_by_period
from support.warehouse_build import PROJECT_DIR, BuiltWarehouse

from registry_insights.publishing.catalog import REPORTS
from registry_insights.publishing.export import export_warehouse

MIN_USERS = 10


def _percent(part: int, whole: int) -> Decimal:
    """100 * part / whole, rounded half away from zero to two decimals (as documented)."""
    if whole == 0:
        return Decimal("0.00")
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Fact:
    week: datetime.date
    month: datetime.date
    owner: str
    program: str | None
    publisher_id: str | None
    namespace: str
    repository: str
    country: str | None
    csp: str
    tool: str
    use_case: str
    tag: str | None
    company_domain: str | None
    is_download: bool
    is_check: bool
    account_hash: str | None
    ip_hash: str

    @property
    def user_key(self) -> str:
        return f"account:{self.account_hash}" if self.account_hash else f"ip:{self.ip_hash}"


@pytest.fixture(scope="module")
def facts(warehouse: duckdb.DuckDBPyConnection) -> list[Fact]:
    return rows_as(
        Fact,
        warehouse,
        "select action_week_start_date, action_month_start_date, "
        # the owner recomputed from the publisher (the rule of macro namespace_owner)
        "coalesce(publisher_name, namespace), publisher_program, publisher_id, namespace, "
        "repository, ip_country, cloud_service_provider, user_agent_tool, inferred_use_case, "
        "tag, company_domain, is_data_download, is_version_check, account_id_hash, "
        "client_ip_hash from marts.fct_pull_actions",
    )


def _pull_counts(group: list[Fact]) -> tuple[int, int, int, int]:
    """Data downloads, version checks, pulls and unique authenticated users."""
    return (
        sum(f.is_download for f in group),
        sum(f.is_check for f in group),
        len(group),
        len({f.account_hash for f in group if f.account_hash}),
    )


def test_trends_equal_python_recount(
    warehouse: duckdb.DuckDBPyConnection, facts: list[Fact]
) -> None:
    groups = group_by_period(
        facts, lambda f: (f.owner, f.repository, f.country, f.csp, f.tool, f.tag)
    )
    expected = {
        key: (*_pull_counts(group), len({f.ip_hash for f in group if not f.account_hash}))
        for key, group in groups.items()
    }
    actual = keyed_rows(
        warehouse,
        "select date_granularity, date_reference, owner, repository, "
        "ip_country, cloud_service_provider, user_agent_tool, tag, data_downloads, version_checks, "
        "pulls, unique_authenticated_users, unique_unauthenticated_users from marts.rpt_trends",
        8,
    )
    assert len(actual) > 1_000
    assert actual == expected


def _pullers(facts: list[Fact]) -> dict[tuple[str, datetime.date], dict[str, set[str]]]:
    """(granularity, period) -> image -> users."""
    pullers: dict[tuple[str, datetime.date], dict[str, set[str]]] = defaultdict(
        lambda: defaultdict(set)
    )
    for fact in facts:
        for period in complete_periods(fact, TODAY):
            pullers[period][fact.repository].add(fact.user_key)
    return pullers


def _company_images(facts: list[Fact]) -> dict[tuple[str, datetime.date], dict[str, set[str]]]:
    """(granularity, period) -> image -> company domains."""
    companies: dict[tuple[str, datetime.date], dict[str, set[str]]] = defaultdict(
        lambda: defaultdict(set)
    )
    for fact in facts:
        if fact.company_domain:
            for period in complete_periods(fact, TODAY):
                companies[period][fact.repository].add(fact.company_domain)
    return companies


def test_technographic_equals_python_pairing(
    warehouse: duckdb.DuckDBPyConnection, facts: list[Fact]
) -> None:
    dvp_images = {f.repository for f in facts if f.program == "DVP"}
    pullers = _pullers(facts)
    companies = _company_images(facts)
    expected = {}
    for (granularity, start), images in pullers.items():
        for dvp in sorted(dvp_images & images.keys()):
            for other, users in images.items():
                both = len(images[dvp] & users) if other != dvp else 0
                if both < MIN_USERS:
                    continue
                dvp_domains = companies[(granularity, start)].get(dvp, set())
                other_domains = companies[(granularity, start)].get(other, set())
                domains = len(dvp_domains & other_domains)
                total_domains = len(dvp_domains)
                expected[(granularity, start, dvp, other)] = (
                    both,
                    len(images[dvp]),
                    _percent(both, len(images[dvp])),
                    domains,
                    total_domains,
                    _percent(domains, total_domains),
                )
    actual = keyed_rows(
        warehouse,
        "select date_granularity, date_reference, dvpp_image, paired_image, users, "
        "total_pullers, pct_users, domains, total_domains, pct_domains "
        "from marts.rpt_technographic",
        4,
    )
    assert len(actual) > 100
    assert min(value[0] for value in actual.values()) >= MIN_USERS
    assert actual.keys() == expected.keys()
    assert actual == expected


def test_technographic_companies_are_companies_of_qualified_pairings(
    warehouse: duckdb.DuckDBPyConnection, facts: list[Fact]
) -> None:
    companies = _company_images(facts)
    qualified = set(
        warehouse.sql(
            "select date_granularity, date_reference, dvpp_image, paired_image "
            "from marts.rpt_technographic"
        ).fetchall()
    )
    expected = {
        (granularity, start, domain, dvp, other)
        for granularity, start, dvp, other in qualified
        for domain in companies[(granularity, start)].get(dvp, set())
        & companies[(granularity, start)].get(other, set())
    }
    actual = set(
        warehouse.sql(
            "select date_granularity, date_reference, company_domain, dvpp_image, paired_image "
            "from marts.rpt_technographic_companies"
        ).fetchall()
    )
    assert len(actual) > 100
    assert actual == expected


def test_tracked_companies_equal_python_recount(
    warehouse: duckdb.DuckDBPyConnection, facts: list[Fact]
) -> None:
    with (PROJECT_DIR / "seeds" / "tracked_companies.csv").open() as handle:
        tracked = {(row["namespace"], row["domain"]) for row in csv.DictReader(handle)}
    groups = group_by_period(
        [fact for fact in facts if (fact.namespace, fact.company_domain) in tracked],
        lambda f: (f.owner, f.company_domain, f.country, f.csp, f.tool, f.use_case, f.repository),
    )
    expected = {key: _pull_counts(group) for key, group in groups.items()}
    actual = keyed_rows(
        warehouse,
        "select date_granularity, date_reference, owner, company_domain, ip_country, "
        "cloud_service_provider, user_agent_tool, inferred_use_case, repository, "
        "data_downloads, version_checks, pulls, unique_authenticated_users "
        "from marts.rpt_tracked_companies",
        9,
    )
    assert len(actual) > 10
    assert actual == expected


def test_cloud_pulls_dominate_prod_and_no_personal_domain_is_a_company(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    prod = warehouse.sql(
        "select avg(case when cloud_service_provider <> 'no csp' then 1.0 else 0 end) "
        "from marts.fct_pull_actions where inferred_use_case = 'Prod'"
    ).fetchone()
    assert prod is not None and prod[0] > 0.5
    leaks = warehouse.sql(
        "select count(*) from marts.fct_pull_actions where company_domain in "
        "('gmail.com', 'outlook.com', 'mailinator.com', 'mit.edu', 'ox.ac.uk')"
    ).fetchone()
    assert leaks == (0,)


@pytest.mark.parametrize("report", ["trends", "technographic", "technographic-companies",
                                    "tracked-companies"])  # fmt: skip
def test_report_csvs_carry_the_published_columns(
    built_warehouse: BuiltWarehouse, tmp_path: Path, report: str
) -> None:
    exported = export_warehouse(built_warehouse.database, tmp_path, [report], []).reports
    assert exported
    for item in exported:
        with item.path.open(newline="") as handle:
            lines = list(csv.reader(handle))
        assert lines[0] == REPORTS[report].header
        assert len(lines) == item.rows + 1
    if report == "trends":
        tags = [line[8] for item in exported for line in csv.reader(item.path.open())][1:]
        assert r"\N" in tags
