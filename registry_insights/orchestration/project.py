"""The dbt project as Dagster sees it, and its manifest (parsed at load time if missing)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.dbt_project import using_dagster_dev
from filelock import FileLock

from registry_insights.orchestration.settings import PROJECT_DIR

#: dbt's artifacts for Dagster (manifest, per-run target folders) stay in the ignored build/.
TARGET_PATH = Path("build/dagster/target")

DBT_PROJECT = DbtProject(project_dir=PROJECT_DIR, target_path=TARGET_PATH, profiles_dir=PROJECT_DIR)


#: The dbt beside this Python (the virtualenv's), whether or not it is on PATH.
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"


#: What the manifest is parsed from: a change to any of these parses the project again.
PROJECT_SOURCES = ("models", "macros", "seeds", "tests", "analyses")
PROJECT_FILES = ("dbt_project.yml", "selectors.yml", "profiles.yml")
DBT_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".md"}


def manifest_is_stale(project: DbtProject = DBT_PROJECT) -> bool:
    """True when the manifest is missing or older than a file of the project."""
    if not project.manifest_path.exists():
        return True
    built = project.manifest_path.stat().st_mtime
    files = [project.project_dir / name for name in PROJECT_FILES]
    for folder in PROJECT_SOURCES:
        found = (project.project_dir / folder).rglob("*")
        files += [path for path in found if path.suffix in DBT_SUFFIXES]
    return any(path.exists() and path.stat().st_mtime > built for path in files)


def prepare_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """The manifest's path: `dbt parse` into build/dagster/target when it is missing or
    older than the project's files, and on every load under `dagster dev`.

    One process at a time (a lock file beside the target folder): processes that load the
    definitions together (Dagster's webserver and daemon, parallel test workers) would
    otherwise parse into the same folder at once, and one could read the manifest while
    another rewrites it. A process that waited finds the manifest fresh and parses
    nothing."""
    target = project.project_dir / project.target_path
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(target.parent / f"{target.name}.lock"):
        if manifest_is_stale(project) or using_dagster_dev():
            dbt_resource().cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return project.manifest_path


def run_target_path(run_id: str) -> Path:
    """A dbt invocation's own target and log folder, under build/ (absolute)."""
    return PROJECT_DIR / "build" / "dagster" / "runs" / run_id


def dbt_resource() -> DbtCliResource:
    executable = DBT_EXECUTABLE if DBT_EXECUTABLE.exists() else Path("dbt")
    return DbtCliResource(
        project_dir=DBT_PROJECT,
        profiles_dir=os.fspath(PROJECT_DIR),
        dbt_executable=os.fspath(executable),
    )
