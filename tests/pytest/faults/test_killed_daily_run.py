"""A daily run killed inside each model in turn, then rerun, equals an uninterrupted run.

A small generated dataset is built up to its second day (conftest.py); then the daily
run of the third day (`dbt run --selector daily`, one thread: the daily job's models;
its tests write nothing) is started and killed with SIGKILL inside its first model,
rerun and killed inside its second model, and so on through every model of the
selection, then run to the end. The kill lands in the model's post-hook, inside its
transaction: all the model does is done but not committed
(macros/fault_injection_point.sql).

After each kill: the model killed is exactly as before the daily run (nothing of it
committed), and the model before it, which this run (a rerun after the previous kill)
did again, equals the uninterrupted run's. After the last run: every model's relation
(marts, ops, intermediate, staging) equals, row for row, the uninterrupted run's.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from support.fault_warehouse import SmallWarehouse
from support.killed_runs import run_killed_inside
from support.warehouse_compare import table_differences

#: The files one run takes in: after a rerun that finds its files already in the
#: ledger, it is empty where the uninterrupted run's lists them (per-run scratch).
RUN_SCRATCH = {"ops.ops_request_files_pending", "ops.ops_extension_files_pending"}


def _uninterrupted(warehouse: SmallWarehouse) -> tuple[Path, list[tuple[str, str]]]:
    """The daily run never interrupted, and its models in the order it ran them."""
    reference = warehouse.runs / "reference" / "warehouse.duckdb"
    reference.parent.mkdir()
    shutil.copy(warehouse.base, reference)
    assert warehouse.daily_run(reference)()
    results = json.loads((warehouse.runs / "target" / "run_results.json").read_text())
    models = []
    for result in results["results"]:
        node = warehouse.manifest.nodes[result["unique_id"]]
        if node.resource_type != "model":  # the project's on-run-start hook writes nothing
            continue
        models.append((node.name, f"{node.schema}.{node.alias}"))
    return reference, models


def test_a_daily_run_killed_inside_each_model_reruns_to_the_same_warehouse(
    small_warehouse: SmallWarehouse,
) -> None:
    reference, models = _uninterrupted(small_warehouse)
    assert len(models) >= 30
    database = small_warehouse.runs / "chain" / "warehouse.duckdb"
    database.parent.mkdir()
    shutil.copy(small_warehouse.base, database)
    killed, untouched, redone = [], [], []
    for index, (model, relation) in enumerate(models):
        if run_killed_inside(
            small_warehouse.daily_run(database),
            model,
            "post",
            small_warehouse.runs / "pause.fifo",
            small_warehouse.runs / "killed-runs.log",
        ):
            killed.append(model)
        if not table_differences(database, small_warehouse.base, [relation]):
            untouched.append(model)
        if index and not table_differences(database, reference, [models[index - 1][1]]):
            redone.append(models[index - 1][0])
    assert small_warehouse.daily_run(database)()
    relations = {relation for _, relation in models} - RUN_SCRATCH
    differing = table_differences(database, reference, relations)
    print(
        f"\nFIGURE killed daily run: killed inside {len(killed)}/{len(models)} models of the "
        f"daily run; the killed model unchanged after the kill: {len(untouched)}/{len(models)}; "
        f"redone equal by the rerun: {len(redone)}/{len(models) - 1}; after the last rerun "
        f"{len(relations) - len(differing)}/{len(relations)} relations equal the uninterrupted run"
    )
    assert killed == [model for model, _ in models]
    assert untouched == killed
    assert differing == {}
    assert len(redone) == len(models) - 1
