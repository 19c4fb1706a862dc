"""The export dataviews (the DVP Data API's names): which mart feeds each, and its CSV columns."""

from __future__ import annotations

from dataclasses import dataclass

PULLS = "pulls"
EXTENSIONS = "extensions"


@dataclass(frozen=True)
class Dataview:
    """One export dataview: its mart, its dataset, its published columns and their order."""

    name: str
    dataset: str
    relation: str
    # (mart column, published CSV header), in CSV order.
    columns: tuple[tuple[str, str], ...]
    # A total order of the rows, so that the files are byte-for-byte reproducible.
    sort_columns: tuple[str, ...]

    @property
    def header(self) -> list[str]:
        return [header for _, header in self.columns]

    @property
    def mart_columns(self) -> list[str]:
        return [column for column, _ in self.columns]


_SUMMARY_COUNTS = (
    ("unique_ip_addresses", "Unique IP address"),
    ("pulls_by_tag", "Pull by tag"),
    ("pulls_by_digest", "Pull by digest"),
    ("version_checks", "Version check"),
    ("owner", "Owner"),
)
_PREMIUM_COUNTS = (
    ("installs", "Installs"),
    ("unique_installs", "UniqueInstalls"),
    ("uninstalls", "Uninstalls"),
    ("unique_uninstalls", "UniqueUninstalls"),
    ("usage", "Usage"),
    ("unique_users", "UniqueUsers"),
    ("owner", "Owner"),
)


def _pull_summary(name: str, relation: str, keys: tuple[tuple[str, str], ...]) -> Dataview:
    key_columns = tuple(column for column, _ in keys)
    return Dataview(name, PULLS, relation, (*keys, *_SUMMARY_COUNTS), key_columns)


_NAMESPACE = ("namespace", "Namespace")
_REPOSITORY = ("repository", "Repository")
_EXTENSION = ("extension", "Extension")
_COUNTRY = ("country", "Country")

DATAVIEWS: dict[str, Dataview] = {
    view.name: view
    for view in (
        Dataview(
            "raw",
            PULLS,
            "marts.exp_pulls_raw",
            (
                ("action", "Action"),
                ("action_date", "Action day"),
                _COUNTRY,
                ("digest", "Digest"),
                ("http_method", "HTTP method"),
                ("host", "Host"),
                _NAMESPACE,
                ("reference", "Reference"),
                _REPOSITORY,
                ("tag", "Tag"),
                ("action_at", "Timestamp"),
                ("ip_type", "Type"),
                ("user_agent_tool", "User agent tool"),
                ("user_agent_version", "User agent version"),
                ("domain", "Domain"),
                ("owner", "Owner"),
            ),
            ("action_at", "action_id"),
        ),
        _pull_summary(
            "summary",
            "marts.exp_pulls_summary",
            (_NAMESPACE, _REPOSITORY, ("reference", "Reference")),
        ),
        _pull_summary("repo-summary", "marts.exp_pulls_repo_summary", (_NAMESPACE, _REPOSITORY)),
        _pull_summary("namespace-summary", "marts.exp_pulls_namespace_summary", (_NAMESPACE,)),
        _pull_summary(
            "geo-repo-summary",
            "marts.exp_pulls_geo_repo_summary",
            (_NAMESPACE, _REPOSITORY, _COUNTRY),
        ),
        Dataview(
            "ext-summary",
            EXTENSIONS,
            "marts.exp_extensions_summary",
            (
                _EXTENSION,
                ("installs", "Installs"),
                ("total_installs", "TotalInstalls"),
                ("uninstalls", "Uninstalls"),
                ("total_uninstalls", "TotalUninstalls"),
                ("updates", "Updates"),
                ("owner", "Owner"),
            ),
            ("extension",),
        ),
        Dataview(
            "ext-premium-summary",
            EXTENSIONS,
            "marts.exp_extensions_premium_summary",
            (_EXTENSION, *_PREMIUM_COUNTS),
            ("extension",),
        ),
        Dataview(
            "ext-premium-geo",
            EXTENSIONS,
            "marts.exp_extensions_premium_geo",
            (_EXTENSION, _COUNTRY, *_PREMIUM_COUNTS),
            ("extension", "country"),
        ),
    )
}

# Largest uncompressed export file, unless the operator says otherwise (100 MB).
DEFAULT_MAX_FILE_BYTES = 100_000_000
