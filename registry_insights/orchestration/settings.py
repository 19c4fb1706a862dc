"""Where the scheduled runs read and write: the project's environment variables, read when
a run starts (dbt reads the same variables through profiles.yml and dbt_project.yml)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: The dbt project (repository root); override to run from an installed package.
PROJECT_DIR = Path(
    os.environ.get("REGISTRY_INSIGHTS_PROJECT_DIR", Path(__file__).resolve().parents[2])
)


def _path(variable: str, default: str) -> Path:
    path = Path(os.environ.get(variable) or default)
    return path if path.is_absolute() else PROJECT_DIR / path


def _optional_path(variable: str) -> Path | None:
    value = os.environ.get(variable)
    return _path(variable, value) if value else None


def _optional_days(variable: str) -> int | None:
    value = os.environ.get(variable)
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise ValueError(f"{variable} must be a whole number of days, at least 1, not {value!r}")
    return int(value)


@dataclass(frozen=True)
class PipelineSettings:
    """The folders and files of one deployment (relative paths are the project's)."""

    database: Path
    raw_path: Path
    reference_path: Path
    export_dir: Path
    collector_store: Path | None
    registry_log: Path | None
    #: Raw retention in days (REGISTRY_INSIGHTS_RAW_RETENTION_DAYS); None: keep every file.
    raw_retention_days: int | None = None

    @classmethod
    def from_environment(cls) -> PipelineSettings:
        return cls(
            database=_profile_folder("REGISTRY_INSIGHTS_DUCKDB_PATH"),
            raw_path=_profile_folder("REGISTRY_INSIGHTS_RAW_PATH"),
            reference_path=_profile_folder("REGISTRY_INSIGHTS_REFERENCE_PATH"),
            export_dir=_path("REGISTRY_INSIGHTS_EXPORT_DIR", "reports"),
            collector_store=_optional_path("REGISTRY_INSIGHTS_COLLECTOR_STORE"),
            registry_log=_optional_path("REGISTRY_INSIGHTS_REGISTRY_LOG"),
            raw_retention_days=_optional_days("REGISTRY_INSIGHTS_RAW_RETENTION_DAYS"),
        )


#: The folders profiles.yml reads from the environment, with its defaults (relative: the
#: project's).
PROFILE_FOLDERS = {
    "REGISTRY_INSIGHTS_DUCKDB_PATH": "build/warehouse.duckdb",
    "REGISTRY_INSIGHTS_DUCKDB_TEMP_DIR": "build/duckdb_tmp",
    "REGISTRY_INSIGHTS_RAW_PATH": "data/demo/raw",
    "REGISTRY_INSIGHTS_REFERENCE_PATH": "data/reference",
    "REGISTRY_INSIGHTS_SPARK_DIR": "build/spark",
}


def absolute_profile_folders() -> dict[str, str]:
    """Those folders as absolute paths, as the pipeline's own assets resolve them. dbt
    resolves a relative path from the folder it runs in, which dagster-dbt may make a
    temporary copy of the project: the warehouse built there would be the copy's."""
    return {variable: str(_profile_folder(variable)) for variable in PROFILE_FOLDERS}


def _profile_folder(variable: str) -> Path:
    return _path(variable, PROFILE_FOLDERS[variable])
