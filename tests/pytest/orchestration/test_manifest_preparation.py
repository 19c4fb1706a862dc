"""Processes that load the Dagster definitions together parse the dbt project once.

`prepare_manifest` runs `dbt parse` when the manifest is missing or stale. Dagster's
webserver and daemon, or parallel test workers, load the definitions at the same time:
without a lock they would parse into one target folder together, and one could read the
manifest while another rewrites it. Here `dbt parse` is replaced by a stand-in that
records each run, takes a while and writes the manifest, and several threads (each
with its own lock file handle, as processes have) prepare the manifest of a stale project
at once.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from dagster_dbt import DbtProject

from registry_insights.orchestration import project as orchestration_project

CALLERS = 4


class RecordingParse:
    """Stands in for `dbt parse`: records each run, takes a while, writes the manifest."""

    def __init__(self, manifest: Path) -> None:
        self.manifest = manifest
        self.runs: list[Path] = []

    def cli(self, args: list[str], target_path: Path) -> RecordingParse:
        assert args[0] == "parse"
        self.runs.append(target_path)
        time.sleep(0.3)
        self.manifest.parent.mkdir(parents=True, exist_ok=True)
        self.manifest.write_text("{}")
        return self

    def wait(self) -> None:
        return None


@pytest.fixture
def stale_project(tmp_path: Path) -> DbtProject:
    (tmp_path / "dbt_project.yml").write_text("name: stand_in\nprofile: stand_in\n")
    return DbtProject(project_dir=tmp_path, target_path=Path("build/dagster/target"))


def test_callers_at_once_parse_one_at_a_time_and_once(
    stale_project: DbtProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    parse = RecordingParse(stale_project.manifest_path)
    monkeypatch.setattr(orchestration_project, "dbt_resource", lambda: parse)
    start = threading.Barrier(CALLERS)
    returned: list[Path] = []

    def caller() -> None:
        start.wait()
        returned.append(orchestration_project.prepare_manifest(stale_project))

    threads = [threading.Thread(target=caller) for _ in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert returned == [stale_project.manifest_path] * CALLERS
    # the first caller parsed; the others waited for it and found the manifest fresh
    assert len(parse.runs) == 1


def test_a_stale_manifest_is_parsed_again_and_a_fresh_one_is_not(
    stale_project: DbtProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    parse = RecordingParse(stale_project.manifest_path)
    monkeypatch.setattr(orchestration_project, "dbt_resource", lambda: parse)
    orchestration_project.prepare_manifest(stale_project)
    orchestration_project.prepare_manifest(stale_project)
    assert len(parse.runs) == 1
    model = stale_project.project_dir / "models" / "new_model.sql"
    model.parent.mkdir()
    model.write_text("select 1 as one")
    later = stale_project.manifest_path.stat().st_mtime + 5
    os.utime(model, (later, later))
    orchestration_project.prepare_manifest(stale_project)
    assert len(parse.runs) == 2
