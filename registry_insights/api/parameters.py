"""Path and query parameters shared by the routes, with the descriptions the OpenAPI
document shows."""

from typing import Annotated

from fastapi import Path, Query

from registry_insights.api.schemas import GroupType, PeriodType, TimespanType

#: The marts' `date_granularity` of each timespan type.
GRANULARITY = {TimespanType.months: "monthly", TimespanType.weeks: "weekly"}

NamespacePath = Annotated[str, Path(description="A namespace of your organizations.")]
RepoPath = Annotated[str, Path(description="Repository name within the namespace.")]
Timespan = Annotated[TimespanType, Query(description="Weekly or monthly periods.")]
Period = Annotated[PeriodType, Query(description="How far back, in months.")]
Group = Annotated[GroupType | None, Query(description="One row per repository or namespace.")]
Year = Annotated[int, Path(ge=1, le=9999, description="Calendar year (ISO year for weeks).")]
TimespanNumber = Annotated[int, Path(ge=1, le=53, description="Month (1-12) or ISO week.")]
