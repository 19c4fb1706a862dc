"""The jobs and their schedules: a daily incremental run of the previous UTC day, and the
weekly (Monday, for the week before) and monthly (the 1st, for the month before) exports."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    define_asset_job,
    schedule,
)
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)
from dagster_dbt import build_dbt_asset_selection

from registry_insights.orchestration.dbt_models import (
    DAILY_SELECTOR,
    DBT_ASSETS_NAME,
    registry_insights_dbt,
    selector_selection,
)
from registry_insights.orchestration.exports import period_exports
from registry_insights.orchestration.ingestion import raw_registry_requests, reference_tables
from registry_insights.orchestration.periods import previous_day, previous_month, previous_week
from registry_insights.orchestration.policies import RETRY_POLICY, WAREHOUSE_TAGS

#: Run-level retries (dagster.yaml enables them): a run that failed is started again.
RUN_TAGS = {**WAREHOUSE_TAGS, "dagster/max_retries": "2"}

#: The dbt selector `daily` (selectors.yml): every model but the reference tables. A run of
#: exactly these assets and checks is handed to dbt as `--selector daily` (dbt_models.py).
DAILY_DBT_SELECTION = selector_selection(DAILY_SELECTOR)

#: Everything: reference tables, seeds, every model (first build, or after a reference change).
full_build_job = define_asset_job(
    "full_build",
    selection=AssetSelection.assets(raw_registry_requests, reference_tables)
    | build_dbt_asset_selection([registry_insights_dbt]),
    description="Ingestion, reference tables, seeds and every dbt model with its tests.",
    tags=RUN_TAGS,
    op_retry_policy=RETRY_POLICY,
)

daily_job = define_asset_job(
    "daily",
    selection=AssetSelection.assets(raw_registry_requests) | DAILY_DBT_SELECTION,
    description="collector-export, then `dbt build --selector daily` for one day (process_date).",
    tags=RUN_TAGS,
    op_retry_policy=RETRY_POLICY,
)


def _exports_job(granularity: str, period: str) -> UnresolvedAssetJobDefinition:
    return define_asset_job(
        f"{granularity}_exports",
        selection=AssetSelection.assets(period_exports),
        description=f"The exports of one complete {period}.",
        tags=RUN_TAGS,
        op_retry_policy=RETRY_POLICY,
    )


weekly_exports_job = _exports_job("weekly", "Monday-to-Sunday week")
monthly_exports_job = _exports_job("monthly", "month")


def daily_run_config(day: datetime.date) -> dict[str, Any]:
    return {"ops": {DBT_ASSETS_NAME: {"config": {"process_date": day.isoformat()}}}}


def export_run_config(granularity: str, start: datetime.date) -> dict[str, Any]:
    config = {"granularity": granularity, "period_start": start.isoformat()}
    return {"ops": {"period_exports": {"config": config}}}


def _moment(context: ScheduleEvaluationContext) -> datetime.datetime:
    return context.scheduled_execution_time or datetime.datetime.now(datetime.UTC)


@schedule(
    job=daily_job,
    cron_schedule="30 1 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
)
def daily_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    """01:30 UTC: the previous UTC day."""
    day = previous_day(_moment(context))
    return RunRequest(run_key=f"daily-{day}", run_config=daily_run_config(day))


def _exports_schedule(
    job: UnresolvedAssetJobDefinition,
    cron_schedule: str,
    granularity: str,
    period_start: Callable[[datetime.datetime], datetime.date],
) -> ScheduleDefinition:
    @schedule(
        name=f"{granularity}_exports_schedule",
        job=job,
        cron_schedule=cron_schedule,
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING,
    )
    def exports_schedule(context: ScheduleEvaluationContext) -> RunRequest:
        start = period_start(_moment(context))
        return RunRequest(
            run_key=f"{granularity}-{start}", run_config=export_run_config(granularity, start)
        )

    return exports_schedule


#: Mondays 04:00 UTC (after Sunday's daily run at 01:30): the week before.
weekly_exports_schedule = _exports_schedule(
    weekly_exports_job, "0 4 * * 1", "weekly", previous_week
)
#: The 1st at 04:00 UTC (after the last day's daily run): the month before.
monthly_exports_schedule = _exports_schedule(
    monthly_exports_job, "0 4 1 * *", "monthly", previous_month
)
