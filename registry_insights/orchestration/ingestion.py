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
    multi_asset,
)

from registry_insights.orchestration.policies import RETRY_POLICY
from registry_insights.orchestration.settings import PipelineSettings
from registry_insights.reference_data.export import REFERENCE_TABLES

INGESTION_GROUP = "ingestion"
RAW_REQUESTS_KEY = AssetKey(["registry", "raw_registry_requests"])
RAW_TAG_PUSHES_KEY = AssetKey(["registry", "raw_tag_pushes"])

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


@multi_asset(
    specs=[
        AssetSpec(
            RAW_REQUESTS_KEY,
            group_name=INGESTION_GROUP,
            description="`registry-insights collector-export`: the collector's stored pull "
            "events (joined with the registry log when REGISTRY_INSIGHTS_REGISTRY_LOG is set) "
            "appended to <raw_path>/raw_registry_requests/, exactly once. Without "
            "REGISTRY_INSIGHTS_COLLECTOR_STORE another producer writes the raw files and this "
            "step only reports them.",
        ),
        AssetSpec(
            RAW_TAG_PUSHES_KEY,
            group_name=INGESTION_GROUP,
            description="`registry-insights collector-export`: the collector's stored pushes of "
            "a manifest by tag appended to <raw_path>/raw_tag_pushes/, exactly once, by the same "
            "step as the pull events.",
        ),
    ],
    retry_policy=RETRY_POLICY,
)
def raw_registry_requests(context: AssetExecutionContext) -> Iterator[MaterializeResult[None]]:
    from registry_insights.ingest.collector_export import export_events
    from registry_insights.ingest.store import EventStore

    settings = PipelineSettings.from_environment()
    requests: dict[str, MetadataValue] = {"raw_path": MetadataValue.path(str(settings.raw_path))}
    pushes: dict[str, MetadataValue] = {"raw_path": MetadataValue.path(str(settings.raw_path))}
    if settings.collector_store is None:
        context.log.info("no collector store configured: raw files come from another producer")
    else:
        summary = export_events(
            EventStore(settings.collector_store), settings.raw_path, settings.registry_log
        )
        context.log.info(summary.report())
        requests["rows_written"] = MetadataValue.int(summary.written)
        requests["files_written"] = MetadataValue.int(len(summary.files))
        pushes["rows_written"] = MetadataValue.int(summary.pushes_written)
    for key, table, metadata in (
        (RAW_REQUESTS_KEY, "raw_registry_requests", requests),
        (RAW_TAG_PUSHES_KEY, "raw_tag_pushes", pushes),
    ):
        folder = settings.raw_path / table
        files = sorted(folder.glob("date=*/*.parquet")) if folder.exists() else []
        metadata["raw_files"] = MetadataValue.int(len(files))
        yield MaterializeResult(asset_key=key, metadata=metadata)


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
