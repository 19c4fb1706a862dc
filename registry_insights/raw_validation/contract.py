"""The raw-data contract as data: table -> columns -> rules.

This is the producer-facing reading of the contract documented in the README and in
``models/staging/registry/_registry__sources.yml``. The validator turns each rule into a
Great Expectations expectation; nothing here depends on Great Expectations.

Regular expressions are stored as *full-match* patterns, without anchors (the way the
staging models state them); :func:`anchored` gives the ``^(?:...)\\Z`` form used for a
search, so that a value with a trailing newline does not match (``$`` would allow one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["varchar", "timestamp", "integer", "bigint", "double"]

#: The layout: ``<raw_path>/<table>/date=YYYY-MM-DD/*.parquet`` (UTC day of the event).
PARTITION_PREFIX = "date="
PARTITION_DATE_FORMAT = "%Y-%m-%d"

DIGEST = r"sha256:[0-9a-f]{64}"
TAG = r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}"
NAME_COMPONENT = r"[a-z0-9]+(([.]|_|__|-+)[a-z0-9]+)*"
#: ``namespace/name``; a name may have more path components.
REPOSITORY = rf"{NAME_COMPONENT}(/{NAME_COMPONENT})+"
REFERENCE = rf"{TAG}|{DIGEST}"
#: IPv4 or IPv6 text, with an optional IPv6 zone (what staging accepts).
CLIENT_IP = r"[0-9A-Fa-f.:]+(%[0-9A-Za-z_.-]+)?"


def anchored(pattern: str) -> str:
    """The search regex that matches exactly the strings ``pattern`` fully matches."""
    return rf"^(?:{pattern})\Z"


@dataclass(frozen=True)
class InSet:
    """Every non-null value is one of ``values`` (case-sensitive)."""

    values: tuple[str, ...]

    def describe(self) -> str:
        return "in {" + ", ".join(self.values) + "}"


@dataclass(frozen=True)
class Matches:
    """Every non-null value fully matches ``pattern``.

    With ``when`` = (column, value), only rows where that column equals the value are
    checked (e.g. a blob must be requested by digest).
    """

    pattern: str
    label: str
    when: tuple[str, str] | None = None

    def describe(self) -> str:
        condition = f" where {self.when[0]} = {self.when[1]!r}" if self.when else ""
        return f"matches {self.label}{condition}"


@dataclass(frozen=True)
class DoesNotMatch:
    """No non-null value contains a match of ``pattern`` (a search, not a full match)."""

    pattern: str
    label: str

    def describe(self) -> str:
        return f"never contains {self.label}"


@dataclass(frozen=True)
class Between:
    """Every non-null value is within [min_value, max_value] (None: unbounded)."""

    min_value: int | None = None
    max_value: int | None = None

    def describe(self) -> str:
        if self.max_value is None:
            return f">= {self.min_value}"
        if self.min_value is None:
            return f"<= {self.max_value}"
        return f"{self.min_value}..{self.max_value}"


@dataclass(frozen=True)
class Unique:
    """No non-null value appears twice."""

    def describe(self) -> str:
        return "unique"


Rule = InSet | Matches | DoesNotMatch | Between | Unique


@dataclass(frozen=True)
class Column:
    """One contract column.

    ``personal`` columns hold personal data: reports give counts for them, never values.
    ``masked_examples`` columns may show example values, with anything before an ``@``
    hidden (a full email address where a domain was expected is personal data).
    """

    name: str
    type: ColumnType
    required: bool
    rules: tuple[Rule, ...] = ()
    personal: bool = False
    masked_examples: bool = False


def repository_column(name: str) -> Column:
    """A required `namespace/name` column (a repository or an extension)."""
    return Column(name, "varchar", required=True, rules=(Matches(REPOSITORY, "namespace/name"),))


@dataclass(frozen=True)
class Table:
    """One raw table. ``event_time`` names the column whose UTC day is the partition."""

    name: str
    columns: tuple[Column, ...]
    event_time: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no contract column {name!r}")


RAW_REGISTRY_REQUESTS = Table(
    name="raw_registry_requests",
    event_time="occurred_at",
    columns=(
        Column("event_id", "varchar", required=True),
        Column("occurred_at", "timestamp", required=True),
        Column("http_method", "varchar", required=True, rules=(InSet(("GET", "HEAD")),)),
        Column("object_type", "varchar", required=True, rules=(InSet(("manifest", "blob")),)),
        repository_column("repository"),
        Column(
            "reference",
            "varchar",
            required=True,
            rules=(
                Matches(REFERENCE, "a tag or sha256:<64 hex>"),
                Matches(DIGEST, "sha256:<64 hex>", when=("object_type", "blob")),
            ),
        ),
        Column(
            "response_digest",
            "varchar",
            required=False,
            rules=(Matches(DIGEST, "sha256:<64 hex>"),),
        ),
        Column("media_type", "varchar", required=False),
        Column("status_code", "integer", required=True, rules=(Between(100, 599),)),
        Column("response_bytes", "bigint", required=False, rules=(Between(min_value=0),)),
        Column(
            "client_ip",
            "varchar",
            required=True,
            rules=(Matches(CLIENT_IP, "IPv4/IPv6 text"),),
            personal=True,
        ),
        Column("user_agent", "varchar", required=False),
        Column("account_id", "varchar", required=False, personal=True),
    ),
)

RAW_ACCOUNTS = Table(
    name="raw_accounts",
    columns=(
        Column("account_id", "varchar", required=True, rules=(Unique(),), personal=True),
        Column(
            "email_domain",
            "varchar",
            required=True,
            rules=(DoesNotMatch("@", "'@' (a domain only)"),),
            masked_examples=True,
        ),
    ),
)

RAW_EXTENSION_EVENTS = Table(
    name="raw_extension_events",
    event_time="occurred_at",
    columns=(
        Column("event_id", "varchar", required=True),
        Column("occurred_at", "timestamp", required=True),
        repository_column("extension"),
        Column(
            "event_type",
            "varchar",
            required=True,
            rules=(InSet(("install", "uninstall", "update", "open")),),
        ),
        Column("account_id", "varchar", required=False, personal=True),
        Column("client_ip", "varchar", required=True, personal=True),
    ),
)

SCAN_ID = r"[0-9a-f]{64}"
SOURCE_FORMATS = ("trivy-json", "grype-json", "cyclonedx-json")

RAW_IMAGE_SCANS = Table(
    name="raw_image_scans",
    event_time="scanned_at",
    columns=(
        Column("scan_id", "varchar", required=True, rules=(Matches(SCAN_ID, "64 hex"), Unique())),
        Column("scanned_at", "timestamp", required=True),
        Column("scanner", "varchar", required=True),
        Column("scanner_version", "varchar", required=False),
        repository_column("repository"),
        Column(
            "manifest_digest",
            "varchar",
            required=True,
            rules=(Matches(DIGEST, "sha256:<64 hex>"),),
        ),
        Column("platform", "varchar", required=False),
        Column("source_format", "varchar", required=True, rules=(InSet(SOURCE_FORMATS),)),
    ),
)

RAW_IMAGE_VULNERABILITIES = Table(
    name="raw_image_vulnerabilities",
    columns=(
        Column("scan_id", "varchar", required=True, rules=(Matches(SCAN_ID, "64 hex"),)),
        Column("vulnerability_id", "varchar", required=True),
        Column("severity", "varchar", required=True),
        Column("package_name", "varchar", required=True),
        Column("package_type", "varchar", required=False),
        Column("installed_version", "varchar", required=False),
        Column("fixed_version", "varchar", required=False),
        Column("status", "varchar", required=False),
        Column("cvss_score", "double", required=False, rules=(Between(0, 10),)),
        Column("layer_digest", "varchar", required=False),
        Column("title", "varchar", required=False),
        Column("primary_url", "varchar", required=False),
    ),
)

#: Manifests pushed by tag (the registry's push notifications); a redelivered event
#: repeats its id, staging keeps one row.
RAW_TAG_PUSHES = Table(
    name="raw_tag_pushes",
    event_time="pushed_at",
    columns=(
        Column("event_id", "varchar", required=True),
        Column("pushed_at", "timestamp", required=True),
        repository_column("repository"),
        Column("tag", "varchar", required=True, rules=(Matches(TAG, "a tag"),)),
        Column(
            "manifest_digest",
            "varchar",
            required=True,
            rules=(Matches(DIGEST, "sha256:<64 hex>"),),
        ),
        Column("media_type", "varchar", required=False),
    ),
)

CONTRACT: tuple[Table, ...] = (
    RAW_REGISTRY_REQUESTS,
    RAW_ACCOUNTS,
    RAW_EXTENSION_EVENTS,
    RAW_IMAGE_SCANS,
    RAW_IMAGE_VULNERABILITIES,
    RAW_TAG_PUSHES,
)
TABLES: Mapping[str, Table] = {table.name: table for table in CONTRACT}
