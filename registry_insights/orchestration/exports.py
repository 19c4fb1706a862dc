"""The period exports (`registry-insights export --granularity G --period P`) as an asset
downstream of the marts they read. Deterministic and overwrite-safe: rows in a total
order, gzip without name or time, each file written under a temporary name and renamed."""

import datetime

from dagster import (
    AssetExecutionContext,
    AssetKey,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_dbt import get_asset_key_for_model

from registry_insights.orchestration.dbt_models import registry_insights_dbt
from registry_insights.orchestration.policies import RETRY_POLICY
from registry_insights.orchestration.settings import PipelineSettings
from registry_insights.publishing.catalog import CATALOG, GRANULARITIES

EXPORTS_GROUP = "exports"


def exported_marts() -> list[AssetKey]:
    """The asset keys of every mart an export reads (reports and dataviews)."""
    names = sorted({dataset.model for dataset in CATALOG})
    return [get_asset_key_for_model([registry_insights_dbt], name) for name in names]


class ExportConfig(Config):
    """One complete period: `granularity` weekly or monthly, `period_start` its first day
    (a Monday, or the 1st)."""

    granularity: str
    period_start: str


def export_period(settings: PipelineSettings, granularity: str, start: datetime.date) -> int:
    """Write the period's report CSVs and dataview parts under settings.export_dir; the
    number of files written. Fails when the warehouse has no such period yet."""
    from registry_insights.publishing.export import export_warehouse, why_not_exported

    if granularity not in GRANULARITIES:
        raise Failure(f"granularity must be one of {GRANULARITIES}, not {granularity!r}")
    files = export_warehouse(
        settings.database, settings.export_dir, only={(granularity, start)}
    ).file_count
    if files == 0:
        raise Failure(
            f"the warehouse has no {granularity} period starting {start} to publish: "
            f"{why_not_exported(settings.database, granularity, start)} (retried)"
        )
    return files


@asset(
    key=AssetKey(["period_exports"]),
    group_name=EXPORTS_GROUP,
    deps=exported_marts(),
    retry_policy=RETRY_POLICY,
    description="Report CSVs and pull/extension export parts of one complete week or month "
    "(`registry-insights export --granularity G --period P`), under REGISTRY_INSIGHTS_EXPORT_DIR.",
)
def period_exports(context: AssetExecutionContext, config: ExportConfig) -> MaterializeResult[None]:
    settings = PipelineSettings.from_environment()
    start = datetime.date.fromisoformat(config.period_start)
    files = export_period(settings, config.granularity, start)
    context.log.info(f"{config.granularity} {start}: {files} file(s) in {settings.export_dir}")
    return MaterializeResult(
        metadata={
            "granularity": MetadataValue.text(config.granularity),
            "period_start": MetadataValue.text(start.isoformat()),
            "files": MetadataValue.int(files),
            "export_dir": MetadataValue.path(str(settings.export_dir)),
        }
    )
