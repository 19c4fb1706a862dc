"""The Dagster code location: `dagster dev -m registry_insights.orchestration`."""

from __future__ import annotations

from dagster import Definitions

from registry_insights.orchestration.dbt_models import registry_insights_dbt
from registry_insights.orchestration.exports import period_exports
from registry_insights.orchestration.ingestion import (
    EXTERNAL_RAW_TABLES,
    raw_registry_requests,
    reference_tables,
)
from registry_insights.orchestration.jobs import (
    daily_job,
    daily_schedule,
    full_build_job,
    monthly_exports_job,
    monthly_exports_schedule,
    weekly_exports_job,
    weekly_exports_schedule,
)
from registry_insights.orchestration.project import dbt_resource
from registry_insights.orchestration.retention import prune_raw_job, prune_raw_schedule

defs = Definitions(
    assets=[
        *EXTERNAL_RAW_TABLES,
        raw_registry_requests,
        reference_tables,
        registry_insights_dbt,
        period_exports,
    ],
    jobs=[full_build_job, daily_job, weekly_exports_job, monthly_exports_job, prune_raw_job],
    schedules=[
        daily_schedule,
        weekly_exports_schedule,
        monthly_exports_schedule,
        prune_raw_schedule,
    ],
    resources={"dbt": dbt_resource()},
)
