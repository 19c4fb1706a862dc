"""The catalog of published datasets: every report and export the warehouse publishes.

A published dataset is one mart published under one name, as a report (one CSV file per
period) or as a pull or extension export (a Data API "dataview": gzip-compressed CSV
parts). For each, the catalog gives the mart it reads, the mart columns it publishes with
their published headers, in order, the total order of its rows, its granularities and the
SQL expression giving a row's namespace (per-organization access). Mart columns are named
as in the rest of the warehouse (`user_agent_tool`, `repository_name`, `owner`, ...); the
published headers (`USER_AGENT`, `Repository`, `PUBLISHER_NAME`, ...) are applied here.

`registry-insights export`, the scheduled exports, the Data API, the dashboard and the dbt
exposures (`models/marts/_marts__exposures.yml`, checked by the docs tests) all read it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

#: A period of a published dataset: (date_granularity, date_reference), e.g. ("weekly", Monday).
Period = tuple[str, datetime.date]

GRANULARITIES = ("weekly", "monthly")


class Kind(StrEnum):
    """What a published dataset is. The export kinds' values are the Data API's dataset names."""

    REPORT = "report"
    #: A report also served by the Data API (registry_insights/api/routes/security.py).
    SECURITY_REPORT = "security-report"
    PULLS_EXPORT = "pulls"
    EXTENSIONS_EXPORT = "extensions"


class Interface(StrEnum):
    """Where published datasets reach their readers; each is a dbt exposure of that name."""

    INSIGHTS_DASHBOARD = "insights_dashboard"
    REPORT_CSV_EXPORTS = "report_csv_exports"
    PULL_AND_EXTENSION_EXPORTS = "pull_and_extension_exports"
    DATA_API = "data_api"


INTERFACES: dict[Kind, tuple[Interface, ...]] = {
    Kind.REPORT: (Interface.INSIGHTS_DASHBOARD, Interface.REPORT_CSV_EXPORTS),
    Kind.SECURITY_REPORT: (
        Interface.INSIGHTS_DASHBOARD,
        Interface.REPORT_CSV_EXPORTS,
        Interface.DATA_API,
    ),
    # The dashboard offers them for download; its Extensions page draws the extension ones.
    Kind.PULLS_EXPORT: (
        Interface.PULL_AND_EXTENSION_EXPORTS,
        Interface.DATA_API,
        Interface.INSIGHTS_DASHBOARD,
    ),
    Kind.EXTENSIONS_EXPORT: (
        Interface.PULL_AND_EXTENSION_EXPORTS,
        Interface.DATA_API,
        Interface.INSIGHTS_DASHBOARD,
    ),
}


@dataclass(frozen=True)
class PublishedDataset:
    """One published dataset: its mart, its published columns and how its rows are ordered."""

    name: str
    kind: Kind
    relation: str
    # (mart column, published header), in published order.
    columns: tuple[tuple[str, str], ...]
    # A total order of a period's rows, so that the files are byte-for-byte reproducible.
    sort_order: tuple[str, ...]
    granularities: tuple[str, ...] = GRANULARITIES
    # SQL expression over the mart giving the namespace a row belongs to.
    namespace_expression: str = "namespace"

    @property
    def model(self) -> str:
        """The dbt model of the mart (`rpt_summary`, ...)."""
        return self.relation.split(".")[-1]

    @property
    def header(self) -> list[str]:
        """The published CSV header."""
        return [header for _, header in self.columns]

    @property
    def mart_columns(self) -> list[str]:
        """The mart columns published, in published order."""
        return [column for column, _ in self.columns]

    @property
    def interfaces(self) -> tuple[Interface, ...]:
        return INTERFACES[self.kind]


def _as_upper(*columns: str) -> tuple[tuple[str, str], ...]:
    """Report columns published under their own name, upper-cased."""
    return tuple((column, column.upper()) for column in columns)


_REPORT_PERIOD = _as_upper("date_granularity", "date_reference")
_REPORT_COUNTS = _as_upper("data_downloads", "version_checks", "pulls")
_OWNER_AS_PUBLISHER_NAME = ("owner", "PUBLISHER_NAME")
_SEVERITY_COUNTS = (
    "vulnerabilities",
    "critical_vulnerabilities",
    "high_vulnerabilities",
    "medium_vulnerabilities",
    "low_vulnerabilities",
    "negligible_vulnerabilities",
    "unknown_vulnerabilities",
    "fixable_vulnerabilities",
    "fixable_critical_vulnerabilities",
    "fixable_high_vulnerabilities",
)

_REPORTS = (
    PublishedDataset(
        "summary",
        Kind.REPORT,
        "marts.rpt_summary",
        (
            *_REPORT_PERIOD,
            _OWNER_AS_PUBLISHER_NAME,
            *_as_upper("level", "reference", "data_downloads", "version_checks", "event_count"),
        ),
        # Each repository row comes first, then its tags, then its digests.
        (
            "owner",
            "repository",
            "case level when 'repository' then 0 when 'tag' then 1 else 2 end",
            "event_count desc",
            "reference",
        ),
    ),
    PublishedDataset(
        "trends",
        Kind.REPORT,
        "marts.rpt_trends",
        (
            *_REPORT_PERIOD,
            _OWNER_AS_PUBLISHER_NAME,
            ("repository", "IMAGE_REPOSITORY"),
            *_as_upper("namespace", "ip_country", "cloud_service_provider"),
            ("user_agent_tool", "USER_AGENT"),
            *_as_upper("tag"),
            *_REPORT_COUNTS,
            *_as_upper("unique_authenticated_users", "unique_unauthenticated_users"),
        ),
        (
            "owner",
            "repository",
            "pulls desc",
            "tag",
            "user_agent_tool",
            "ip_country",
            "cloud_service_provider",
        ),
    ),
    PublishedDataset(
        "technographic",
        Kind.REPORT,
        "marts.rpt_technographic",
        (
            *_REPORT_PERIOD,
            *_as_upper("publisher_id", "publisher_name", "dvpp_image", "paired_image"),
            *_as_upper("users", "total_pullers", "pct_users"),
            *_as_upper("domains", "total_domains", "pct_domains"),
        ),
        ("publisher_name", "dvpp_image", "users desc", "paired_image"),
        namespace_expression="split_part(dvpp_image, '/', 1)",
    ),
    PublishedDataset(
        "technographic-companies",
        Kind.REPORT,
        "marts.rpt_technographic_companies",
        (
            *_REPORT_PERIOD,
            *_as_upper("publisher_name"),
            ("company_domain", "DOMAIN"),
            *_as_upper("dvpp_image", "paired_image"),
        ),
        ("publisher_name", "company_domain", "dvpp_image", "paired_image"),
        namespace_expression="split_part(dvpp_image, '/', 1)",
    ),
    PublishedDataset(
        "tracked-companies",
        Kind.REPORT,
        "marts.rpt_tracked_companies",
        (
            *_REPORT_PERIOD,
            _OWNER_AS_PUBLISHER_NAME,
            ("company_domain", "DOMAIN"),
            *_as_upper("ip_country", "cloud_service_provider"),
            ("user_agent_tool", "USER_AGENT"),
            *_as_upper("inferred_use_case"),
            ("repository", "IMAGE_REPOSITORY"),
            *_REPORT_COUNTS,
            *_as_upper("unique_authenticated_users"),
        ),
        (
            "owner",
            "company_domain",
            "pulls desc",
            "repository",
            "inferred_use_case",
            "user_agent_tool",
            "ip_country",
            "cloud_service_provider",
        ),
        namespace_expression="split_part(repository, '/', 1)",
    ),
    PublishedDataset(
        "vulnerabilities-by-tag",
        Kind.SECURITY_REPORT,
        "marts.rpt_vulnerabilities_by_tag",
        (
            *_REPORT_PERIOD,
            _OWNER_AS_PUBLISHER_NAME,
            ("repository", "IMAGE_REPOSITORY"),
            *_as_upper("tag", "digest", "is_scanned", "scanned_at"),
            *_as_upper(*_SEVERITY_COUNTS),
        ),
        ("owner", "repository", "tag"),
    ),
    PublishedDataset(
        "vulnerability-details",
        Kind.SECURITY_REPORT,
        "marts.rpt_vulnerability_details",
        (
            *_REPORT_PERIOD,
            _OWNER_AS_PUBLISHER_NAME,
            ("repository", "IMAGE_REPOSITORY"),
            *_as_upper("manifest_digest", "scanned_at", "scanner", "vulnerability_id"),
            *_as_upper("severity", "package_name", "package_type", "installed_version"),
            *_as_upper("fixed_version", "cvss_score", "introduced_in_tag", "fixed_in_tag"),
            *_as_upper("title", "primary_url"),
        ),
        (
            "owner",
            "repository",
            "manifest_digest",
            "severity_rank",
            "vulnerability_id",
            "package_name",
            "installed_version",
        ),
        # One snapshot: what the latest scans know (date_reference: the newest scan's day).
        granularities=("latest",),
    ),
    PublishedDataset(
        "vulnerable-pulls",
        Kind.SECURITY_REPORT,
        "marts.rpt_vulnerable_pulls",
        (
            *_REPORT_PERIOD,
            _OWNER_AS_PUBLISHER_NAME,
            ("repository", "IMAGE_REPOSITORY"),
            *_as_upper("data_downloads", "scanned_data_downloads", "vulnerable_data_downloads"),
            *_as_upper("fixable_vulnerable_data_downloads", "clean_data_downloads"),
            *_as_upper(
                "vulnerable_unique_authenticated_users", "vulnerable_unique_unauthenticated_users"
            ),
            *_as_upper("clean_download_share"),
        ),
        ("owner", "repository"),
    ),
)

_NAMESPACE = ("namespace", "Namespace")
_REPOSITORY = ("repository_name", "Repository")
_REFERENCE = ("reference", "Reference")
_COUNTRY = ("ip_country", "Country")
_EXTENSION = ("extension", "Extension")
_OWNER = ("owner", "Owner")
_PULL_SUMMARY_COUNTS = (
    ("unique_ip_addresses", "Unique IP address"),
    ("pulls_by_tag", "Pull by tag"),
    ("pulls_by_digest", "Pull by digest"),
    ("version_checks", "Version check"),
    _OWNER,
)
_PREMIUM_COUNTS = (
    ("installs", "Installs"),
    ("unique_installs", "UniqueInstalls"),
    ("uninstalls", "Uninstalls"),
    ("unique_uninstalls", "UniqueUninstalls"),
    ("usage", "Usage"),
    ("unique_users", "UniqueUsers"),
    _OWNER,
)


def _pull_summary(name: str, relation: str, keys: tuple[tuple[str, str], ...]) -> PublishedDataset:
    """A pull summary export: its keys (also its order), then the counts and the owner."""
    key_columns = tuple(column for column, _ in keys)
    return PublishedDataset(
        name, Kind.PULLS_EXPORT, relation, (*keys, *_PULL_SUMMARY_COUNTS), key_columns
    )


_DATAVIEWS = (
    PublishedDataset(
        "raw",
        Kind.PULLS_EXPORT,
        "marts.exp_pulls_raw",
        (
            ("action", "Action"),
            ("action_date", "Action day"),
            _COUNTRY,
            ("digest", "Digest"),
            ("http_method", "HTTP method"),
            ("cloud_service_provider", "Host"),
            _NAMESPACE,
            _REFERENCE,
            _REPOSITORY,
            ("tag", "Tag"),
            ("action_at", "Timestamp"),
            ("ip_type", "Type"),
            ("user_agent_tool", "User agent tool"),
            ("user_agent_version", "User agent version"),
            ("ip_domain", "Domain"),
            _OWNER,
        ),
        ("action_at", "action_id"),
    ),
    _pull_summary("summary", "marts.exp_pulls_summary", (_NAMESPACE, _REPOSITORY, _REFERENCE)),
    _pull_summary("repo-summary", "marts.exp_pulls_repo_summary", (_NAMESPACE, _REPOSITORY)),
    _pull_summary("namespace-summary", "marts.exp_pulls_namespace_summary", (_NAMESPACE,)),
    _pull_summary(
        "geo-repo-summary", "marts.exp_pulls_geo_repo_summary", (_NAMESPACE, _REPOSITORY, _COUNTRY)
    ),
    PublishedDataset(
        "ext-summary",
        Kind.EXTENSIONS_EXPORT,
        "marts.exp_extensions_summary",
        (
            _EXTENSION,
            ("installs", "Installs"),
            ("total_installs", "TotalInstalls"),
            ("uninstalls", "Uninstalls"),
            ("total_uninstalls", "TotalUninstalls"),
            ("updates", "Updates"),
            _OWNER,
        ),
        ("extension",),
    ),
    PublishedDataset(
        "ext-premium-summary",
        Kind.EXTENSIONS_EXPORT,
        "marts.exp_extensions_premium_summary",
        (_EXTENSION, *_PREMIUM_COUNTS),
        ("extension",),
    ),
    PublishedDataset(
        "ext-premium-geo",
        Kind.EXTENSIONS_EXPORT,
        "marts.exp_extensions_premium_geo",
        (_EXTENSION, _COUNTRY, *_PREMIUM_COUNTS),
        ("extension", "ip_country"),
    ),
)

#: Every published dataset.
CATALOG: tuple[PublishedDataset, ...] = (*_REPORTS, *_DATAVIEWS)
#: The reports, by name (`registry-insights export --report`, the dashboard's downloads).
REPORTS: dict[str, PublishedDataset] = {dataset.name: dataset for dataset in _REPORTS}
#: The pull reports (the dashboard's Pulls page offers their downloads for its period).
USAGE_REPORTS: dict[str, PublishedDataset] = {
    name: dataset for name, dataset in REPORTS.items() if dataset.kind is Kind.REPORT
}
#: The security reports (the dashboard's Security page, the Data API's `/security/`).
SECURITY_REPORTS: dict[str, PublishedDataset] = {
    name: dataset for name, dataset in REPORTS.items() if dataset.kind is Kind.SECURITY_REPORT
}
#: The pull and extension exports, by dataview name (`--dataview`, the Data API).
DATAVIEWS: dict[str, PublishedDataset] = {dataset.name: dataset for dataset in _DATAVIEWS}


def published_models(interface: Interface) -> set[str]:
    """The dbt models of the marts an interface publishes."""
    return {dataset.model for dataset in CATALOG if interface in dataset.interfaces}
