"""A corrupt Parquet file in the raw folder stops the daily run with an error naming it.

Four kinds of bad file land in the third day's partition of raw_registry_requests: an
empty file, random bytes, a valid file truncated to half its size, and a valid Parquet
file with another table's columns (read by name, it would give rows of nulls, dropped
without a word). For each, the daily run must fail, with the file's path in the error,
and take nothing in (the ledger unchanged); `validate-raw` must report the file.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dbt.clients.yaml_helper import load_yaml_text
from support.fault_warehouse import DAILY, SmallWarehouse
from support.warehouse_build import PROJECT_DIR, dbt_invoke
from support.warehouse_compare import table_differences

from registry_insights.raw_validation.contract import CONTRACT
from registry_insights.raw_validation.validate import validate_raw

PARTITION = Path("raw_registry_requests") / "date=2026-06-03"


def _valid_file(raw: Path) -> bytes:
    return sorted((raw / PARTITION).glob("*.parquet"))[0].read_bytes()


def _bad_bytes(kind: str, raw: Path, work: Path) -> bytes:
    if kind == "empty":
        return b""
    if kind == "random bytes":
        return random.Random(7).randbytes(20_000)
    if kind == "truncated":
        valid = _valid_file(raw)
        return valid[: len(valid) // 2]
    other = work / "other.parquet"
    pq.write_table(pa.table({"id": [1, 2, 3], "note": ["a", "b", "c"]}), other)
    return other.read_bytes()


@pytest.mark.parametrize("kind", ["empty", "random bytes", "truncated", "wrong schema"])
def test_a_corrupt_raw_file_stops_the_daily_run_naming_it(
    kind: str, small_warehouse: SmallWarehouse, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(small_warehouse.raw, raw)
    bad = raw / PARTITION / f"bad-{kind.replace(' ', '-')}.parquet"
    bad.write_bytes(_bad_bytes(kind, raw, tmp_path))
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(small_warehouse.base, database)

    outcome = dbt_invoke("run", raw, database, *DAILY)
    named = [message for message in outcome.messages if str(bad) in message]
    assert not outcome.success
    assert named, outcome.messages
    assert table_differences(database, small_warehouse.base, ["ops.ops_request_files_ledger"]) == {}

    report = validate_raw(raw, sample_rows=1_000)
    errors = [
        finding.message
        for table in report.tables
        for finding in table.findings
        if finding.severity == "error" and bad.name in finding.message
    ]
    assert errors, [finding.message for table in report.tables for finding in table.findings]
    error_line = next(line for line in named[0].splitlines() if str(bad) in line)
    print(
        f"\nFIGURE corrupt raw file: {kind}: the daily run fails in {outcome.failed_names[0]} "
        f"({len(outcome.failed_names)} of its models not built), "
        f"error: {error_line.strip().replace(str(raw), '<raw>')!r}; "
        f"validate-raw: {errors[0]!r}"
    )


def test_the_required_columns_checked_by_the_build_are_the_contracts() -> None:
    """The sources' `required_columns` (read by the build) are the contract's non-null
    columns (read by validate-raw)."""
    path = PROJECT_DIR / "models" / "staging" / "registry" / "_registry__sources.yml"
    document = load_yaml_text(path.read_text())
    assert document is not None
    (source,) = document["sources"]
    declared = {table["name"]: table["meta"]["required_columns"] for table in source["tables"]}
    contract = {t.name: [c.name for c in t.columns if c.required] for t in CONTRACT}
    assert declared == contract
