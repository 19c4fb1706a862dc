"""Every dbt model and seed as a Dagster asset, and every dbt data test as an asset check
(dagster-dbt's default, `enable_asset_checks`)."""

import datetime
import functools
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckKey,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    Config,
    Definitions,
)
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    build_dbt_asset_selection,
    dbt_assets,
)

from registry_insights.orchestration.periods import report_as_of
from registry_insights.orchestration.policies import RETRY_POLICY
from registry_insights.orchestration.project import (
    DBT_PROJECT,
    dbt_resource,
    prepare_manifest,
    run_target_path,
)
from registry_insights.orchestration.settings import absolute_profile_folders

DBT_ASSETS_NAME = "registry_insights_dbt"

#: The selector of selectors.yml the daily job builds (every model but the reference tables).
DAILY_SELECTOR = "daily"

#: The selectors a run is handed to dbt by, when it selects exactly their assets and checks.
RUN_SELECTORS = (DAILY_SELECTOR,)


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


#: The manifest the assets are read from, and a selector run's events are mapped with.
MANIFEST_PATH = prepare_manifest()


@dbt_assets(
    manifest=MANIFEST_PATH,
    project=DBT_PROJECT,
    name=DBT_ASSETS_NAME,
    dagster_dbt_translator=TRANSLATOR,
    retry_policy=RETRY_POLICY,
)
def registry_insights_dbt(
    context: AssetExecutionContext, dbt: DbtCliResource, config: DbtRunConfig
) -> Iterator[Any]:
    args = dbt_build_args(config)
    target_path = run_target_path(context.run.run_id)
    selector = run_selector(context)
    with absolute_folders_for_dbt():
        if selector is not None:
            yield from _build_by_selector(
                context, dbt, [*args, "--selector", selector], target_path
            )
        else:
            # Every asset (dagster-dbt selects `fqn:*`), or a subset no selector names (a
            # retry of part of a run, a hand-picked subset): dagster-dbt lists that subset's
            # resources and, past 200 of them, runs dbt in a temporary copy of the whole
            # project folder (build/ too) that it never removes.
            invocation = dbt.cli(args, context=context, target_path=target_path)
            try:
                yield from invocation.stream()
            finally:
                remove_project_copy(invocation.project_dir)


@contextmanager
def absolute_folders_for_dbt() -> Iterator[None]:
    """For the duration, the environment dbt inherits names profiles.yml's folders by
    absolute paths (settings.absolute_profile_folders): in a copy of the project, relative
    ones would build the copy's warehouse. Restored after: the op may run in process."""
    folders = absolute_profile_folders()
    saved = {variable: os.environ.get(variable) for variable in folders}
    os.environ.update(folders)
    try:
        yield
    finally:
        for variable, value in saved.items():
            if value is None:
                os.environ.pop(variable, None)
            else:
                os.environ[variable] = value


def selector_selection(selector: str) -> AssetSelection:
    """The assets and asset checks of a selector of selectors.yml."""
    return build_dbt_asset_selection([registry_insights_dbt], dbt_selector=selector)


@functools.cache
def _selector_keys(selector: str) -> tuple[frozenset[AssetKey], frozenset[AssetCheckKey]]:
    # dagster-dbt resolves a selection from the manifest alone, but Dagster asks for an asset
    # graph; Definitions builds one (and wants the op's resource for it).
    definitions = Definitions(assets=[registry_insights_dbt], resources={"dbt": dbt_resource()})
    graph = definitions.resolve_asset_graph()
    selection = selector_selection(selector)
    return frozenset(selection.resolve(graph)), frozenset(selection.resolve_checks(graph))


def run_selector(context: AssetExecutionContext) -> str | None:
    """The selector whose assets and checks are exactly those the run selects, if any. A
    retry or a hand-picked part of a daily run selects fewer: dbt must build no more."""
    for selector in RUN_SELECTORS:
        assets, checks = _selector_keys(selector)
        if context.selected_asset_keys == assets and context.selected_asset_check_keys == checks:
            return selector
    return None


def _build_by_selector(
    context: AssetExecutionContext, dbt: DbtCliResource, args: list[str], target_path: Path
) -> Iterator[Any]:
    """dbt run with `--selector`, in the project folder. Given the context, dagster-dbt would
    add the subset's resources one by one (and copy the project): it is given the manifest
    instead, and the run's events are made with the context here, as stream() makes them."""
    invocation = dbt.cli(
        args, manifest=MANIFEST_PATH, dagster_dbt_translator=TRANSLATOR, target_path=target_path
    )
    for event in invocation.stream_raw_events():
        yield from event.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=TRANSLATOR,
            context=context,
            target_path=invocation.target_path,
            project=DBT_PROJECT,
        )


def remove_project_copy(project_dir: Path) -> None:
    """Removes the folder dbt ran in if it is a copy of the project dagster-dbt made: only a
    folder of the temporary directory holding a dbt_project.yml, never the project itself."""
    folder = project_dir.resolve()
    if folder == Path(DBT_PROJECT.project_dir).resolve():
        return
    if (
        folder.parent == Path(tempfile.gettempdir()).resolve()
        and (folder / "dbt_project.yml").is_file()
    ):
        shutil.rmtree(folder, ignore_errors=True)
