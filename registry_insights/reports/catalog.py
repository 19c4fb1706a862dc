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
}
