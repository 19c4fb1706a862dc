"""Request and response schemas, named and shaped like the DVP Data API's so that clients
written for it decode ours unchanged (field names are the API's, hence camelCase)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field, RootModel


class TimespanType(StrEnum):
    months = "months"
    weeks = "weeks"


class PeriodType(StrEnum):
    last_2_months = "last-2-months"
    last_3_months = "last-3-months"
    last_6_months = "last-6-months"
    last_12_months = "last-12-months"

    @property
    def months(self) -> int:
        return int(self.value.split("-")[1])


class GroupType(StrEnum):
    repo = "repo"
    namespace = "namespace"


class DataviewType(StrEnum):
    raw = "raw"
    summary = "summary"
    repo_summary = "repo-summary"
    namespace_summary = "namespace-summary"
    geo_repo_summary = "geo-repo-summary"
    ext_summary = "ext-summary"
    ext_premium_summary = "ext-premium-summary"
    ext_premium_geo = "ext-premium-geo"


class DatasetType(StrEnum):
    pulls = "pulls"
    extensions = "extensions"


class NamespaceData(BaseModel):
    namespaces: list[str] = Field(description="The namespaces this token may read.")


class DatasetModel(BaseModel):
    name: DatasetType
    views: list[DataviewType]
    timespans: list[TimespanType]


class NamespaceMetadata(BaseModel):
    namespace: str
    extraRepos: list[str] = Field(
        default_factory=list, description="Repositories outside the namespace (none here)."
    )
    datasets: list[DatasetModel]
    extensionPublisher: bool = Field(description="True when the namespace publishes extensions.")
    publisherType: str | None = Field(
        default=None, description="The publisher programme (`DVP`, `DSOS`), when known."
    )


class PullModel(BaseModel):
    start: str = Field(description="First day of the period, RFC 3339 (UTC midnight).")
    end: str = Field(description="Last day of the period, RFC 3339 (UTC midnight).")
    repo: str | None = Field(default=None, description="Repository name, when grouped by repo.")
    namespace: str | None = Field(default=None, description="Namespace, when grouped by namespace.")
    pullCount: int = Field(description="Pulls by tag plus pulls by digest (data downloads).")
    ipCount: int = Field(description="Distinct client IP addresses (counted, never shown).")
    country: str | None = Field(default=None, description="Client country, when grouped by it.")


class PullData(BaseModel):
    pulls: list[PullModel]


class ReposPullData(BaseModel):
    repos: dict[str, PullData]


class YearModel(BaseModel):
    year: int


class YearData(BaseModel):
    years: list[YearModel]


class MonthModel(BaseModel):
    month: int


class MonthData(BaseModel):
    months: list[MonthModel]


class WeekModel(BaseModel):
    week: int


class WeekData(BaseModel):
    weeks: list[WeekModel]


class TimespanModel(RootModel[MonthModel | WeekModel]):
    """A month (1-12) or an ISO week (1-53) of a year."""


class TimespanData(RootModel[MonthData | WeekData]):
    """The months or the ISO weeks of a year that have data."""


class ResponseDataFile(BaseModel):
    url: str = Field(description="Signed download link, valid for six hours.")
    size: int = Field(description="Size of the gzip-compressed file in bytes.")


class ResponseData(BaseModel):
    data: list[ResponseDataFile] = Field(
        description="Download links; a large export is split into several files."
    )
