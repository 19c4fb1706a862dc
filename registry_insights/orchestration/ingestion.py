"""The upstream assets: raw requests from the registry collector, the reference tables,
and the raw tables other systems write (declared, not materialized here). Their keys are
the dbt sources' default keys ([source, table]), so dbt's staging models hang below them."""

from collections.abc import Iterator

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from registry_insights.orchestration.policies import RETRY_POLICY
from registry_insights.orchestration.settings import PipelineSettings
from registry_insights.reference_data.export import REFERENCE_TABLES

INGESTION_GROUP = "ingestion"
RAW_REQUESTS_KEY = AssetKey(["registry", "raw_registry_requests"])

#: Written in the raw-data contract's layout by other systems: the account and extension
#: systems, and `registry-insights ingest-scan` (or the collector's scan on push).
EXTERNAL_RAW_TABLE_NAMES = (
    "raw_accounts",
    "raw_extension_events",
    "raw_image_scans",
    "raw_image_vulnerabilities",
)
EXTERNAL_RAW_TABLES = [
    AssetSpec(
        AssetKey(["registry", table]),
        group_name=INGESTION_GROUP,
        description=f"Raw `{table}` Parquet files (raw-data contract), written by another system.",
    )
    for table in EXTERNAL_RAW_TABLE_NAMES
]


@asset(
    key=RAW_REQUESTS_KEY,
    group_name=INGESTION_GROUP,
    retry_policy=RETRY_POLICY,
    description="`registry-insights collector-export`: the collector's stored pull events "
    "(joined with the registry log when REGISTRY_INSIGHTS_REGISTRY_LOG is set) appended to "
    "<raw_path>/raw_registry_requests/, exactly once. Without REGISTRY_INSIGHTS_COLLECTOR_STORE "
    "another producer writes the raw files and this step only reports them.",
)
def raw_registry_requests(context: AssetExecutionContext) -> MaterializeResult[None]:
    from registry_insights.ingest.collector_export import export_events
    from registry_insights.ingest.store import EventStore

    settings = PipelineSettings.from_environment()
    metadata: dict[str, MetadataValue] = {"raw_path": MetadataValue.path(str(settings.raw_path))}
    if settings.collector_store is None:
        context.log.info("no collector store configured: raw files come from another producer")
    else:
        summary = export_events(
            EventStore(settings.collector_store), settings.raw_path, settings.registry_log
        )
        context.log.info(summary.report())
        metadata["rows_written"] = MetadataValue.int(summary.written)
        metadata["files_written"] = MetadataValue.int(len(summary.files))
    folder = settings.raw_path / "raw_registry_requests"
    files = sorted(folder.glob("date=*/*.parquet")) if folder.exists() else []
    metadata["raw_files"] = MetadataValue.int(len(files))
    return MaterializeResult(metadata=metadata)


@multi_asset(
    specs=[
        AssetSpec(
            AssetKey(["reference", table]),
            group_name=INGESTION_GROUP,
            description=f"`registry-insights load-reference`: <reference>/{table}/data.parquet.",
        )
        for table in REFERENCE_TABLES
    ],
    retry_policy=RETRY_POLICY,
)
def reference_tables(context: AssetExecutionContext) -> Iterator[MaterializeResult[None]]:
    from registry_insights.reference_data import export_reference_data

    settings = PipelineSettings.from_environment()
    counts = export_reference_data(settings.reference_path, progress=False)
    for table, count in counts.items():
        context.log.info(f"{table}: {count:,} rows")
        yield MaterializeResult(
            asset_key=AssetKey(["reference", table]),
            metadata={"rows": MetadataValue.int(count)},
        )
