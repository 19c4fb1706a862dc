"""The reports the warehouse publishes: which mart feeds each, and its CSV header."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportDefinition:
    """A report mart and the published columns of its CSV file, in order."""

    name: str
    relation: str
    published_columns: tuple[str, ...]
    sort_columns: tuple[str, ...]
    # SQL expression giving the namespace a row belongs to, for per-organization access.
    namespace_column: str = "namespace"

    @property
    def header(self) -> list[str]:
        """The published CSV header: the mart's column names, upper-cased."""
        return [column.upper() for column in self.published_columns]


REPORTS: dict[str, ReportDefinition] = {
    "summary": ReportDefinition(
        name="summary",
        relation="marts.rpt_summary",
        published_columns=(
            "date_granularity",
            "date_reference",
            "publisher_name",
            "level",
            "reference",
            "data_downloads",
            "version_checks",
            "event_count",
        ),
        # Each repository row comes first, then its tags, then its digests.
        sort_columns=(
            "publisher_name",
            "repository",
            "case level when 'repository' then 0 when 'tag' then 1 else 2 end",
            "event_count desc",
            "reference",
        ),
    ),
    "trends": ReportDefinition(
        name="trends",
        relation="marts.rpt_trends",
        published_columns=(
            "date_granularity",
            "date_reference",
            "publisher_name",
            "image_repository",
            "namespace",
            "ip_country",
            "cloud_service_provider",
            "user_agent",
            "tag",
            "data_downloads",
            "version_checks",
            "pulls",
            "unique_authenticated_users",
            "unique_unauthenticated_users",
        ),
        sort_columns=(
            "publisher_name",
            "image_repository",
            "pulls desc",
            "tag",
            "user_agent",
            "ip_country",
            "cloud_service_provider",
        ),
    ),
    "technographic": ReportDefinition(
        name="technographic",
        relation="marts.rpt_technographic",
        published_columns=(
            "date_granularity",
            "date_reference",
            "publisher_id",
            "publisher_name",
            "dvpp_image",
            "paired_image",
            "users",
            "total_pullers",
            "pct_users",
            "domains",
            "total_domains",
            "pct_domains",
        ),
        sort_columns=("publisher_name", "dvpp_image", "users desc", "paired_image"),
        namespace_column="split_part(dvpp_image, '/', 1)",
    ),
    "technographic-companies": ReportDefinition(
        name="technographic-companies",
        relation="marts.rpt_technographic_companies",
        published_columns=(
            "date_granularity",
            "date_reference",
            "publisher_name",
            "domain",
            "dvpp_image",
            "paired_image",
        ),
        sort_columns=("publisher_name", "domain", "dvpp_image", "paired_image"),
        namespace_column="split_part(dvpp_image, '/', 1)",
    ),
    "tracked-companies": ReportDefinition(
        name="tracked-companies",
        relation="marts.rpt_tracked_companies",
        published_columns=(
            "date_granularity",
            "date_reference",
            "publisher_name",
            "domain",
            "ip_country",
            "cloud_service_provider",
            "user_agent",
            "inferred_use_case",
            "image_repository",
            "data_downloads",
            "version_checks",
            "pulls",
            "unique_authenticated_users",
        ),
        sort_columns=(
            "publisher_name",
            "domain",
            "pulls desc",
            "image_repository",
            "inferred_use_case",
            "user_agent",
            "ip_country",
            "cloud_service_provider",
        ),
        namespace_column="split_part(image_repository, '/', 1)",
    ),
}
