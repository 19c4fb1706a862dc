"""The Dagster definitions (registry_insights/orchestration/): every asset materialized in
process on a small generated dataset with its own warehouse, dbt tests run as asset
checks, the daily job run twice for one day leaves every mart identical, the period
exports are reproducible, and the schedules pick the previous day, week and month."""

from __future__ import annotations

import datetime
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dagster import (
    DagsterInstance,
    ExecuteInProcessResult,
    Failure,
    RunRequest,
    ScheduleDefinition,
    build_schedule_context,
)

from registry_insights.generator import GeneratorConfig, generate_dataset
from registry_insights.orchestration import defs
from registry_insights.orchestration.dbt_models import (
    absolute_folders_for_dbt,
    remove_project_copy,
)
from registry_insights.orchestration.exports import export_period
from registry_insights.orchestration.home import prepare_home
from registry_insights.orchestration.ingestion import (
    EXTERNAL_RAW_TABLE_NAMES,
    raw_registry_requests,
)
from registry_insights.orchestration.jobs import (
    DAILY_DBT_SELECTION,
    daily_run_config,
    daily_schedule,
    export_run_config,
    monthly_exports_schedule,
    weekly_exports_schedule,
)
from registry_insights.orchestration.project import DBT_PROJECT
from registry_insights.orchestration.settings import PROJECT_DIR, PipelineSettings

FIRST_DAY = datetime.date(2026, 6, 1)
DAYS = 20  # 2026-06-01 .. 2026-06-20
BUILT_UNTIL = datetime.date(2026, 6, 19)
DAILY_DAY = datetime.date(2026, 6, 20)
COMPLETE_WEEK = datetime.date(2026, 6, 8)  # Monday; complete once 2026-06-14 is processed


@dataclass
class Pipeline:
    work: Path
    settings: PipelineSettings
    instance: DagsterInstance
    full_build: ExecuteInProcessResult


def _run(
    pipeline_instance: DagsterInstance, job: str, config: Mapping[str, Any]
) -> ExecuteInProcessResult:
    return defs.resolve_job_def(job).execute_in_process(
        run_config=config, instance=pipeline_instance
    )


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    work = tmp_path_factory.mktemp("orchestration")
    generate_dataset(
        GeneratorConfig(rows=20_000, days=DAYS, start_date=FIRST_DAY, seed=11),
        work / "raw",
        progress=False,
    )
    environment = {
        "REGISTRY_INSIGHTS_RAW_PATH": str(work / "raw"),
        "REGISTRY_INSIGHTS_DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "REGISTRY_INSIGHTS_DUCKDB_TEMP_DIR": str(work / "duckdb_tmp"),
        "REGISTRY_INSIGHTS_REFERENCE_PATH": str(work / "reference"),
        "REGISTRY_INSIGHTS_EXPORT_DIR": str(work / "exports"),
        # An empty collector store: collector-export runs and finds nothing to add.
        "REGISTRY_INSIGHTS_COLLECTOR_STORE": str(work / "collector"),
        "REGISTRY_INSIGHTS_DUCKDB_MEMORY_LIMIT": os.environ.get(
            "REGISTRY_INSIGHTS_DUCKDB_MEMORY_LIMIT", "4GB"
        ),
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        patch.delenv("REGISTRY_INSIGHTS_REGISTRY_LOG", raising=False)
        patch.setenv("DAGSTER_HOME", str(work / "dagster-home"))
        prepare_home(work / "dagster-home")
        # The instance loads (and so validates) the dagster.yaml the orchestrate command uses.
        with DagsterInstance.get() as instance:
            full_build = _run(instance, "full_build", daily_run_config(BUILT_UNTIL))
            yield Pipeline(work, PipelineSettings.from_environment(), instance, full_build)


def _marts(database: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every mart's rows, sorted: the warehouse's published state."""
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {
            table: connection.execute(f"select * from marts.{table} order by all").fetchall()
            for table in tables
        }


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*.csv*")}


def test_dagster_home_turns_telemetry_off(pipeline: Pipeline) -> None:
    config = (pipeline.work / "dagster-home" / "dagster.yaml").read_text()
    assert "telemetry:\n  enabled: false" in config
    assert pipeline.instance.run_retries_enabled


def test_full_build_materializes_every_asset(pipeline: Pipeline) -> None:
    result = pipeline.full_build
    assert result.success
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    job = defs.resolve_job_def("full_build")
    assert materialized == set(job.asset_layer.executable_asset_keys)
    assert defs.resolve_asset_graph().get_all_asset_keys() - materialized == {
        key
        for key in defs.resolve_asset_graph().get_all_asset_keys()
        if key.path[0] == "period_exports" or key.path[-1] in EXTERNAL_RAW_TABLE_NAMES
    }


def test_dbt_tests_ran_as_passing_asset_checks(pipeline: Pipeline) -> None:
    evaluations = pipeline.full_build.get_asset_check_evaluations()
    declared = defs.resolve_asset_graph().asset_check_keys
    assert len(evaluations) >= 100
    assert {evaluation.asset_check_key for evaluation in evaluations} <= declared
    failed = [str(e.asset_check_key) for e in evaluations if not e.passed]
    assert failed == []


def test_the_marts_exist(pipeline: Pipeline) -> None:
    marts = _marts(pipeline.settings.database)
    expected = {
        key.path[-1]
        for key in defs.resolve_asset_graph().get_all_asset_keys()
        if key.path[0] == "marts"
    }
    assert set(marts) == expected
    assert marts["fct_pull_actions"] and marts["rpt_summary"]


def test_daily_job_twice_for_one_day_changes_nothing(pipeline: Pipeline) -> None:
    first = _run(pipeline.instance, "daily", daily_run_config(DAILY_DAY))
    assert first.success
    assert first.get_asset_check_evaluations()
    after_first = _marts(pipeline.settings.database)
    with duckdb.connect(str(pipeline.settings.database), read_only=True) as connection:
        (last_day,) = connection.execute(
            "select max(action_date) from marts.fct_pull_actions"
        ).fetchone() or (None,)
    assert last_day == DAILY_DAY
    second = _run(pipeline.instance, "daily", daily_run_config(DAILY_DAY))
    assert second.success
    after_second = _marts(pipeline.settings.database)
    assert after_second.keys() == after_first.keys()
    for mart, rows in after_first.items():
        assert after_second[mart] == rows, mart


def test_a_daily_run_builds_its_selection_in_the_project_folder(
    pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Handed the daily run's 262 dbt resources one by one, dagster-dbt copied the whole
    # project folder (build/ and its warehouses too) into a temporary folder to run dbt
    # there, and left it behind: dbt must run in the project folder, given the selector.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = _run(pipeline.instance, "daily", daily_run_config(DAILY_DAY))
    assert result.success
    assert list(tmp_path.glob("*/dbt_project.yml")) == []
    # Every asset and check of the selection is reported, and nothing else.
    graph = defs.resolve_asset_graph()
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert materialized == DAILY_DBT_SELECTION.resolve(graph) | raw_registry_requests.keys
    evaluated = {evaluation.asset_check_key for evaluation in result.get_asset_check_evaluations()}
    assert evaluated == DAILY_DBT_SELECTION.resolve_checks(graph)


def test_a_part_of_a_daily_run_leaves_no_copy_of_the_project(
    pipeline: Pipeline,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The daily selection but one last model and its checks: no selector names it, so
    # dagster-dbt lists its 250-odd resources and runs dbt in a copy of the project, which
    # the op removes afterwards.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    graph = defs.resolve_asset_graph()
    daily = DAILY_DBT_SELECTION.resolve(graph)
    left_out = min(key for key in daily if not graph.get(key).child_keys & daily)
    checks = {key for key in DAILY_DBT_SELECTION.resolve_checks(graph) if key.asset_key != left_out}
    part = defs.resolve_job_def("daily").get_subset(
        asset_selection=daily - {left_out}, asset_check_selection=checks
    )
    result = part.execute_in_process(
        run_config=daily_run_config(DAILY_DAY), instance=pipeline.instance
    )
    assert result.success
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert materialized == daily - {left_out}
    assert "temporary copy of DBT project" in caplog.text
    assert list(tmp_path.glob("*/dbt_project.yml")) == []


def test_only_a_copy_of_the_project_in_the_temporary_directory_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    copy, other, outside = tmp_path / "tmp" / "copy", tmp_path / "tmp" / "other", tmp_path / "out"
    for folder in (copy, other, outside):
        folder.mkdir(parents=True)
    for folder in (copy, outside):
        (folder / "dbt_project.yml").write_text("name: registry_insights\n")
    for folder in (copy, other, outside, DBT_PROJECT.project_dir):
        remove_project_copy(Path(folder))
    assert not copy.exists()
    assert other.exists() and outside.exists()
    assert (DBT_PROJECT.project_dir / "dbt_project.yml").is_file()


def test_dbt_is_given_the_profile_folders_as_absolute_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Relative folders (profiles.yml's defaults) are the project's, not those of the
    folder dbt runs in (a copy of the project, for a large subset); restored after."""
    monkeypatch.setenv("REGISTRY_INSIGHTS_DUCKDB_PATH", "build/elsewhere.duckdb")
    monkeypatch.delenv("REGISTRY_INSIGHTS_DUCKDB_TEMP_DIR", raising=False)
    monkeypatch.setenv("REGISTRY_INSIGHTS_RAW_PATH", "/srv/raw")
    with absolute_folders_for_dbt():
        given = dict(os.environ)
    assert given["REGISTRY_INSIGHTS_DUCKDB_PATH"] == str(PROJECT_DIR / "build/elsewhere.duckdb")
    assert given["REGISTRY_INSIGHTS_DUCKDB_TEMP_DIR"] == str(PROJECT_DIR / "build/duckdb_tmp")
    assert given["REGISTRY_INSIGHTS_RAW_PATH"] == "/srv/raw"
    assert given["REGISTRY_INSIGHTS_REFERENCE_PATH"].startswith("/")
    assert os.environ["REGISTRY_INSIGHTS_DUCKDB_PATH"] == "build/elsewhere.duckdb"
    assert "REGISTRY_INSIGHTS_DUCKDB_TEMP_DIR" not in os.environ


def test_weekly_export_is_written_once_and_reproducibly(pipeline: Pipeline) -> None:
    export_dir = pipeline.settings.export_dir
    config = export_run_config("weekly", COMPLETE_WEEK)
    assert _run(pipeline.instance, "weekly_exports", config).success
    first = _files(export_dir)
    stem = f"weekly_{COMPLETE_WEEK.isoformat()}"
    assert first and all(stem in name for name in first)
    assert "summary/summary_weekly_2026-06-08.csv" in first
    assert "exports/raw/raw_weekly_2026-06-08_000.csv.gz" in first
    assert _run(pipeline.instance, "weekly_exports", config).success
    assert _files(export_dir) == first


def test_an_incomplete_period_is_not_exported(pipeline: Pipeline) -> None:
    # June ends on the 30th; the warehouse holds data until the 20th.
    with pytest.raises(Failure, match="not complete yet"):
        export_period(pipeline.settings, "monthly", datetime.date(2026, 6, 1))


def _request(schedule: ScheduleDefinition, moment: datetime.datetime) -> RunRequest:
    request = schedule(build_schedule_context(scheduled_execution_time=moment))
    assert isinstance(request, RunRequest)
    return request


UTC = datetime.UTC


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime.datetime(2026, 6, 21, 1, 30, tzinfo=UTC), "2026-06-20"),
        (datetime.datetime(2026, 3, 1, 1, 30, tzinfo=UTC), "2026-02-28"),
        (datetime.datetime(2027, 1, 1, 0, 0, tzinfo=UTC), "2026-12-31"),
        # 01:30 in UTC+2 is still the previous UTC day: the day before that is processed.
        (
            datetime.datetime(
                2026, 6, 21, 1, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
            ),
            "2026-06-19",
        ),
    ],
)
def test_daily_schedule_processes_the_previous_utc_day(moment: datetime.datetime, day: str) -> None:
    request = _request(daily_schedule, moment)
    assert request.run_config == daily_run_config(datetime.date.fromisoformat(day))
    assert request.run_key == f"daily-{day}"


@pytest.mark.parametrize(
    ("moment", "monday"),
    [
        (datetime.datetime(2026, 6, 15, 4, 0, tzinfo=UTC), "2026-06-08"),
        (datetime.datetime(2026, 6, 1, 4, 0, tzinfo=UTC), "2026-05-25"),
        (datetime.datetime(2026, 1, 5, 4, 0, tzinfo=UTC), "2025-12-29"),
        # Run late, on a Sunday: still the last complete week.
        (datetime.datetime(2026, 6, 21, 23, 0, tzinfo=UTC), "2026-06-08"),
    ],
)
def test_weekly_schedule_exports_the_previous_monday_to_sunday(
    moment: datetime.datetime, monday: str
) -> None:
    request = _request(weekly_exports_schedule, moment)
    start = datetime.date.fromisoformat(monday)
    assert start.weekday() == 0
    assert request.run_config == export_run_config("weekly", start)
    assert request.run_key == f"weekly-{monday}"


@pytest.mark.parametrize(
    ("moment", "first"),
    [
        (datetime.datetime(2026, 7, 1, 4, 0, tzinfo=UTC), "2026-06-01"),
        (datetime.datetime(2026, 3, 1, 4, 0, tzinfo=UTC), "2026-02-01"),
        (datetime.datetime(2026, 1, 1, 4, 0, tzinfo=UTC), "2025-12-01"),
    ],
)
def test_monthly_schedule_exports_the_previous_month(moment: datetime.datetime, first: str) -> None:
    request = _request(monthly_exports_schedule, moment)
    assert request.run_config == export_run_config("monthly", datetime.date.fromisoformat(first))
    assert request.run_key == f"monthly-{first}"


def test_schedules_fire_daily_on_mondays_and_on_the_first() -> None:
    assert daily_schedule.cron_schedule == "30 1 * * *"
    assert weekly_exports_schedule.cron_schedule == "0 4 * * 1"
    assert monthly_exports_schedule.cron_schedule == "0 4 1 * *"
    for schedule in (daily_schedule, weekly_exports_schedule, monthly_exports_schedule):
        assert schedule.execution_timezone == "UTC"
