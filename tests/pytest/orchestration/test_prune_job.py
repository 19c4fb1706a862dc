"""The scheduled raw retention: a job and a daily schedule, with the retention from
REGISTRY_INSIGHTS_RAW_RETENTION_DAYS (unset: nothing is pruned). What pruning does is
tested in tests/pytest/warehouse/test_raw_retention.py."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from dagster import RunRequest, build_schedule_context

from registry_insights.orchestration.definitions import defs
from registry_insights.orchestration.retention import prune_raw_job, prune_raw_schedule
from registry_insights.orchestration.settings import PipelineSettings
from registry_insights.retention import PruneError, prune_raw


def test_the_prune_job_and_its_schedule_are_defined() -> None:
    assert defs.get_job_def("prune_raw_job") is not None
    assert defs.get_schedule_def("prune_raw_schedule").cron_schedule == "0 3 * * *"
    moment = datetime.datetime(2026, 9, 2, 3, 0, tzinfo=datetime.UTC)
    request = prune_raw_schedule(build_schedule_context(scheduled_execution_time=moment))
    assert isinstance(request, RunRequest) and request.run_key == "prune-raw-2026-09-02"


def test_without_a_retention_nothing_is_pruned(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("REGISTRY_INSIGHTS_RAW_RETENTION_DAYS", raising=False)
    monkeypatch.setenv("REGISTRY_INSIGHTS_RAW_PATH", str(tmp_path / "raw"))
    result = prune_raw_job.execute_in_process()
    assert result.success
    assert result.output_for_node("prune_raw_files") == 0


def test_the_retention_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGISTRY_INSIGHTS_RAW_RETENTION_DAYS", "30")
    assert PipelineSettings.from_environment().raw_retention_days == 30
    monkeypatch.setenv("REGISTRY_INSIGHTS_RAW_RETENTION_DAYS", "thirty")
    with pytest.raises(ValueError, match="whole number of days"):
        PipelineSettings.from_environment()


def test_a_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    # (the job's step would fail and be retried, after minutes: the error itself is checked)
    (tmp_path / "raw").mkdir()
    with pytest.raises(PruneError, match="no warehouse at"):
        prune_raw(tmp_path / "raw", tmp_path / "none.duckdb", 30, progress=False)
