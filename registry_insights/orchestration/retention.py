"""The scheduled raw retention: `registry-insights prune-raw --older-than N` every day,
with N from REGISTRY_INSIGHTS_RAW_RETENTION_DAYS (unset: nothing is pruned)."""

import datetime

from dagster import (
    DefaultScheduleStatus,
    OpExecutionContext,
    RunRequest,
    ScheduleEvaluationContext,
    job,
    op,
    schedule,
)

from registry_insights.orchestration.policies import RETRY_POLICY, WAREHOUSE_TAGS
from registry_insights.orchestration.settings import PipelineSettings


@op(retry_policy=RETRY_POLICY)
def prune_raw_files(context: OpExecutionContext) -> int:
    """Remove the raw request files past the retention that the warehouse has taken in;
    the number removed."""
    from registry_insights.retention import prune_raw

    settings = PipelineSettings.from_environment()
    if settings.raw_retention_days is None:
        context.log.info("REGISTRY_INSIGHTS_RAW_RETENTION_DAYS is not set: nothing is pruned")
        return 0
    report = prune_raw(
        settings.raw_path, settings.database, settings.raw_retention_days, progress=False
    )
    for line in report.lines():
        context.log.info(line)
    return len(report.removed)


@job(tags=WAREHOUSE_TAGS, description="registry-insights prune-raw, retention from configuration.")
def prune_raw_job() -> None:
    prune_raw_files()


@schedule(
    job=prune_raw_job,
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
)
def prune_raw_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    """03:00 UTC, after the daily run: the files past the retention."""
    moment = context.scheduled_execution_time or datetime.datetime.now(datetime.UTC)
    return RunRequest(run_key=f"prune-raw-{moment.date()}")
