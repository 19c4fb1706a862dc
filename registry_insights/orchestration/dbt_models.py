"""Every dbt model and seed as a Dagster asset, and every dbt data test as an asset check
(dagster-dbt's default, `enable_asset_checks`)."""

import datetime
import json
from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext, Config
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from registry_insights.orchestration.periods import report_as_of
from registry_insights.orchestration.policies import RETRY_POLICY
from registry_insights.orchestration.project import (
    DBT_PROJECT,
    prepare_manifest,
    run_target_path,
)

DBT_ASSETS_NAME = "registry_insights_dbt"


class LayerTranslator(DagsterDbtTranslator):
    """Groups the assets by layer (staging, intermediate, marts; seeds apart); source keys
    stay dagster-dbt's [source, table], the keys of the ingestion assets."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        fqn: list[str] = dbt_resource_props["fqn"]
        return fqn[1] if len(fqn) > 2 else "dbt"


TRANSLATOR = LayerTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


class DbtRunConfig(Config):
    """`process_date` (YYYY-MM-DD): the day a daily run takes in (the dbt var of that name;
    reports cut off the day after it). Empty: every new raw file, reports as of today."""

    process_date: str | None = None


def dbt_build_args(config: DbtRunConfig) -> list[str]:
    """`dbt build` without the unit tests (logic checks for CI, not for data runs). By
    resource type, not `--exclude test_type:unit`: dbt ignores --exclude beside --selector."""
    args = ["build", "--exclude-resource-type", "unit_test"]
    if config.process_date:
        day = datetime.date.fromisoformat(config.process_date)
        variables = {"process_date": day.isoformat(), "report_as_of_date": report_as_of(day)}
        args += ["--vars", json.dumps(variables, default=str)]
    return args


@dbt_assets(
    manifest=prepare_manifest(),
    project=DBT_PROJECT,
    name=DBT_ASSETS_NAME,
    dagster_dbt_translator=TRANSLATOR,
    retry_policy=RETRY_POLICY,
)
def registry_insights_dbt(
    context: AssetExecutionContext, dbt: DbtCliResource, config: DbtRunConfig
) -> Iterator[Any]:
    invocation = dbt.cli(
        dbt_build_args(config),
        context=context,
        target_path=run_target_path(context.run.run_id),
    )
    yield from invocation.stream()
